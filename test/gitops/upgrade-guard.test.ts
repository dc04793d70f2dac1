import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, JsonPatch } from 'cdk8s';
import { ManifestObject, Profile, StorageClassPack, WorkloadNamespace, checkUpgrade, guardUpgrade, parseManifests } from '../../lib';
import { renderWith, synthesize } from '../../apps/main';
import { describeWith } from '../support/tools';

type M = ManifestObject & { metadata: { name: string; [k: string]: any }; [k: string]: any };
const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));

const statefulSet: M = {
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'ml-db' },
  spec: {
    replicas: 3, serviceName: 'postgres-headless', podManagementPolicy: 'OrderedReady',
    selector: { matchLabels: { app: 'postgres' } },
    template: { metadata: { labels: { app: 'postgres' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16.4' }] } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1', resources: { requests: { storage: '10Gi' } } } }],
  },
};
const storageClass: M = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ml-fast-v1' }, provisioner: 'pd.csi.storage.gke.io', parameters: { type: 'pd-ssd' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true };
const snapshotClass: M = { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'ml-snapshots' }, driver: 'pd.csi.storage.gke.io', deletionPolicy: 'Retain', parameters: { 'storage-locations': 'eu' } };
const claim: M = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'datasets', namespace: 'ml-training' }, spec: { accessModes: ['ReadWriteMany'], storageClassName: 'ml-shared-v1', resources: { requests: { storage: '100Gi' } } } };
const service: M = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'postgres', namespace: 'ml-db' }, spec: { clusterIP: 'None', selector: { app: 'postgres' }, ports: [{ port: 5432 }] } };
const job: M = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'mlflow-migrate', namespace: 'ml-tracking' }, spec: { backoffLimit: 3, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'mlflow:2.16.2', args: ['db', 'upgrade'] }] } } } };
const deployment: M = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mlflow', namespace: 'ml-tracking' }, spec: { replicas: 2, selector: { matchLabels: { app: 'mlflow' } }, template: { metadata: { labels: { app: 'mlflow' } }, spec: { containers: [{ name: 'mlflow', image: 'mlflow:2.16.2' }] } } } };
const everything = [statefulSet, storageClass, snapshotClass, claim, service, job, deployment];

/** Applies `edit` to a copy of `obj` and returns the guard's findings for that one change. */
function change(obj: M, edit: (o: M) => void) {
  const after = clone(obj);
  edit(after);
  return checkUpgrade([obj], [after]);
}

