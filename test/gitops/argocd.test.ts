import { App, Chart } from 'cdk8s';
import {
  ArgoCdApplication, ArgoCdApplicationSet, ArgoCdDestination, ConfigManagementPlugin, ManifestObject, ManifestSource,
  SchemaValidator,
} from '../../lib';
import { driftAllowances } from '../../lib/gitops';

type M = ManifestObject & { [k: string]: any };
const validator = SchemaValidator.forVersion('1.30');
const REPO = 'https://github.com/acme/ml-platform.git';

function render(build: (chart: Chart) => void): M[] {
  const chart = new Chart(new App(), 'argocd');
  build(chart);
  return chart.toJson();
}

describe('ArgoCdApplication', () => {
  test('defaults: rendered manifests, automated prune + selfHeal, PruneLast, retry, cascade finalizer', () => {
    const [app] = render((c) => new ArgoCdApplication(c, 'gke', {
      name: 'ml-platform-gke', repoUrl: REPO, source: ManifestSource.renderedManifests('dist/gke/'),
      destination: ArgoCdDestination.clusterName('ml-gke'),
    }));
    expect(app).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'ml-platform-gke', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: {
        project: 'default',
        source: { repoURL: REPO, targetRevision: 'HEAD', path: 'dist/gke' },
        destination: { name: 'ml-gke' },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['PruneLast=true'],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
      },
    });
    expect(validator.validate(app)).toEqual([]);
  });

  test('options: server-side apply, CreateNamespace, manual sync, ignoreDifferences with RespectIgnoreDifferences', () => {
    const [app] = render((c) => new ArgoCdApplication(c, 'kind', {
      name: 'ml-platform-kind', repoUrl: REPO, targetRevision: 'v1.2.0', project: 'ml', argoCdNamespace: 'gitops',
      source: ManifestSource.renderedManifests('dist/kind'), destinationNamespace: 'ml-db',
      automated: false, serverSideApply: true, createNamespace: true, cascadeDelete: false, retryLimit: 2,
      ignoreDifferences: [{ group: 'external-secrets.io', kind: 'ExternalSecret', jqPathExpressions: ['.spec.data[]?.remoteRef.conversionStrategy'] }],
    }));
    expect(app.metadata).toEqual({ name: 'ml-platform-kind', namespace: 'gitops' });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'ml-db' });
    expect(app.spec.syncPolicy).toEqual({
      syncOptions: ['PruneLast=true', 'CreateNamespace=true', 'ServerSideApply=true', 'RespectIgnoreDifferences=true'],
      retry: { limit: 2, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
    expect(app.spec.ignoreDifferences).toEqual([{ group: 'external-secrets.io', kind: 'ExternalSecret', jqPathExpressions: ['.spec.data[]?.remoteRef.conversionStrategy'] }]);
    expect(validator.validate(app)).toEqual([]);
  });

  test('a config management plugin source', () => {
    const [app] = render((c) => new ArgoCdApplication(c, 'eks', { name: 'ml-eks', repoUrl: REPO, source: ManifestSource.plugin('cdk8s-stateful-ml', 'eks') }));
    expect(app.spec.source).toEqual({ repoURL: REPO, targetRevision: 'HEAD', path: '.', plugin: { name: 'cdk8s-stateful-ml', env: [{ name: 'PROFILE', value: 'eks' }] } });
    expect(validator.validate(app)).toEqual([]);
  });

  test('the schema is strict: an unknown field is an error', () => {
    const [app] = render((c) => new ArgoCdApplication(c, 'x', { name: 'x', repoUrl: REPO, source: ManifestSource.renderedManifests('dist/x') }));
    app.spec.syncPolicy.automated.pruneAll = true;
    expect(validator.validate(app).map((f) => f.message)).toEqual(['unknown field spec.syncPolicy.automated.pruneAll']);
  });

  test('bad input fails with the construct path and the fix', () => {
    const bad = (props: object) => () => render((c) => new ArgoCdApplication(c, 'app', { name: 'a', repoUrl: REPO, source: ManifestSource.renderedManifests('dist/a'), ...props }));
    expect(bad({ repoUrl: ' ' })).toThrow("ArgoCdApplication 'argocd/app': repoUrl is empty; set it, e.g. repoUrl: 'https://github.com/acme/ml-platform.git'.");
    expect(bad({ createNamespace: true })).toThrow("ArgoCdApplication 'argocd/app': createNamespace needs destinationNamespace (Argo CD creates only the destination namespace).");
    expect(bad({ retryLimit: -1 })).toThrow("ArgoCdApplication 'argocd/app': retryLimit -1 must be a whole number ≥ 0, e.g. 5.");
    expect(() => ArgoCdDestination.server('kubernetes.default')).toThrow("ArgoCdDestination.server: 'kubernetes.default' is not an API server URL; use e.g. 'https://kubernetes.default.svc'.");
  });
});

