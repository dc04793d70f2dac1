import { checkStatefulSetHygiene, isValidContainerResourceName, parseImage, RULES } from '../../lib/checks';
import { gate, goodRender, LABELS, NS, type Obj, pick, podSpec, statefulSet, summary } from './fixtures';

const STS = 'StatefulSet ml-db/postgres';
const C0 = 'spec.template.spec.containers[0]';

function mutated(kind: string, mutate: (o: Obj) => void, name?: string): Obj[] {
  const render = goodRender();
  mutate(pick(render, kind, name));
  return render;
}

describe('StatefulSet and workload hygiene', () => {
  test('the good render passes', () => {
    expect(checkStatefulSetHygiene(goodRender())).toEqual([]);
  });

  test('every hygiene rule cites an upstream check', () => {
    for (const [id, info] of Object.entries(RULES)) {
      expect(info.upstream.length).toBeGreaterThan(10);
      expect(['error', 'warning']).toContain(info.severity);
      expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
    }
    expect(RULES['statefulset/service-name'].upstream).toBe('kube-score statefulset-has-servicename');
    expect(RULES['service/dangling'].upstream).toContain('kube-linter dangling-service');
    expect(RULES['statefulset/volume-claim-template-type-meta'].upstream).toContain('argoproj/argo-cd#11143');
  });

  describe('governing Service (statefulset/service-name)', () => {
    test('unset serviceName', () => {
      // serviceName is also schema-required before 1.32; the hygiene rule explains what it is for.
      expect(summary(checkStatefulSetHygiene(mutated('StatefulSet', (s) => { delete s.spec.serviceName; })))).toEqual([{
        rule: 'statefulset/service-name', object: STS, path: 'spec.serviceName',
        message: 'spec.serviceName is unset; point it at a headless Service (clusterIP: None) selecting the pods, which gives them stable DNS names',
      }]);
    });

    test('Service missing from the namespace (same name elsewhere does not count)', () => {
      const render = mutated('Service', (s) => { s.metadata.namespace = 'other'; }, 'postgres-headless');
      expect(gate(render).filter((f) => f.rule === 'statefulset/service-name')).toEqual([{
        rule: 'statefulset/service-name', object: STS, path: 'spec.serviceName',
        message: 'governing Service "postgres-headless" does not exist in namespace ml-db; create a headless Service (clusterIP: None) named postgres-headless ' +
          'selecting {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, tier=db}',
      }]);
    });

    test('not headless', () => {
      expect(gate(mutated('Service', (s) => { delete s.spec.clusterIP; }, 'postgres-headless'))).toEqual([{
        rule: 'statefulset/service-name', object: STS, path: 'spec.serviceName',
        message: 'governing Service ml-db/postgres-headless is not headless (clusterIP: unset); set clusterIP: None so each pod gets its own DNS record',
      }]);
    });

    test('selector does not select the pods', () => {
      expect(gate(mutated('Service', (s) => { s.spec.selector = { ...LABELS, role: 'primary' }; }, 'postgres-headless'))).toEqual([
        {
          rule: 'statefulset/service-name', object: STS, path: 'spec.serviceName',
          message: 'governing Service ml-db/postgres-headless selector {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, role=primary} ' +
            'does not select the pod template labels {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, tier=db}; make the Service select the StatefulSet pods',
        },
        {
          rule: 'service/dangling', object: 'Service ml-db/postgres-headless', path: 'spec.selector',
          message: "selector {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, role=primary} selects no pod template in namespace ml-db; fix the selector or the workload's template labels",
        },
      ]);
    });
  });

  describe('workload/selector-matches-template', () => {
    test('matchLabels not in the template', () => {
      const render = mutated('StatefulSet', (s) => { s.spec.selector.matchLabels = { ...LABELS, role: 'db' }; });
      expect(gate(render)).toEqual([
        {
          rule: 'workload/selector-matches-template', object: STS, path: 'spec.selector',
          message: 'spec.selector {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, role=db} does not select the pod template labels ' +
            '{app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, tier=db}; add the selector\'s labels to spec.template.metadata.labels',
        },
      ]);
    });

    test('matchExpressions are evaluated', () => {
      const render = mutated('StatefulSet', (s) => { s.spec.selector.matchExpressions = [{ key: 'tier', operator: 'NotIn', values: ['db'] }]; });
      expect(gate(render).map((f) => f.message)).toEqual([
        'spec.selector {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db} + 1 matchExpressions does not select the pod template labels ' +
          '{app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, tier=db}; add the selector\'s labels to spec.template.metadata.labels',
      ]);
      const ok = mutated('StatefulSet', (s) => { s.spec.selector.matchExpressions = [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }, { key: 'x', operator: 'DoesNotExist' }]; });
      expect(gate(ok)).toEqual([]);
    });
  });

  describe('PodDisruptionBudgets', () => {
    test('pdb/missing for replicas >= 2', () => {
      const render = goodRender().filter((o) => o.kind !== 'PodDisruptionBudget');
      expect(gate(render)).toEqual([{
        rule: 'pdb/missing', object: STS,
        message: '3 replicas and no PodDisruptionBudget selects its pods {app.kubernetes.io/name=postgres, app.kubernetes.io/instance=db, tier=db}; ' +
          'add a PodDisruptionBudget in namespace ml-db with maxUnavailable: 1 so a drain cannot evict every replica at once',
      }]);
      pick(render, 'StatefulSet').spec.replicas = 1;
      expect(gate(render)).toEqual([]);
    });

    test('a PDB in another namespace does not cover the pods', () => {
      const render = mutated('PodDisruptionBudget', (p) => { p.metadata.namespace = 'other'; });
      expect(gate(render).map((f) => f.rule)).toEqual(['pdb/missing']);
    });

    test('maxUnavailable 0 blocks drains on anything', () => {
      expect(gate(mutated('PodDisruptionBudget', (p) => { p.spec.maxUnavailable = 0; }))).toEqual([{
        rule: 'pdb/blocks-drain', object: 'PodDisruptionBudget ml-db/postgres', path: 'spec.maxUnavailable',
        message: 'maxUnavailable: 0 forbids every voluntary eviction, so node drains hang; use maxUnavailable: 1',
      }]);
      const unmatched = mutated('PodDisruptionBudget', (p) => { p.spec.maxUnavailable = '0%'; p.spec.selector = { matchLabels: { nothing: 'here' } }; });
      expect(gate(unmatched).map((f) => f.rule)).toEqual(['pdb/blocks-drain', 'pdb/missing']);
    });

    test('a percentage maxUnavailable rounds up, like the disruption controller', () => {
      expect(gate(mutated('PodDisruptionBudget', (p) => { p.spec.maxUnavailable = '10%'; }))).toEqual([]); // ceil(0.3) = 1
    });

    test('minAvailable equal to replicas blocks drains; below is fine', () => {
      expect(gate(mutated('PodDisruptionBudget', (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = 3; }))).toEqual([{
        rule: 'pdb/blocks-drain', object: 'PodDisruptionBudget ml-db/postgres', path: 'spec.minAvailable',
        message: 'minAvailable: 3 requires all 3 pods of StatefulSet postgres (3 replicas) to stay up, so node drains hang; use maxUnavailable: 1 or minAvailable: 2',
      }]);
      expect(gate(mutated('PodDisruptionBudget', (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = '100%'; })).map((f) => f.rule)).toEqual(['pdb/blocks-drain']);
      // minAvailable percentages round up too: 67% of 3 is 2.01 -> 3 (blocks), 66% is 1.98 -> 2 (fine).
      expect(gate(mutated('PodDisruptionBudget', (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = '67%'; })).map((f) => f.rule)).toEqual(['pdb/blocks-drain']);
      expect(gate(mutated('PodDisruptionBudget', (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = '66%'; }))).toEqual([]);
    });
  });

  describe('container resources', () => {
    test('missing CPU and memory requests and memory limit, on init containers too', () => {
      const render = mutated('StatefulSet', (s) => { s.spec.template.spec.initContainers[0].resources = {}; });
      const I = 'spec.template.spec.initContainers[0].resources';
      expect(gate(render)).toEqual([
        { rule: 'container-resources/cpu-request', object: STS, path: `${I}.requests.cpu`, message: 'container "init-perms" has no CPU request; set resources.requests.cpu so the scheduler reserves CPU for it' },
        { rule: 'container-resources/memory-request', object: STS, path: `${I}.requests.memory`, message: 'container "init-perms" has no memory request; set resources.requests.memory so the scheduler reserves memory for it' },
        { rule: 'container-resources/memory-limit', object: STS, path: `${I}.limits.memory`, message: 'container "init-perms" has no memory limit; set resources.limits.memory so a leak is OOM-killed in its own container, not the node' },
      ]);
    });

    test('`storage` as a container resource (a seed-doc mistake)', () => {
      const render = mutated('StatefulSet', (s) => { s.spec.template.spec.containers[0].resources.limits.storage = '10Gi'; });
      expect(gate(render)).toEqual([{
        rule: 'container-resources/unknown-resource', object: STS, path: `${C0}.resources.limits.storage`,
        message: 'container "postgres" limits unknown resource "storage"; containers may use cpu, memory, ephemeral-storage, hugepages-<size> ' +
          'or a domain-qualified extended resource (e.g. nvidia.com/gpu); persistent disk belongs in a PersistentVolumeClaim (volumeClaimTemplates), ' +
          'scratch space in ephemeral-storage',
      }]);
    });

    test('resource names the API server accepts', () => {
      for (const ok of ['cpu', 'memory', 'ephemeral-storage', 'hugepages-2Mi', 'hugepages-1Gi', 'nvidia.com/gpu', 'amd.com/gpu', 'example.com/foo_bar']) {
        expect(isValidContainerResourceName(ok)).toBe(true);
      }
      for (const bad of ['storage', 'gpu', 'pods', 'kubernetes.io/foo', 'requests.cpu', 'nvidia/gpu']) {
        expect(isValidContainerResourceName(bad)).toBe(false);
      }
    });
  });

  test('probes/readiness on serving containers of StatefulSets and Deployments', () => {
    const render = mutated('StatefulSet', (s) => { delete s.spec.template.spec.containers[0].readinessProbe; });
    expect(gate(render)).toEqual([{
      rule: 'probes/readiness', object: STS, path: `${C0}.readinessProbe`,
      message: 'container "postgres" serves ports 5432 but has no readinessProbe; add one so Services only route to ready pods',
    }]);
    // A CronJob container with ports is not a serving workload.
    const job = mutated('CronJob', (c) => { c.spec.jobTemplate.spec.template.spec.containers[0].readinessProbe = undefined; });
    expect(gate(job)).toEqual([]);
  });

  describe('image/tag', () => {
    test.each([
      ['postgres', 'container "postgres" image "postgres" has no tag, so it pulls :latest; pin a version tag or a digest (e.g. postgres:1.2.3)'],
      ['registry.local:5000/pg', 'container "postgres" image "registry.local:5000/pg" has no tag, so it pulls :latest; pin a version tag or a digest (e.g. registry.local:5000/pg:1.2.3)'],
      ['postgres:latest', 'container "postgres" image "postgres:latest" uses the mutable tag latest; pin a version tag or a digest'],
    ])('%s', (image, message) => {
      expect(gate(mutated('StatefulSet', (s) => { s.spec.template.spec.containers[0].image = image; }))).toEqual([
        { rule: 'image/tag', object: STS, path: `${C0}.image`, message },
      ]);
    });

    test('tags and digests are pinned', () => {
      expect(parseImage('registry.local:5000/pg:16.4')).toEqual({ tag: '16.4', digest: undefined });
      expect(parseImage('pg@sha256:abc')).toEqual({ tag: undefined, digest: 'sha256:abc' });
      expect(gate(mutated('StatefulSet', (s) => { s.spec.template.spec.containers[0].image = 'postgres:latest@sha256:0123'; }))).toEqual([]);
    });
  });

  test('statefulset/volume-claim-template-type-meta', () => {
    const render = mutated('StatefulSet', (s) => { delete s.spec.volumeClaimTemplates[0].apiVersion; delete s.spec.volumeClaimTemplates[0].kind; });
    expect(gate(render)).toEqual([{
      rule: 'statefulset/volume-claim-template-type-meta', object: STS, path: 'spec.volumeClaimTemplates[0]',
      message: 'volumeClaimTemplates[0] ("data") lacks apiVersion: v1 and kind: PersistentVolumeClaim; the API server adds them, so Argo CD shows the StatefulSet OutOfSync forever: set both',
    }]);
  });

  describe('storage/storage-class-exists', () => {
    test('volumeClaimTemplates and PVCs', () => {
      const render = mutated('StatefulSet', (s) => { s.spec.volumeClaimTemplates[0].spec.storageClassName = 'fast'; });
      render.push({
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shared', namespace: NS },
        spec: { accessModes: ['ReadWriteMany'], storageClassName: 'shared-v1', resources: { requests: { storage: '1Ti' } } },
      });
      expect(gate(render)).toEqual([
        {
          rule: 'storage/storage-class-exists', object: STS, path: 'spec.volumeClaimTemplates[0].spec.storageClassName',
          message: 'storageClassName "fast" names no StorageClass in this render; the claim would stay Pending: add the StorageClass or fix the name',
        },
        {
          rule: 'storage/storage-class-exists', object: 'PersistentVolumeClaim ml-db/shared', path: 'spec.storageClassName',
          message: 'storageClassName "shared-v1" names no StorageClass in this render; the claim would stay Pending: add the StorageClass or fix the name',
        },
      ]);
    });

    test('unset (cluster default) and "" (no class) are deliberate', () => {
      const render = mutated('StatefulSet', (s) => { delete s.spec.volumeClaimTemplates[0].spec.storageClassName; });
      render.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'static', namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } });
      expect(gate(render)).toEqual([]);
    });
  });

  describe('names', () => {
    test('StatefulSet names over 52 characters', () => {
      const name = 'feature-store-online-redis-cluster-shard-primary-east';
      expect(name.length).toBe(53);
      const render = mutated('StatefulSet', (s) => { s.metadata.name = name; });
      expect(gate(render)).toEqual([{
        rule: 'names/statefulset-length', object: `StatefulSet ml-db/${name}`, path: 'metadata.name',
        message: `name "${name}" is 53 characters; the controller labels every pod controller-revision-hash=<name>-<10-character hash>, ` +
          'which must fit in a 63-character label value, so pods are never created; shorten it to at most 52 characters',
      }]);
      expect(gate(mutated('StatefulSet', (s) => { s.metadata.name = name.slice(0, 52); }))).toEqual([]);
    });

    test('DNS-1123 subdomain for most kinds, labels for Namespaces and Services, namespaces too', () => {
      const render = goodRender();
      pick(render, 'ConfigMap').metadata.name = 'Postgres_Config';
      pick(render, 'Service', 'postgres').metadata.name = '1postgres';
      pick(render, 'PodDisruptionBudget').metadata.namespace = 'ML.DB';
      expect(gate(render).filter((f) => f.rule === 'names/dns-1123')).toEqual([
        {
          rule: 'names/dns-1123', object: 'Service ml-db/1postgres', path: 'metadata.name',
          message: 'name "1postgres" must be a DNS-1035 label (lowercase alphanumerics and "-", starting with a letter, at most 63 characters)',
        },
        {
          rule: 'names/dns-1123', object: 'PodDisruptionBudget ML.DB/postgres', path: 'metadata.namespace',
          message: 'namespace "ML.DB" must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)',
        },
        {
          rule: 'names/dns-1123', object: 'ConfigMap ml-db/Postgres_Config', path: 'metadata.name',
          message: 'name "Postgres_Config" must be a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", at most 253 characters)',
        },
      ]);
    });

    test('Namespace names are labels (no dots); RBAC names are path segments', () => {
      const render: Obj[] = [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml.db' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:ml:reader' }, rules: [] },
      ];
      expect(summary(checkStatefulSetHygiene(render))).toEqual([{
        rule: 'names/dns-1123', object: 'Namespace ml.db', path: 'metadata.name',
        message: 'name "ml.db" must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)',
      }]);
    });
  });

  test('secret/literal-data', () => {
    const render = mutated('Secret', (s) => { s.data = { password: 'aHVudGVyMg==' }; s.stringData = { user: 'postgres' }; });
    expect(gate(render)).toEqual([
      {
        rule: 'secret/literal-data', object: 'Secret ml-db/empty-holder', path: 'data',
        message: 'data carries literal values for password; never commit secrets to git: reference an existing Secret or render an ExternalSecret',
      },
      {
        rule: 'secret/literal-data', object: 'Secret ml-db/empty-holder', path: 'stringData',
        message: 'stringData carries literal values for user; never commit secrets to git: reference an existing Secret or render an ExternalSecret',
      },
    ]);
  });

  describe('service/dangling', () => {
    test('a Service selecting no pod template in its namespace', () => {
      const render = mutated('Service', (s) => { s.spec.selector = { 'app.kubernetes.io/name': 'pgbouncer' }; }, 'postgres');
      expect(gate(render)).toEqual([{
        rule: 'service/dangling', object: 'Service ml-db/postgres', path: 'spec.selector',
        message: "selector {app.kubernetes.io/name=pgbouncer} selects no pod template in namespace ml-db; fix the selector or the workload's template labels",
      }]);
    });

    test('a Service selecting one StatefulSet pod by the controller-set pod-name / pod-index label', () => {
      const sts = pick(goodRender(), 'StatefulSet');
      const replicas: number = sts.spec.replicas;
      const service = (name: string, extra: Record<string, string>) => ({
        apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS },
        spec: { selector: { ...LABELS, ...extra }, ports: [{ port: 5432 }] },
      });
      const ok = goodRender();
      ok.push(service('primary', { 'statefulset.kubernetes.io/pod-name': `${sts.metadata.name}-0` }),
        service('last', { 'apps.kubernetes.io/pod-index': String(replicas - 1) }));
      expect(gate(ok)).toEqual([]);
      const beyond = goodRender();
      beyond.push(service('ghost', { 'statefulset.kubernetes.io/pod-name': `${sts.metadata.name}-${replicas}` }));
      expect(gate(beyond).map((f) => `${f.rule} ${f.object}`)).toEqual(['service/dangling Service ml-db/ghost']);
    });

    test('Services without a selector and ExternalName Services are not dangling', () => {
      const render = goodRender();
      render.push(
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external-db', namespace: NS }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: NS }, spec: { ports: [{ port: 80 }] } },
      );
      expect(gate(render)).toEqual([]);
    });

    test('Deployments count as targets too', () => {
      const render = goodRender();
      const labels = { app: 'mlflow' };
      render.push(
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'mlflow', namespace: NS }, spec: { selector: labels, ports: [{ port: 5000 }] } },
        {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mlflow', namespace: NS },
          spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec() } },
        },
      );
      expect(gate(render)).toEqual([]);
    });
  });

  // How long this takes is measured by `npm run bench` (bench/RESULTS.md), never asserted in a unit test.
  test('5000 StatefulSets with Services and PDBs in one namespace: no finding', () => {
    const render: Obj[] = [goodRender()[1]];
    for (let i = 0; i < 5000; i++) {
      const sts = statefulSet();
      const labels = { 'app.kubernetes.io/name': `db-${i}`, 'app.kubernetes.io/instance': 'db' };
      sts.metadata.name = `db-${i}`;
      sts.spec.serviceName = `db-${i}-headless`;
      sts.spec.selector.matchLabels = labels;
      sts.spec.template.metadata.labels = labels;
      render.push(
        sts,
        { apiVersion: 'v1', kind: 'Service', metadata: { name: `db-${i}-headless`, namespace: NS }, spec: { clusterIP: 'None', selector: labels, ports: [{ port: 5432 }] } },
        { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `db-${i}`, namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      );
    }
    expect(checkStatefulSetHygiene(render)).toEqual([]);
  });
});