describe('refused updates: one before/after pair per rule', () => {
  test('unchanged output passes', () => {
    expect(checkUpgrade(everything, clone(everything))).toEqual([]);
  });

  test.each([
    ['volumeClaimTemplates', (o: M) => { o.spec.volumeClaimTemplates[0].spec.storageClassName = 'ml-iops-v1'; }, 'spec.volumeClaimTemplates[data].spec.storageClassName'],
    ['selector', (o: M) => { o.spec.selector.matchLabels.tier = 'db'; }, 'spec.selector.matchLabels.tier'],
    ['serviceName', (o: M) => { o.spec.serviceName = 'pg'; }, 'spec.serviceName'],
    ['podManagementPolicy', (o: M) => { o.spec.podManagementPolicy = 'Parallel'; }, 'spec.podManagementPolicy'],
  ])('StatefulSet %s', (_field, edit, path) => {
    const findings = change(statefulSet, edit);
    expect(findings.map((f) => [f.rule, f.severity, f.object, f.path])).toEqual([['upgrade/statefulset-immutable', 'error', 'StatefulSet ml-db/postgres', path]]);
    expect(findings[0].message).toContain('which the API server refuses on a live StatefulSet. Safe path: kubectl -n ml-db delete statefulset postgres --cascade=orphan, then sync');
  });

  test('StatefulSet claim size: the safe path patches each PVC, then orphan-deletes', () => {
    const [f] = change(statefulSet, (o) => { o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '20Gi'; });
    expect(f.path).toBe('spec.volumeClaimTemplates[data].spec.resources.requests.storage');
    expect(f.message).toBe('changes "10Gi" -> "20Gi", which the API server refuses on a live StatefulSet. ' +
      'Safe path: grow each claim in place (data-postgres-0, data-postgres-1, data-postgres-2): kubectl -n ml-db patch pvc <claim> -p \'{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}\' ' +
      '(the StorageClass must allow expansion), then kubectl -n ml-db delete statefulset postgres --cascade=orphan, then sync: the new StatefulSet adopts the running pods and their claims.');
  });

  test('StatefulSet fields the API server allows (replicas, template, updateStrategy, retention, minReadySeconds) pass', () => {
    expect(change(statefulSet, (o) => {
      o.spec.replicas = 5;
      o.spec.template.spec.containers[0].image = 'postgres:16.5';
      o.spec.updateStrategy = { type: 'RollingUpdate' };
      o.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Delete';
      o.spec.minReadySeconds = 10;
      o.spec.revisionHistoryLimit = 5;
    })).toEqual([]);
  });

  test.each([
    ['provisioner', (o: M) => { o.provisioner = 'other.csi'; }],
    ['parameters', (o: M) => { o.parameters.type = 'pd-balanced'; }],
    ['reclaimPolicy', (o: M) => { o.reclaimPolicy = 'Delete'; }],
    ['volumeBindingMode', (o: M) => { o.volumeBindingMode = 'Immediate'; }],
  ])('StorageClass %s', (field, edit) => {
    const findings = change(storageClass, edit);
    expect(findings.map((f) => [f.rule, f.object, f.path])).toEqual([['upgrade/storageclass-immutable', 'StorageClass ml-fast-v1', expect.stringMatching(new RegExp(`^${field}`))]]);
    expect(findings[0].message).toContain('Safe path: create the StorageClass under a new name (StorageClassPack names carry a version suffix: bump it)');
  });

  test('StorageClass allowVolumeExpansion may change', () => {
    expect(change(storageClass, (o) => { o.allowVolumeExpansion = false; })).toEqual([]);
  });

  test.each([
    ['driver', (o: M) => { o.driver = 'ebs.csi.aws.com'; }, 'driver'],
    ['parameters', (o: M) => { o.parameters['storage-locations'] = 'us'; }, 'parameters.storage-locations'],
  ])('VolumeSnapshotClass %s', (_f, edit, path) => {
    expect(change(snapshotClass, edit).map((f) => [f.rule, f.object, f.path])).toEqual([['upgrade/snapshotclass-immutable', 'VolumeSnapshotClass ml-snapshots', path]]);
  });

  test('PVC storageClassName and access modes are refused; growing is fine; shrinking is refused', () => {
    expect(change(claim, (o) => { o.spec.storageClassName = 'ml-standard-v1'; }).map((f) => [f.rule, f.path])).toEqual([['upgrade/claim-immutable', 'spec.storageClassName']]);
    expect(change(claim, (o) => { o.spec.accessModes = ['ReadWriteOnce']; }).map((f) => [f.rule, f.path])).toEqual([['upgrade/claim-immutable', 'spec.accessModes[0]']]);
    expect(change(claim, (o) => { o.spec.resources.requests.storage = '200Gi'; })).toEqual([]);
    const [shrink] = change(claim, (o) => { o.spec.resources.requests.storage = '50Gi'; });
    expect([shrink.rule, shrink.object, shrink.path]).toEqual(['upgrade/claim-shrink', 'PersistentVolumeClaim ml-training/datasets', 'spec.resources.requests.storage']);
  });

  test('Service headless <-> virtual IP, and a pinned clusterIP, are refused', () => {
    const [toVip] = change(service, (o) => { delete o.spec.clusterIP; });
    expect([toVip.rule, toVip.path]).toEqual(['upgrade/service-cluster-ip', 'spec.clusterIP']);
    expect(toVip.message).toContain('switches the Service from headless to a virtual IP, which the API server refuses (clusterIP is immutable). Safe path: create the new shape under a new name (e.g. postgres-headless)');
    const vip = clone(service);
    delete vip.spec.clusterIP;
    expect(change(vip, (o) => { o.spec.clusterIP = 'None'; })[0].message).toContain('from a virtual IP to headless');
    expect(change(service, (o) => { o.spec.ports[0].port = 5433; })).toEqual([]);
  });

  test('Job template is refused, with the rename safe path', () => {
    const [f] = change(job, (o) => { o.spec.template.spec.containers[0].image = 'mlflow:2.17.0'; });
    expect([f.rule, f.object, f.path]).toEqual(['upgrade/job-immutable', 'Job ml-tracking/mlflow-migrate', 'spec.template.spec.containers[m].image']);
    expect(f.message).toContain('Safe path: give the Job a new name (e.g. suffix the migration version) so a new Job runs; delete the finished one (kubectl -n ml-tracking delete job mlflow-migrate).');
    expect(change(job, (o) => { o.spec.backoffLimit = 6; })).toEqual([]);
  });

  test('Deployment selector is refused', () => {
    expect(change(deployment, (o) => { o.spec.selector.matchLabels.app = 'tracking'; }).map((f) => [f.rule, f.path])).toEqual([['upgrade/selector-immutable', 'spec.selector.matchLabels.app']]);
    expect(change(deployment, (o) => { o.spec.replicas = 4; })).toEqual([]);
  });
});