describe('ArgoCdApplicationSet', () => {
  test('list generator over profiles, one Application per profile pointing at dist/<profile>', () => {
    const [set] = render((c) => new ArgoCdApplicationSet(c, 'set', {
      name: 'ml-platform', repoUrl: REPO, targetRevision: 'main',
      targets: [{ profile: 'gke', destination: ArgoCdDestination.clusterName('ml-gke') }, { profile: 'eks', destination: ArgoCdDestination.clusterName('ml-eks') }],
    }));
    expect(set.spec.generators).toEqual([{ list: { elements: [{ profile: 'gke', cluster: 'ml-gke' }, { profile: 'eks', cluster: 'ml-eks' }] } }]);
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
    expect(set.spec.template.metadata).toEqual({ name: 'ml-platform-{{.profile}}' });
    expect(set.spec.template.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/{{.profile}}' });
    expect(set.spec.template.spec.destination).toEqual({ name: '{{.cluster}}' });
    expect(set.spec.template.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(validator.validate(set)).toEqual([]);
  });

  test('mixed destination kinds and empty targets are refused', () => {
    expect(() => render((c) => new ArgoCdApplicationSet(c, 'set', {
      name: 'ml', repoUrl: REPO, targets: [{ profile: 'kind' }, { profile: 'gke', destination: ArgoCdDestination.clusterName('ml-gke') }],
    }))).toThrow("ArgoCdApplicationSet 'argocd/set': targets mix clusters by name and by server URL;");
    expect(() => render((c) => new ArgoCdApplicationSet(c, 'set', { name: 'ml', repoUrl: REPO, targets: [] })))
      .toThrow("ArgoCdApplicationSet 'argocd/set': targets is empty; list at least one profile, e.g. [{ profile: 'gke' }].");
  });
});

describe('ConfigManagementPlugin', () => {
  test('sidecar config: discover by cdk8s.yaml, init to stderr, generate runs the shipped script', () => {
    let plugin!: ConfigManagementPlugin;
    const [cmp] = render((c) => { plugin = new ConfigManagementPlugin(c, 'cmp', { version: 'v1' }); });
    expect(plugin.pluginName).toBe('cdk8s-stateful-ml-v1');
    expect(cmp.metadata).toEqual({ name: 'cdk8s-stateful-ml' });
    expect(cmp.spec.version).toBe('v1');
    expect(cmp.spec.discover).toEqual({ fileName: 'cdk8s.yaml' });
    expect(cmp.spec.init).toEqual({ command: ['sh', '-c'], args: ['npm ci --no-audit --no-fund >&2'] });
    expect(cmp.spec.generate.command).toEqual(['sh', '-c']);
    expect(cmp.spec.generate.args[0]).toContain('PROFILES="$profile" CDK8S_UPGRADE_GUARD=off exec node_modules/.bin/cdk8s synth --stdout');
    expect(validator.validate(cmp)).toEqual([]);
  });
});

describe('driftAllowances', () => {
  test('only ExternalSecret list defaults are ignored, and only when the render has ExternalSecrets', () => {
    expect(driftAllowances([{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' } }])).toEqual([]);
    expect(driftAllowances([{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'pw' } }])).toEqual([{
      group: 'external-secrets.io', kind: 'ExternalSecret',
      jqPathExpressions: ['.spec.data[]?.remoteRef.conversionStrategy', '.spec.data[]?.remoteRef.decodingStrategy', '.spec.data[]?.remoteRef.metadataPolicy'],
    }]);
  });
});
