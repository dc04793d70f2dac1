/**
 * Catalogue, part 3: changes between the render a cluster runs and the next one, checked by the upgrade guard.
 * Each case states whether the guard refuses it (an error: the API server or the data refuses it), accepts it, or
 * accepts it with a warning, and the words its one-line message carries (object, path, values, safe path).
 * A few cases run end to end: the synth entry with the guard against a committed dist/ in a temporary git
 * repository, which must stay byte-identical when the guard refuses.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, JsonPatch } from 'cdk8s';
import { synthesize } from '../../../lib';
import { acknowledgements } from '../../../lib/cli';
import { buildPlatform } from '../../../apps/platform';
import { type Finding, type ManifestObject, Profile, checkUpgrade } from '../../../lib';
import { engineOf } from '../../../lib/checks';
import { type Obj, first, freshRender, line, podSpec, treeHash } from './support';
import { describeWith } from '../../support/tools';

type ProfileName = 'kind' | 'gke';
interface UpgradeCase {
  readonly name: string;
  readonly profile?: ProfileName;
  /** Changes the running render before the comparison (to set up a starting point the platform does not render). */
  readonly before?: (objects: Obj[]) => void;
  readonly after: (objects: Obj[]) => void;
  readonly outcome: 'refused' | 'accepted' | 'warned';
  readonly rule?: string;
  readonly words?: readonly string[];
  readonly acknowledge?: readonly string[];
}

const postgres = (o: Obj[]) => first(o, 'StatefulSet', 'postgres');
const engine = (o: Obj) => podSpec(o).containers.find((c: any) => engineOf(c.image))!;
const setImage = (o: Obj[], image: string) => { engine(postgres(o)).image = image; };
const minio = (o: Obj[]) => first(o, 'StatefulSet', 'minio');
const minioContainer = (o: Obj[]) => podSpec(minio(o)).containers.find((c: any) => /(^|\/)minio:/.test(c.image))!;
const headless = (o: Obj[]) => o.find((x) => x.kind === 'Service' && x.spec?.clusterIP === 'None' && x.metadata.name.startsWith('postgres'))!;
const clientService = (o: Obj[]) => o.find((x) => x.kind === 'Service' && x.spec?.clusterIP !== 'None' && x.metadata.name.startsWith('postgres'))!;
const template = (o: Obj[]) => postgres(o).spec.volumeClaimTemplates[0];
const storageOf = (o: Obj[]) => template(o).spec.resources.requests;
const redis = (o: Obj[]) => first(o, 'StatefulSet', 'feast-redis');
const renameEverywhere = (o: Obj[], from: string, to: string) => o.forEach((x) => {
  if (x.kind === 'StatefulSet' && x.metadata.name === from) x.metadata.name = to;
});
const moveNamespace = (o: Obj[], name: string, ns: string) => o.forEach((x) => {
  if (x.kind === 'StatefulSet' && x.metadata.name === name) x.metadata.namespace = ns;
});
const bumpPack = (o: Obj[]) => o.forEach((x) => {
  if (x.kind === 'StorageClass') x.metadata.name = x.metadata.name.replace(/-v1$/, '-v2');
  for (const t of x.spec?.volumeClaimTemplates ?? []) if (t.spec.storageClassName) t.spec.storageClassName = t.spec.storageClassName.replace(/-v1$/, '-v2');
  if (x.kind === 'PersistentVolumeClaim' && x.spec?.storageClassName) x.spec.storageClassName = x.spec.storageClassName.replace(/-v1$/, '-v2');
});
const standaloneClaim = (o: Obj[]) => first(o, 'PersistentVolumeClaim');

