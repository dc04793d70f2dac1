import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ManifestObject, Profile, StorageClassPack, SyncHints, SyncPhase, WorkloadNamespace, renderProfile } from '../../lib';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, withDataProtection } from '../../lib/sync-phase';
import { applySyncPolicy } from '../../lib/gitops';
import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';

type M = ManifestObject & { metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: any };

const wave = (o: M) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
const options = (o: M) => o.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION];
const get = (objects: M[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

const labels = { 'app.kubernetes.io/name': 'db' };
const podSpec = (extra: object = {}) => ({ containers: [{ name: 'c', image: 'busybox:1.36' }], ...extra });

function objects(): M[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-db' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-web' } },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x' },
    { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'snap' }, driver: 'x', deletionPolicy: 'Retain' },
    { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'pw', namespace: 'ml-db' } },
    {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ml-db' },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec({ volumes: [{ name: 'cfg', configMap: { name: 'db-config' } }] }) },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-headless', namespace: 'ml-db' }, spec: { clusterIP: 'None', selector: labels } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-primary', namespace: 'ml-db' }, spec: { selector: { ...labels, 'statefulset.kubernetes.io/pod-name': 'db-0' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-lb', namespace: 'ml-db' }, spec: { type: 'LoadBalancer', selector: labels } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'ml-db' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'ml-db' }, spec: { podSelector: { matchLabels: labels } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-config', namespace: 'ml-db' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unused', namespace: 'ml-db' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'ml-web' }, spec: { template: { spec: podSpec() } } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ml-web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec({ volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'uploads' } }] }) } },
    },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'uploads', namespace: 'ml-web' }, spec: {} },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'orphan', namespace: 'ml-web' }, spec: {} },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'ml-web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } },
  ];
}

describe('applySyncPolicy: waves', () => {
  const objs = objects();
  applySyncPolicy(objs);

  test('kinds follow the issue order: foundation < credentials < data < migrations < workloads', () => {
    expect(wave(get(objs, 'Namespace', 'ml-db'))).toBe(0);
    expect(wave(get(objs, 'StorageClass', 'fast'))).toBe(0);
    expect(wave(get(objs, 'VolumeSnapshotClass', 'snap'))).toBe(0);
    expect(wave(get(objs, 'ExternalSecret', 'pw'))).toBe(10);
    expect(wave(get(objs, 'StatefulSet', 'db'))).toBe(20);
    expect(wave(get(objs, 'Job', 'migrate'))).toBe(30);
    expect(wave(get(objs, 'Deployment', 'web'))).toBe(40);
  });

  test('objects serving a workload sync with it (Services, PDB, NetworkPolicy, ConfigMap, claim, HPA)', () => {
    for (const [kind, name] of [['Service', 'db-headless'], ['Service', 'db-primary'], ['PodDisruptionBudget', 'db'], ['NetworkPolicy', 'db'], ['ConfigMap', 'db-config']]) {
      expect([kind, name, wave(get(objs, kind, name))]).toEqual([kind, name, 20]);
    }
    expect(wave(get(objs, 'PersistentVolumeClaim', 'uploads'))).toBe(40);
    expect(wave(get(objs, 'HorizontalPodAutoscaler', 'web'))).toBe(40);
  });

  test('a claim pre-created under a StatefulSet claim name follows that StatefulSet', () => {
    const more = objects();
    get(more, 'StatefulSet', 'db').metadata.annotations = { [SYNC_WAVE_ANNOTATION]: '40' };
    more.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-db-1', namespace: 'ml-db' }, spec: {} });
    applySyncPolicy(more);
    expect(wave(get(more, 'PersistentVolumeClaim', 'data-db-1'))).toBe(40);
  });

  test('a LoadBalancer Service syncs last; unreferenced ConfigMaps and claims get their kind phase', () => {
    expect(wave(get(objs, 'Service', 'db-lb'))).toBe(40);
    expect(wave(get(objs, 'ConfigMap', 'unused'))).toBe(10);
    expect(wave(get(objs, 'PersistentVolumeClaim', 'orphan'))).toBe(20);
  });

  test('every object gets a wave', () => {
    expect(objs.filter((o) => Number.isNaN(wave(o))).map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
  });
});

describe('applySyncPolicy: data protection', () => {
  const objs = objects();
  applySyncPolicy(objs);

  test('claims and StatefulSets with claim templates are never pruned or deleted', () => {
    expect(options(get(objs, 'PersistentVolumeClaim', 'uploads'))).toBe('Prune=false,Delete=false');
    expect(options(get(objs, 'StatefulSet', 'db'))).toBe('Prune=false,Delete=false');
  });

  test('namespaces holding claims are protected (deleting a namespace deletes its claims); others are not', () => {
    expect(options(get(objs, 'Namespace', 'ml-db'))).toBe('Prune=false,Delete=false');
    expect(options(get(objs, 'Namespace', 'ml-web'))).toBe('Prune=false,Delete=false');
    const only = objects().filter((o) => o.kind === 'Namespace' || o.kind === 'Deployment');
    applySyncPolicy(only);
    expect(options(get(only, 'Namespace', 'ml-web'))).toBeUndefined();
  });

  test('Deployments, Services and Jobs are not protected', () => {
    for (const [kind, name] of [['Deployment', 'web'], ['Service', 'db-headless'], ['Job', 'migrate'], ['ExternalSecret', 'pw']]) {
      expect(options(get(objs, kind, name))).toBeUndefined();
    }
  });

  test('withDataProtection keeps other options and an explicit Prune/Delete choice', () => {
    expect(withDataProtection(undefined)).toBe('Prune=false,Delete=false');
    expect(withDataProtection('ServerSideApply=true')).toBe('ServerSideApply=true,Prune=false,Delete=false');
    expect(withDataProtection('Prune=confirm, Delete=confirm')).toBe('Prune=confirm,Delete=confirm');
  });
});

describe('overrides', () => {
  test('an explicit sync-wave annotation wins, and serving objects follow it', () => {
    const objs = objects();
    get(objs, 'StatefulSet', 'db').metadata.annotations = { [SYNC_WAVE_ANNOTATION]: '40' };
    applySyncPolicy(objs);
    expect(wave(get(objs, 'StatefulSet', 'db'))).toBe(40);
    expect(wave(get(objs, 'Service', 'db-headless'))).toBe(40);
  });

  test('a non-integer wave annotation fails with the object and the fix', () => {
    const objs = objects();
    get(objs, 'Job', 'migrate').metadata.annotations = { [SYNC_WAVE_ANNOTATION]: 'late' };
    expect(() => applySyncPolicy(objs)).toThrow('Job migrate: annotation argocd.argoproj.io/sync-wave="late" is not an integer; use e.g. "20".');
  });

  test('SyncHints: the nearest assigned scope wins; protectData marks every object under the scope', () => {
    const app = new App();
    Profile.kind().attachTo(app);
    const chart = new Chart(app, 'c');
    const trainer = new Construct(chart, 'trainer');
    const inner = new Construct(trainer, 'inner');
    SyncHints.assignPhase(trainer, SyncPhase.WORKLOADS);
    SyncHints.assignPhase(inner, SyncPhase.custom('warm-up', 25));
    SyncHints.protectData(trainer);
    new ApiObject(trainer, 'sts', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'trainer' } });
    new ApiObject(inner, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', annotations: { [SYNC_OPTIONS_ANNOTATION]: 'ServerSideApply=true' } } });
    new ApiObject(chart, 'other', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'other', annotations: { [SYNC_WAVE_ANNOTATION]: '5' } } });
    SyncHints.applyTo(app);
    const out = chart.toJson() as M[];
    expect(Object.fromEntries(out.map((o) => [o.metadata.name, o.metadata.annotations]))).toEqual({
      trainer: { [SYNC_WAVE_ANNOTATION]: '40', [SYNC_OPTIONS_ANNOTATION]: 'Prune=false,Delete=false' },
      cm: { [SYNC_WAVE_ANNOTATION]: '25', [SYNC_OPTIONS_ANNOTATION]: 'ServerSideApply=true,Prune=false,Delete=false' },
      other: { [SYNC_WAVE_ANNOTATION]: '5' },
    });
  });

  test('SyncPhase.custom rejects a non-integer wave', () => {
    expect(() => SyncPhase.custom('x', 2.5)).toThrow("SyncPhase 'x': wave 2.5 is not an integer; Argo CD sync waves are integers (e.g. 25).");
    expect(SyncPhase.ALL.map((p) => p.wave)).toEqual([0, 10, 20, 30, 40]);
  });
});