describe('risky changes: warnings (renames: errors unless acknowledged)', () => {
  test('a StatefulSet rename leaves its data behind: an error until acknowledged by name', () => {
    const renamed = clone(statefulSet);
    renamed.metadata.name = 'postgres-main';
    const findings = checkUpgrade([statefulSet], [renamed]);
    expect(findings.map((f) => [f.rule, f.severity, f.object])).toEqual([['upgrade/statefulset-renamed', 'error', 'StatefulSet ml-db/postgres']]);
    expect(findings[0].message).toBe('renamed to postgres-main: its pods start on new, empty claims (data-postgres-main-<ordinal>) while the data stays in data-postgres-<ordinal>, ' +
      "and every client wired to it (connection URLs, e.g. MLflow's and Feast's backends) is switched to the empty one. " +
      'Safe path: keep the old name; or copy the data first (restore VolumeSnapshots of the old claims into claims named data-postgres-main-<ordinal>, or dump/restore), ' +
      'then acknowledge the change by name: CDK8S_UPGRADE_ACK=statefulset-renamed/ml-db/postgres (or --acknowledge statefulset-renamed/ml-db/postgres).');
    const acknowledged = checkUpgrade([statefulSet], [renamed], { acknowledge: ['statefulset-renamed/ml-db/postgres'] });
    expect(acknowledged.map((f) => [f.rule, f.severity])).toEqual([['upgrade/statefulset-renamed', 'warning']]);
    expect(acknowledged[0].message).toMatch(/Acknowledged \(statefulset-renamed\/ml-db\/postgres\)\.$/);
  });

  test('scaling down with whenScaled: Delete names the claims it deletes', () => {
    const deleting = clone(statefulSet);
    deleting.spec.persistentVolumeClaimRetentionPolicy.whenScaled = 'Delete';
    const findings = change(deleting, (o) => { o.spec.replicas = 1; });
    expect(findings.map((f) => [f.rule, f.severity, f.path])).toEqual([['upgrade/scale-down-deletes-claims', 'warning', 'spec.replicas']]);
    expect(findings[0].message).toContain('deletes claims data-postgres-1, data-postgres-2 and their data');
    expect(change(statefulSet, (o) => { o.spec.replicas = 1; })).toEqual([]);
  });

  test('a removed StatefulSet or claim is reported with what happens to its data', () => {
    const deleting = clone(statefulSet);
    deleting.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Delete';
    expect(checkUpgrade([deleting], [])[0].message).toContain('whenDeleted: Delete deletes its claims (data-postgres-<ordinal>) and their data once it is pruned');
    expect(checkUpgrade([statefulSet], [])[0].message).toContain('its claims (data-postgres-<ordinal>) stay behind');
    expect(checkUpgrade([claim], []).map((f) => [f.rule, f.severity])).toEqual([['upgrade/claim-removed', 'warning']]);
  });

  test('MLflow servers moving from a StatefulSet to a Deployment of the same name: the migration path', () => {
    const sts = clone(statefulSet);
    sts.metadata = { name: 'mlflow', namespace: 'ml-tracking' };
    sts.spec.volumeClaimTemplates[0].metadata.name = 'cache';
    sts.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
    const findings = checkUpgrade([sts], [deployment]);
    expect(findings.map((f) => [f.rule, f.severity, f.path])).toEqual([['upgrade/statefulset-to-deployment', 'warning', 'kind']]);
    expect(findings[0].message).toBe(
      'becomes a Deployment of the same name, without per-pod claims. The StatefulSet carries Prune=false, so both run side by side behind the same ' +
      "Service (no downtime). Safe path: sync, wait until 'kubectl -n ml-tracking rollout status deployment/mlflow' succeeds, then " +
      "'kubectl -n ml-tracking delete statefulset mlflow' and '... delete service mlflow-headless'; whenDeleted: Delete removes its claims " +
      "(cache-mlflow-<ordinal>), and delete the Released PersistentVolumes a Retain class leaves ('kubectl get pv | grep Released').");
  });
});