const cases: UpgradeCase[] = [
  // Engine major versions.
  { name: 'PostgreSQL 16 -> 17', after: (o) => setImage(o, 'postgres:17.2-bookworm'), outcome: 'refused', rule: 'upgrade/engine-major', words: ['StatefulSet ml-db/postgres', '.image', 'PostgreSQL 16 -> 17', 'pg_upgrade', 'dump/restore'] },
  { name: 'PostgreSQL 16 -> 15 (downgrade)', after: (o) => setImage(o, 'postgres:15.8-bookworm'), outcome: 'refused', rule: 'upgrade/engine-major', words: ['PostgreSQL 16 -> 15', 'pg_upgrade'] },
  { name: 'PostgreSQL 16.4 -> 16.6 (minor)', after: (o) => setImage(o, 'postgres:16.6-bookworm'), outcome: 'accepted' },
  { name: 'PostgreSQL image from another registry, same version', after: (o) => setImage(o, 'docker.io/library/postgres:16.4-bookworm'), outcome: 'accepted' },
  { name: 'PostgreSQL 16 -> 17 through a digest-pinned image', after: (o) => setImage(o, 'postgres:17.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'), outcome: 'refused', rule: 'upgrade/engine-major', words: ['16 -> 17'] },
  { name: 'MySQL 8.4 -> 8.0 (downgrade)', before: (o) => setImage(o, 'mysql:8.4.3'), after: (o) => setImage(o, 'mysql:8.0.40'), outcome: 'refused', rule: 'upgrade/engine-major', words: ['MySQL 8.4 -> 8.0', 'a downgrade', 'dump'] },
  { name: 'MySQL 8.0 -> 8.4 (in-place upgrade MySQL supports)', before: (o) => setImage(o, 'mysql:8.0.40'), after: (o) => setImage(o, 'mysql:8.4.3'), outcome: 'accepted' },
  { name: 'MariaDB 11.4 -> 10.11 (downgrade)', before: (o) => setImage(o, 'mariadb:11.4.4'), after: (o) => setImage(o, 'mariadb:10.11.10'), outcome: 'refused', rule: 'upgrade/engine-major', words: ['MariaDB 11.4 -> 10.11'] },
  { name: 'Redis 7 -> 6 (downgrade)', after: (o) => { podSpec(redis(o)).containers[0].image = 'redis:6.2.16'; }, outcome: 'refused', rule: 'upgrade/engine-major', words: ['StatefulSet ml-features/feast-redis', 'Redis 7 -> 6'] },
  { name: 'Redis 7.4 -> 7.2 (same major)', after: (o) => { podSpec(redis(o)).containers[0].image = 'redis:7.2.7'; }, outcome: 'accepted' },

  // MinIO pools.
  { name: 'MinIO pool 4 -> 8 pods', profile: 'gke', after: (o) => { minio(o).spec.replicas = 8; const c = minioContainer(o); c.args = c.args.map((a: string) => a.replace('{0...3}', '{0...7}')); }, outcome: 'refused', rule: 'upgrade/minio-pool', words: ['StatefulSet ml-tracking/minio', 'spec.replicas', '4 pod(s)', '8 pod(s)', 'new pool', 'mc mirror'] },
  { name: 'MinIO pool 4 -> 6 pods (replicas only)', profile: 'gke', after: (o) => { minio(o).spec.replicas = 6; }, outcome: 'refused', rule: 'upgrade/minio-pool', words: ['4 pod(s)', '6 pod(s)'] },
  { name: 'MinIO standalone -> distributed', after: (o) => { minio(o).spec.replicas = 4; const c = minioContainer(o); c.args = c.args.map((a: string) => (a === '/data' ? 'http://minio-{0...3}.minio-headless.ml-tracking.svc.cluster.local/data' : a)); }, outcome: 'refused', rule: 'upgrade/minio-pool', words: ['1 pod(s) /data', '4 pod(s)'] },
  { name: 'MinIO turns TLS on (the pool over https, --certs-dir)', profile: 'gke', before: (o) => { const c = minioContainer(o); const i = c.args.indexOf('--certs-dir'); if (i >= 0) c.args.splice(i, 2); c.args = c.args.map((a: string) => a.replace(/^https:/, 'http:')); }, after: (o) => { const c = minioContainer(o); const pool = c.args.findIndex((a: string) => a.startsWith('http:')); c.args[pool] = c.args[pool].replace(/^http:/, 'https:'); c.args.splice(pool, 0, '--certs-dir', '/etc/minio/certs'); }, outcome: 'accepted' },
  { name: 'MinIO drive path change', after: (o) => { const c = minioContainer(o); c.args = c.args.map((a: string) => (a === '/data' ? '/export' : a)); }, outcome: 'refused', rule: 'upgrade/minio-pool', words: ['/data', '/export'] },
  { name: 'MinIO image bump, same pool', profile: 'gke', after: (o) => { minioContainer(o).image = 'minio/minio:RELEASE.2025-05-24T17-08-30Z'; }, outcome: 'accepted' },

  // Service type and clusterIP.
  { name: 'headless Service -> LoadBalancer', after: (o) => { headless(o).spec.type = 'LoadBalancer'; }, outcome: 'refused', rule: 'upgrade/service-type', words: ['Service ml-db/postgres', 'spec.type', 'from ClusterIP to LoadBalancer', 'separate LoadBalancer Service'] },
  { name: 'headless Service -> NodePort', after: (o) => { headless(o).spec.type = 'NodePort'; }, outcome: 'refused', rule: 'upgrade/service-type', words: ['to NodePort'] },
  { name: 'headless Service -> virtual IP', after: (o) => { delete headless(o).spec.clusterIP; }, outcome: 'refused', rule: 'upgrade/service-cluster-ip', words: ['from headless to a virtual IP', 'new name'] },
  { name: 'client Service ClusterIP -> LoadBalancer', after: (o) => { clientService(o).spec.type = 'LoadBalancer'; }, outcome: 'accepted' },
  { name: 'a fixed clusterIP changed', before: (o) => { clientService(o).spec.clusterIP = '10.96.0.10'; }, after: (o) => { clientService(o).spec.clusterIP = '10.96.0.11'; }, outcome: 'refused', rule: 'upgrade/service-cluster-ip', words: ['"10.96.0.10" -> "10.96.0.11"'] },

  // Renames and namespace moves of stateful workloads: errors unless acknowledged by name.
  { name: 'StatefulSet rename', after: (o) => renameEverywhere(o, 'postgres', 'postgres-main'), outcome: 'refused', rule: 'upgrade/statefulset-renamed', words: ['StatefulSet ml-db/postgres', 'metadata.name', 'renamed to postgres-main', 'empty claims', "MLflow's and Feast's", 'CDK8S_UPGRADE_ACK=statefulset-renamed/ml-db/postgres'] },
  { name: 'StatefulSet rename, acknowledged', after: (o) => renameEverywhere(o, 'postgres', 'postgres-main'), acknowledge: ['statefulset-renamed/ml-db/postgres'], outcome: 'warned', rule: 'upgrade/statefulset-renamed', words: ['Acknowledged (statefulset-renamed/ml-db/postgres)'] },
  { name: 'StatefulSet rename, acknowledgement of another object', after: (o) => renameEverywhere(o, 'postgres', 'postgres-main'), acknowledge: ['statefulset-renamed/ml-db/mysql'], outcome: 'refused', rule: 'upgrade/statefulset-renamed', words: ['renamed to postgres-main'] },
  { name: 'StatefulSet namespace move', after: (o) => moveNamespace(o, 'postgres', 'ml-data'), outcome: 'refused', rule: 'upgrade/statefulset-moved', words: ['StatefulSet ml-db/postgres', 'metadata.namespace', 'moved from namespace ml-db to ml-data', 'CDK8S_UPGRADE_ACK=statefulset-moved/ml-db/postgres'] },
  { name: 'StatefulSet namespace move, acknowledged', after: (o) => moveNamespace(o, 'postgres', 'ml-data'), acknowledge: ['statefulset-moved/ml-db/postgres'], outcome: 'warned', rule: 'upgrade/statefulset-moved', words: ['Acknowledged'] },
  { name: 'Redis StatefulSet rename', after: (o) => renameEverywhere(o, 'feast-redis', 'feast-online'), outcome: 'refused', rule: 'upgrade/statefulset-renamed', words: ['StatefulSet ml-features/feast-redis', 'renamed to feast-online'] },
  { name: 'StatefulSet removed (claims stay behind)', after: (o) => { o.splice(o.indexOf(redis(o)), 1); }, outcome: 'warned', rule: 'upgrade/statefulset-removed', words: ['removed from the render', 'stay behind'] },

  // Claim templates and claims.
  { name: 'claim template grows', after: (o) => { storageOf(o).storage = '20Gi'; }, outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['volumeClaimTemplates', '"20Gi"', 'grow each claim in place', 'patch pvc', '--cascade=orphan'] },
  { name: 'claim template shrinks', after: (o) => { storageOf(o).storage = '1Mi'; }, outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['"1Mi"', 'Kubernetes refuses to shrink a claim', 'new StatefulSet under a new name'] },
  { name: 'StorageClassPack version bump', after: (o) => bumpPack(o), outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['storageClassName', 'StorageClassPack version bump', '"ml-fast-v1" -> "ml-fast-v2"', 'every StatefulSet whose claim templates use the pack', 'keep the old pack version'] },
  { name: 'claim template access mode', after: (o) => { template(o).spec.accessModes = ['ReadWriteOncePod']; }, outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['accessModes', 'ReadWriteOncePod'] },
  { name: 'standalone claim shrinks', profile: 'gke', after: (o) => { standaloneClaim(o).spec.resources.requests.storage = '1Gi'; }, outcome: 'refused', rule: 'upgrade/claim-shrink', words: ['PersistentVolumeClaim ml-training/', 'spec.resources.requests.storage', 'Kubernetes refuses to shrink a claim', 'new claim under a new name'] },
  { name: 'standalone claim grows', profile: 'gke', after: (o) => { standaloneClaim(o).spec.resources.requests.storage = '2Ti'; }, outcome: 'accepted' },
  { name: 'standalone claim access mode', profile: 'gke', after: (o) => { standaloneClaim(o).spec.accessModes = ['ReadWriteOnce']; }, outcome: 'refused', rule: 'upgrade/claim-immutable', words: ['spec.accessModes', 'VolumeSnapshot'] },
  { name: 'standalone claim removed', profile: 'gke', after: (o) => { o.splice(o.indexOf(standaloneClaim(o)), 1); }, outcome: 'warned', rule: 'upgrade/claim-removed', words: ['Prune=false'] },

  // Other immutable StatefulSet, StorageClass, Job and Deployment fields.
  { name: 'StatefulSet serviceName', after: (o) => { postgres(o).spec.serviceName = 'postgres-peers'; }, outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['spec.serviceName', '"postgres-peers"', '--cascade=orphan'] },
  { name: 'StatefulSet podManagementPolicy', after: (o) => { postgres(o).spec.podManagementPolicy = postgres(o).spec.podManagementPolicy === 'Parallel' ? 'OrderedReady' : 'Parallel'; }, outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['spec.podManagementPolicy'] },
  { name: 'StatefulSet selector', after: (o) => { postgres(o).spec.selector.matchLabels.tier = 'db'; postgres(o).spec.template.metadata.labels.tier = 'db'; }, outcome: 'refused', rule: 'upgrade/statefulset-immutable', words: ['spec.selector', 'give their template the new labels first'] },
  { name: 'StatefulSet replicas', after: (o) => { postgres(o).spec.replicas = 5; }, outcome: 'accepted' },
  { name: 'StatefulSet updateStrategy', after: (o) => { postgres(o).spec.updateStrategy = { type: 'OnDelete' }; }, outcome: 'accepted' },
  { name: 'StatefulSet pod template resources', after: (o) => { engine(postgres(o)).resources.requests.cpu = '3'; }, outcome: 'accepted' },
  { name: 'StorageClass parameters', after: (o) => { first(o, 'StorageClass').parameters = { ...first(o, 'StorageClass').parameters, fsType: 'xfs' }; }, profile: 'gke', outcome: 'refused', rule: 'upgrade/storageclass-immutable', words: ['StorageClass ml-', 'parameters', 'version suffix: bump it'] },
  { name: 'StorageClass reclaimPolicy', after: (o) => { first(o, 'StorageClass').reclaimPolicy = 'Delete'; }, outcome: 'refused', rule: 'upgrade/storageclass-immutable', words: ['reclaimPolicy'] },
  { name: 'StorageClass allowVolumeExpansion', after: (o) => { first(o, 'StorageClass').allowVolumeExpansion = !first(o, 'StorageClass').allowVolumeExpansion; }, outcome: 'accepted' },
  { name: 'VolumeSnapshotClass driver', profile: 'gke', after: (o) => { first(o, 'VolumeSnapshotClass').driver = 'other.csi.example.com'; }, outcome: 'refused', rule: 'upgrade/snapshotclass-immutable', words: ['driver', 'new name'] },
  { name: 'a Job template changed in place', after: (o) => { podSpec(first(o, 'Job')).containers[0].image = 'busybox:1.37'; }, outcome: 'refused', rule: 'upgrade/job-immutable', words: ['spec.template', 'new name'] },
  { name: 'a Job replaced under a new content-versioned name', after: (o) => { const j = first(o, 'Job'); j.metadata.name = j.metadata.name.replace(/-[0-9a-f]{8}$/, '-deadbeef'); podSpec(j).containers[0].image = 'busybox:1.37'; }, outcome: 'accepted' },
  { name: 'Deployment selector', after: (o) => { const d = first(o, 'Deployment'); d.spec.selector.matchLabels.track = 'b'; d.spec.template.metadata.labels.track = 'b'; }, outcome: 'refused', rule: 'upgrade/selector-immutable', words: ['Deployment ml-tracking/', 'spec.selector', 'new name'] },
  { name: 'Deployment replicas', after: (o) => { first(o, 'Deployment').spec.replicas = 5; }, outcome: 'accepted' },
  { name: 'scale-down with whenScaled: Delete', before: (o) => { postgres(o).spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Delete' }; }, after: (o) => { postgres(o).spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Delete' }; postgres(o).spec.replicas = 1; }, outcome: 'warned', rule: 'upgrade/scale-down-deletes-claims', words: ['spec.replicas 3 -> 1', 'snapshot those claims first'] },
  { name: 'nothing changed', after: () => undefined, outcome: 'accepted' },
];