describe('renderProfile', () => {
  test('annotates across charts and writes the annotations into the files', () => {
    const app = new App();
    const profile = Profile.kind();
    profile.attachTo(app);
    const base = new Chart(app, 'platform');
    new WorkloadNamespace(base, 'ns', { name: 'ml-db' });
    new StorageClassPack(base, 'storage', { profile });
    const rendered = renderProfile(app, profile);
    for (const o of rendered.objects as M[]) expect([o.kind, o.metadata.name, wave(o)]).toEqual([o.kind, o.metadata.name, 0]);
    expect(rendered.files[0].content).toContain("argocd.argoproj.io/sync-wave: \"0\"");
  });
});

describe('reference platform', () => {
  let rendered: ReturnType<typeof renderWith>[];
  beforeAll(() => { rendered = referenceProfiles().map((p) => renderWith(p, buildPlatform)); });

  test('every object of every profile has a wave, in the issue order by kind', () => {
    for (const r of rendered) {
      const objs = r.objects as M[];
      expect(objs.filter((o) => Number.isNaN(wave(o))).map((o) => `${r.profile.name}: ${o.kind} ${o.metadata.name}`)).toEqual([]);
      const waves = (kind: string) => objs.filter((o) => o.kind === kind).map(wave);
      const max = (kind: string) => Math.max(-Infinity, ...waves(kind));
      const min = (kind: string) => Math.min(Infinity, ...waves(kind));
      expect(max('Namespace')).toBeLessThan(min('ExternalSecret'));
      expect(max('StorageClass')).toBeLessThan(min('StatefulSet'));
      expect(max('VolumeSnapshotClass')).toBeLessThan(min('StatefulSet'));
      expect(max('ExternalSecret')).toBeLessThan(min('StatefulSet'));
      // Migration Jobs gate the servers; the training run is a Job too, but a consumer: it syncs with the workloads.
      const training = (o: M) => o.metadata.labels?.['app.kubernetes.io/component'] === 'training';
      expect(Math.max(...objs.filter((o) => o.kind === 'Job' && !training(o)).map(wave))).toBeLessThan(min('Deployment'));
      for (const job of objs.filter((o) => o.kind === 'Job' && training(o))) expect(wave(job)).toBe(min('Deployment'));
      for (const claim of objs.filter((o) => o.kind === 'PersistentVolumeClaim')) expect(options(claim)).toBe('Prune=false,Delete=false');
      for (const sts of objs.filter((o) => o.kind === 'StatefulSet' && o.spec.volumeClaimTemplates?.length)) expect(options(sts)).toBe('Prune=false,Delete=false');
    }
  });
});
