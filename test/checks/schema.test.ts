import * as fs from 'fs';
import * as path from 'path';
import {
  customResourceSchemasFromCrd, resolveKubeVersion, runGates, SchemaValidator, VENDORED_KUBE_VERSIONS,
} from '../../lib/checks';
import { gate, goodRender, type Obj, pick, summary } from './fixtures';

const STS = 'StatefulSet ml-db/postgres';

describe('strict schema validation', () => {
  test('the good render is valid on every vendored version', () => {
    for (const v of VENDORED_KUBE_VERSIONS) {
      const validator = SchemaValidator.forVersion(v);
      expect(goodRender().flatMap((o) => validator.validate(o))).toEqual([]);
    }
  });

  test('updateStrategy inside the pod spec (the seed docs mistake) is an unknown field', () => {
    const render = goodRender();
    pick(render, 'StatefulSet').spec.template.spec.updateStrategy = { type: 'RollingUpdate' };
    expect(gate(render)).toEqual([{
      rule: 'schema/unknown-field', object: STS, path: 'spec.template.spec.updateStrategy',
      message: 'unknown field spec.template.spec.updateStrategy',
    }]);
  });

  test('wrong types name the path, the expected type and the value', () => {
    const render = goodRender();
    pick(render, 'StatefulSet').spec.replicas = '3';
    expect(gate(render)).toEqual([{
      rule: 'schema/invalid-value', object: STS, path: 'spec.replicas', message: 'spec.replicas: must be integer (got string "3")',
    }]);
  });

  test('missing required fields', () => {
    const render = goodRender();
    delete pick(render, 'StatefulSet').spec.selector;
    delete pick(render, 'StatefulSet').spec.template.spec.containers[0].name;
    expect(gate(render).filter((f) => f.rule.startsWith('schema/'))).toEqual([
      { rule: 'schema/missing-field', object: STS, path: 'spec.selector', message: 'missing required field spec.selector' },
      { rule: 'schema/missing-field', object: STS, path: 'spec.template.spec.containers[0].name', message: 'missing required field spec.template.spec.containers[0].name' },
    ]);
  });

  test('enum values', () => {
    const render = goodRender();
    pick(render, 'VolumeSnapshotClass').deletionPolicy = 'Keep';
    expect(gate(render)).toEqual([{
      rule: 'schema/invalid-value', object: 'VolumeSnapshotClass csi-snapshots', path: 'deletionPolicy',
      message: 'deletionPolicy: must be one of "Delete", "Retain" (got "Keep")',
    }]);
  });

  test('int-or-string and Quantity accept both forms', () => {
    const render = goodRender();
    pick(render, 'PodDisruptionBudget').spec.maxUnavailable = '34%';
    pick(render, 'StatefulSet').spec.template.spec.containers[0].resources.requests.cpu = 0.5;
    expect(gate(render)).toEqual([]);
    pick(render, 'PodDisruptionBudget').spec.maxUnavailable = true;
    expect(gate(render)).toEqual([{
      rule: 'schema/invalid-value', object: 'PodDisruptionBudget ml-db/postgres', path: 'spec.maxUnavailable',
      message: 'spec.maxUnavailable: must be string or integer (got boolean true)',
    }]);
  });

  test('`storage` as a container resource is valid schema-wise (resources is a map) and caught by hygiene instead', () => {
    const render = goodRender();
    pick(render, 'StatefulSet').spec.template.spec.containers[0].resources.requests.storage = '10Gi';
    const validator = SchemaValidator.forVersion('1.31');
    expect(validator.validate(pick(render, 'StatefulSet'))).toEqual([]);
    expect(gate(render).map((f) => f.rule)).toEqual(['container-resources/unknown-resource']);
  });

  test('a kind with no schema is an error naming the fix', () => {
    const render: Obj[] = [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'ml', namespace: 'argocd' }, spec: {} }];
    expect(gate(render)).toEqual([{
      rule: 'schema/unknown-kind', object: 'AppProject argocd/ml',
      message: 'no schema for argoproj.io/v1alpha1 AppProject in Kubernetes 1.31; pass customResourceSchemas',
    }]);
  });

  test('objects without apiVersion or kind', () => {
    const validator = SchemaValidator.forVersion('1.31');
    expect(summary(validator.validate({ kind: 'ConfigMap', metadata: { name: 'x' } } as unknown as Obj))).toEqual([
      { rule: 'schema/missing-field', object: 'ConfigMap default/x', path: 'apiVersion', message: 'missing required field apiVersion' },
    ]);
  });

  describe('version awareness', () => {
    test('every minor 1.27..1.36 has its own schema; a newer one uses the nearest lower', () => {
      for (let minor = 27; minor <= 36; minor++) {
        expect(resolveKubeVersion(`1.${minor}`)).toBe(`1.${minor}`);
        expect(SchemaValidator.forVersion(`v1.${minor}.3`).schemaVersion).toBe(`1.${minor}`);
      }
      expect(resolveKubeVersion('v1.33.2')).toBe('1.33');
      expect(resolveKubeVersion('1.37')).toBe('1.36');
      expect(() => resolveKubeVersion('1.26')).toThrow('older than the oldest vendored schema (1.27)');
      expect(() => resolveKubeVersion('latest')).toThrow('is not a Kubernetes version');
      expect(SchemaValidator.forVersion('1.37')).toBe(SchemaValidator.forVersion('1.36'));
      expect(SchemaValidator.forVersion('1.29')).not.toBe(SchemaValidator.forVersion('1.28'));
    });

    test('securityContext.appArmorProfile (1.30+) is unknown to 1.27 and 1.28, valid from 1.30', () => {
      const render = goodRender();
      pick(render, 'StatefulSet').spec.template.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
      const unknown = [{
        rule: 'schema/unknown-field', object: STS, path: 'spec.template.spec.securityContext.appArmorProfile',
        message: 'unknown field spec.template.spec.securityContext.appArmorProfile',
      }];
      expect(gate(render, '1.27')).toEqual(unknown);
      expect(gate(render, '1.29')).toEqual(unknown);
      expect(gate(render, '1.30')).toEqual([]);
      expect(gate(render, '1.34')).toEqual([]);
    });

    test('sidecar containers (init container restartPolicy, 1.28+) are unknown to 1.27', () => {
      const render = goodRender();
      pick(render, 'StatefulSet').spec.template.spec.initContainers[0].restartPolicy = 'Always';
      expect(gate(render, '1.27')).toEqual([{
        rule: 'schema/unknown-field', object: STS, path: 'spec.template.spec.initContainers[0].restartPolicy',
        message: 'unknown field spec.template.spec.initContainers[0].restartPolicy',
      }]);
      expect(gate(render, '1.28')).toEqual([]);
    });

    test('pod-level resources (1.32+) are unknown to 1.31', () => {
      const render = goodRender();
      pick(render, 'StatefulSet').spec.template.spec.resources = { limits: { memory: '2Gi' } };
      expect(gate(render, '1.31').map((f) => f.message)).toEqual(['unknown field spec.template.spec.resources']);
      expect(gate(render, '1.32')).toEqual([]);
    });

    test('a kind that only exists in newer versions has no schema in older ones', () => {
      const vac: Obj = { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass', metadata: { name: 'gold' }, driverName: 'pd.csi.storage.gke.io' };
      expect(gate([vac], '1.32')).toEqual([{
        rule: 'schema/unknown-kind', object: 'VolumeAttributesClass gold',
        message: 'no schema for storage.k8s.io/v1 VolumeAttributesClass in Kubernetes 1.32; pass customResourceSchemas',
      }]);
      expect(gate([vac], '1.34')).toEqual([]);
    });
  });

  describe('built-in CRD schemas are strict', () => {
    const cases: Array<[string, string, (o: Obj) => void, string, string]> = [
      ['VolumeSnapshot', 'VolumeSnapshot ml-db/data-postgres-0-nightly', (o) => { o.spec.source.pvcName = 'x'; }, 'spec.source.pvcName', 'unknown field spec.source.pvcName'],
      ['VolumeSnapshotClass', 'VolumeSnapshotClass csi-snapshots', (o) => { delete o.driver; }, 'driver', 'missing required field driver'],
      ['ExternalSecret', 'ExternalSecret ml-db/postgres-credentials', (o) => { o.spec.data[0].remoteRef.name = 'x'; }, 'spec.data[0].remoteRef.name', 'unknown field spec.data[0].remoteRef.name'],
      ['Application', 'Application argocd/ml-platform', (o) => { o.spec.syncPolicy.automated.selfheal = true; }, 'spec.syncPolicy.automated.selfheal', 'unknown field spec.syncPolicy.automated.selfheal'],
      ['ApplicationSet', 'ApplicationSet argocd/ml-platform-profiles', (o) => { o.spec.template.spec.destination.cluster = 'in-cluster'; }, 'spec.template.spec.destination.cluster', 'unknown field spec.template.spec.destination.cluster'],
      ['ConfigManagementPlugin', 'ConfigManagementPlugin cdk8s', (o) => { o.spec.generate.cmd = ['sh']; }, 'spec.generate.cmd', 'unknown field spec.generate.cmd'],
    ];
    test.each(cases)('%s', (kind, object, mutate, p, message) => {
      const render = goodRender();
      mutate(pick(render, kind));
      expect(gate(render)).toEqual([{ rule: p.startsWith('driver') ? 'schema/missing-field' : 'schema/unknown-field', object, path: p, message }]);
    });

    test('ObjectMeta inside a CRD is strict too', () => {
      const render = goodRender();
      pick(render, 'Application').metadata.label = { a: 'b' };
      expect(gate(render)).toEqual([{ rule: 'schema/unknown-field', object: 'Application argocd/ml-platform', path: 'metadata.label', message: 'unknown field metadata.label' }]);
    });

    test('VolumeSnapshot source needs exactly one of its two fields', () => {
      const render = goodRender();
      pick(render, 'VolumeSnapshot').spec.source = {};
      expect(gate(render)).toEqual([{
        rule: 'schema/invalid-value', object: 'VolumeSnapshot ml-db/data-postgres-0-nightly', path: 'spec.source',
        message: 'spec.source: must set exactly one of persistentVolumeClaimName, volumeSnapshotContentName',
      }]);
    });

    test('ExternalSecret external-secrets.io/v1 is built in as well', () => {
      const render = goodRender();
      pick(render, 'ExternalSecret').apiVersion = 'external-secrets.io/v1';
      expect(gate(render)).toEqual([]);
    });

    test('every vendored CRD schema notes its source', () => {
      const dir = path.join(__dirname, '../../lib/checks/schemas/crds');
      for (const f of fs.readdirSync(dir)) {
        const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        expect(doc.source).toMatch(/\S{10,}/);
        expect(`${doc.apiVersion.replace('/', '_')}_${doc.kind}.json`).toBe(f);
      }
    });
  });

  describe('customResourceSchemas', () => {
    const crd: Obj = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'appprojects.argoproj.io' },
      spec: {
        group: 'argoproj.io', names: { kind: 'AppProject', plural: 'appprojects' }, scope: 'Namespaced',
        versions: [{
          name: 'v1alpha1', served: true, storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  properties: {
                    description: { type: 'string', description: 'free text' },
                    sourceRepos: { type: 'array', items: { type: 'string' } },
                    port: { 'x-kubernetes-int-or-string': true },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
                  },
                },
              },
              required: ['spec'],
            },
          },
        }],
      },
    };
    const project = (spec: Record<string, unknown>): Obj => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'ml', namespace: 'argocd' }, spec });
    const opts = { kubeVersion: '1.31', customResourceSchemas: customResourceSchemasFromCrd(crd) };

    test('a registered CRD schema validates strictly, honouring int-or-string and preserve-unknown-fields', () => {
      expect(runGates([project({ sourceRepos: ['*'], port: 'http', extra: { anything: 1 } })], opts).findings).toEqual([]);
      expect(runGates([project({ port: 80 })], opts).findings).toEqual([]);
      expect(summary(runGates([project({ sourceRepo: ['*'] })], opts).findings)).toEqual([
        { rule: 'schema/unknown-field', object: 'AppProject argocd/ml', path: 'spec.sourceRepo', message: 'unknown field spec.sourceRepo' },
      ]);
      expect(summary(runGates([{ ...project({}), metadata: { name: 'ml', namespace: 'argocd', labelz: {} } }], opts).findings)).toEqual([
        { rule: 'schema/unknown-field', object: 'AppProject argocd/ml', path: 'metadata.labelz', message: 'unknown field metadata.labelz' },
      ]);
      expect(summary(runGates([{ ...project({}), status: {} }], opts).findings)).toEqual([
        { rule: 'schema/unknown-field', object: 'AppProject argocd/ml', path: 'status', message: 'unknown field status' },
      ]);
    });

    test('customResourceSchemasFromCrd rejects non-CRDs', () => {
      expect(() => customResourceSchemasFromCrd(pick(goodRender(), 'ConfigMap'))).toThrow('not a CustomResourceDefinition');
    });
  });
});