describe('catalogue: upgrade changes', () => {
  test('holds at least 40 upgrade changes, refused and accepted', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.outcome === 'refused').length).toBeGreaterThanOrEqual(25);
    expect(cases.filter((c) => c.outcome === 'accepted').length).toBeGreaterThanOrEqual(10);
  });


  test.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const profile = c.profile ?? 'kind';
    const before = freshRender(profile);
    c.before?.(before);
    const after = JSON.parse(JSON.stringify(before)) as Obj[];
    c.after(after);
    const findings: Finding[] = checkUpgrade(before as unknown as ManifestObject[], after as unknown as ManifestObject[], { acknowledge: c.acknowledge });
    const errors = findings.filter((f) => f.severity === 'error');
    if (c.outcome === 'accepted') {
      expect(errors.map(line)).toEqual([]);
      return;
    }
    if (c.outcome === 'warned') expect(errors.map(line)).toEqual([]);
    const matching = findings.filter((f) => f.rule === c.rule && f.severity === (c.outcome === 'refused' ? 'error' : 'warning'));
    if (!matching.length) throw new Error(`no ${c.rule} ${c.outcome} finding; got:\n${findings.map(line).join('\n')}`);
    const text = matching.map(line).find((l) => (c.words ?? []).every((w) => l.includes(w)));
    if (!text) throw new Error(`no ${c.rule} finding holds ${JSON.stringify(c.words)}:\n${matching.map(line).join('\n')}`);
    expect(text).not.toContain('\n');
  });
});