describeWith('git', 'guardUpgrade against git', () => {
  let repo: string;
  const sh = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' }).toString();
  const build = () => (app: any, profile: Profile) => {
    profile.attachTo(app);
    const chart = new Chart(app, 'platform');
    new WorkloadNamespace(chart, 'ns', { name: 'ml-db' });
    new StorageClassPack(chart, 'storage', { profile });
  };
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  test('skips with a notice outside a repository, and when no dist/ is committed', () => {
    const rendered = [renderWith(Profile.kind(), build())];
    expect(guardUpgrade(rendered, { cwd: repo })).toEqual({ skipped: `no git repository or no commit 'HEAD' in ${repo}` });
    sh('init', '-q');
    sh('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'empty');
    expect(guardUpgrade(rendered, { cwd: repo })).toEqual({ skipped: 'no dist/ committed at HEAD' });
  });

  test('passes on the committed render; fails naming object and field when a StorageClass parameter changes', () => {
    sh('init', '-q');
    const lines: string[] = [];
    const opts = { outdir: path.join(repo, 'dist'), profiles: () => [Profile.gke()], log: (l: string) => lines.push(l) };
    expect(synthesize({ ...opts, build: build() })).toBe(0);
    sh('add', 'dist');
    sh('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'render');
    expect(synthesize({ ...opts, build: build(), upgradeGuard: { cwd: repo } })).toBe(0);

    const committed = fs.readFileSync(path.join(repo, 'dist/gke/platform.k8s.yaml'), 'utf8');
    const changed = (app: any, profile: Profile) => {
      build()(app, profile);
      // The same StorageClass name with another disk type: what a hand edit of a tier's parameters does.
      const sc = app.node.findAll().find((c: any) => c.kind === 'StorageClass' && c.name === 'ml-fast-v1');
      sc.addJsonPatch(JsonPatch.replace('/parameters/type', 'pd-balanced'));
    };
    lines.length = 0;
    expect(synthesize({ ...opts, build: changed, upgradeGuard: { cwd: repo } })).toBe(1);
    const log = lines.join('\n');
    expect(log).toContain('upgrade guard, dist/gke vs HEAD: 1 change(s) a live cluster refuses:');
    expect(log).toContain('error [upgrade/storageclass-immutable] StorageClass ml-fast-v1 parameters.type: changes "pd-ssd" -> "pd-balanced"');
    expect(log).toContain('dist/ left unchanged.');
    expect(fs.readFileSync(path.join(repo, 'dist/gke/platform.k8s.yaml'), 'utf8')).toBe(committed);
  });

  test('parseManifests reads what cdk8s wrote', () => {
    expect(parseManifests('---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n', 'x')).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }]);
    expect(() => parseManifests('a: [', 'HEAD:dist/x.yaml')).toThrow('HEAD:dist/x.yaml: not valid YAML');
  });
});