describeWith('git', 'catalogue: the guard end to end (synth entry, committed dist/ in a git repository)', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  const kind = () => [Profile.kind()];
  const run = (build: (app: App, p: Profile) => void, acknowledge?: string[]) => {
    const lines: string[] = [];
    const code = synthesize({ outdir: path.join(repo, 'dist'), profiles: kind, build, log: (l) => lines.push(l), upgradeGuard: { cwd: repo, acknowledge } });
    return { code, log: lines.join('\n') };
  };

  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-guard-'));
    git('init', '-q');
    git('config', 'user.email', 'catalogue@example.com');
    git('config', 'user.name', 'catalogue');
    expect(run((app, p) => { buildPlatform(app, p); }).code).toBe(0);
    git('add', '-A');
    git('commit', '-qm', 'running render');
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  /** The reference platform with the database server image patched (an escape hatch, as a user would). */
  const platformWithImage = (image: string) => (app: App, p: Profile) => {
    buildPlatform(app, p);
    const sts = app.node.findAll().find((c) => ApiObject.isApiObject(c) && c.kind === 'StatefulSet' && c.name === 'postgres') as ApiObject;
    const index = (sts.toJson().spec.template.spec.containers as any[]).findIndex((c) => engineOf(c.image)?.family === 'postgres');
    sts.addJsonPatch(JsonPatch.replace(`/spec/template/spec/containers/${index}/image`, image));
  };

  test('PostgreSQL 16 -> 17 is refused and dist/ stays byte-identical', () => {
    const before = treeHash(path.join(repo, 'dist'));
    const { code, log } = run(platformWithImage('postgres:17.2-bookworm'));
    expect(code).toBe(1);
    expect(log).toMatch(/error \[upgrade\/engine-major\] StatefulSet ml-db\/postgres .*PostgreSQL 16 -> 17.*pg_upgrade/);
    expect(log).toContain('left unchanged');
    expect(treeHash(path.join(repo, 'dist'))).toBe(before);
  });

  test('a PostgreSQL minor update is written', () => {
    const { code, log } = run(platformWithImage('postgres:16.6-bookworm'));
    expect(log).not.toContain('change(s) a live cluster refuses');
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(repo, 'dist', 'kind', 'databases.k8s.yaml'), 'utf8')).toContain('postgres:16.6-bookworm');
    git('checkout', '-q', '--', 'dist');
  });
});


test('acknowledgements come from CDK8S_UPGRADE_ACK and --acknowledge, comma-separated, trimmed', () => {
  expect(acknowledgements(['--acknowledge', 'statefulset-moved/ml-db/postgres', '--acknowledge=a/b/c, d/e/f'], { CDK8S_UPGRADE_ACK: ' statefulset-renamed/ml-db/postgres ,' }))
    .toEqual(['statefulset-renamed/ml-db/postgres', 'statefulset-moved/ml-db/postgres', 'a/b/c', 'd/e/f']);
  expect(acknowledgements([], {})).toEqual([]);
});
