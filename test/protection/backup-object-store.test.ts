import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BackupDestination, CloudIdentity, Credentials, DatabaseEngine, LogicalBackup, LogicalBackupProps, ObjectStore, Profile,
  StatefulDatabase, StorageClassPack,
} from '../../lib';
import { MINIO_CLIENT_IMAGE } from '../../lib/databases';
import { Manifest, all, find, newChart, selects, synth, findJob } from '../support/synth';
import { renderedScript, renderedScriptDir } from '../support/scripts';
import { describeEachShell } from '../support/shells';
import { expectGatesPass } from '../support/gates';

const PROFILES = [Profile.kind(), Profile.gke(), Profile.eks(), Profile.aks()];
const SCRIPTS = renderedScriptDir('databases/scripts/backup-upload.sh');

/** PostgreSQL in ml-db (restricted to MLflow's pods), MinIO in ml-tracking with a backup bucket. */
function platform(profile: Profile = Profile.gke(), engine = DatabaseEngine.postgres('16.4')) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const database = new StatefulDatabase(chart, 'db', {
    name: 'postgres', engine, namespace: 'ml-db', replicas: 2,
    storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('db-admin'),
    allowFrom: [{ namespace: 'ml-tracking', podSelector: { app: 'mlflow' } }],
  });
  const store = new ObjectStore(chart, 'minio', {
    namespace: 'ml-tracking', storage: { tier: pack.standard, size: '100Gi' },
    buckets: ['ml-artifacts', 'ml-db-backups'], credentials: Credentials.existingSecret('minio-root'),
  });
  return { chart, pack, database, store };
}

function backedUp(destination: (p: ReturnType<typeof platform>) => BackupDestination, props: Partial<LogicalBackupProps> = {}, profile?: Profile) {
  const p = platform(profile);
  const backup = new LogicalBackup(p.chart, 'backup', { database: p.database, destination: destination(p), schedule: '15 1 * * *', keep: 7, ...props });
  return { ...p, backup, objects: synth(p.chart) };
}

const podOf = (cronJob: Manifest) => cronJob.spec.jobTemplate.spec.template.spec;

describe('LogicalBackup to the in-cluster object store', () => {
  const { objects, backup } = backedUp((p) => BackupDestination.objectStore(p.store, 'ml-db-backups'), { keep: 5 });
  const cronJob = find(objects, 'CronJob', 'postgres-logical-backup');
  const pod = podOf(cronJob);

  test('the engine image dumps the primary into a size-limited emptyDir, before the upload starts', () => {
    expect(cronJob.metadata.namespace).toBe('ml-db');
    expect(cronJob.spec).toMatchObject({ schedule: '15 1 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600 });
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 999 } });
    expect(pod.serviceAccountName).toBeUndefined();
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['dump']);
    const [dump] = pod.initContainers;
    expect(dump.image).toBe('postgres:16.4-bookworm');
    expect(dump.command).toEqual(['/bin/sh', '/scripts/backup-postgres.sh']);
    // A fresh emptyDir per pod: the dump script keeps the one backup it just wrote.
    expect(dump.env).toEqual([
      { name: 'BACKUP_DIR', value: '/dump' },
      { name: 'KEEP', value: '1' },
      { name: 'PGHOST', value: 'postgres-rw.ml-db.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      // The database's pg_read_all_data role, not the superuser.
      { name: 'PGUSER', value: 'backup' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-backup', key: 'password' } } },
    ]);
    expect(dump.volumeMounts).toEqual([
      { name: 'script', mountPath: '/scripts', readOnly: true },
      { name: 'dump', mountPath: '/dump' },
      { name: 'w-tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toContainEqual({ name: 'dump', emptyDir: { sizeLimit: '10Gi' } });
    expect(pod.volumes).toContainEqual({ name: 'script', configMap: { name: 'postgres-logical-backup-script', defaultMode: 0o444 } });
    expect(all(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(backup.claimName).toBeUndefined();
  });

  test('pinned mc uploads to the store\'s client Service with the store\'s credentials by reference', () => {
    expect(pod.containers.map((c: any) => c.name)).toEqual(['upload']);
    const [upload] = pod.containers;
    expect(upload.image).toBe(MINIO_CLIENT_IMAGE);
    expect(MINIO_CLIENT_IMAGE).toMatch(/^minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    // The bucket Job of the store uses the very same client.
    expect(findJob(objects, 'minio-buckets').spec.template.spec.containers[0].image).toBe(MINIO_CLIENT_IMAGE);
    expect(upload.command).toEqual(['/bin/sh', '/scripts/backup-upload.sh']);
    expect(upload.env).toEqual([
      { name: 'DUMP_DIR', value: '/dump' },
      { name: 'KEEP', value: '5' },
      { name: 'S3_ENDPOINT', value: 'http://minio.ml-tracking.svc.cluster.local:9000' },
      { name: 'S3_BUCKET', value: 'ml-db-backups' },
      { name: 'S3_PREFIX', value: 'postgres' },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-postgres-backup', key: 'username' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'minio-postgres-backup', key: 'password' } } },
      { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
    ]);
    expect(upload.volumeMounts).toEqual([
      { name: 'script', mountPath: '/scripts', readOnly: true },
      { name: 'dump', mountPath: '/dump', readOnly: true },
      { name: 'w-tmp', mountPath: '/tmp' },
    ]);
    expect(upload.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(backup.bucketUrl).toBe('s3://ml-db-backups/postgres/');
    // The endpoint is the store's client Service, on a port it serves, selecting the MinIO pods.
    const service = find(objects, 'Service', 'minio');
    const endpoint = new URL(upload.env.find((e: any) => e.name === 'S3_ENDPOINT').value);
    expect(endpoint.hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`);
    expect(service.spec.ports.map((p: any) => p.port)).toContain(Number(endpoint.port));
    expect(selects(service.spec.selector, find(objects, 'StatefulSet', 'minio').spec.template.metadata.labels)).toBe(true);
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('the ConfigMap carries the dump and upload scripts as they are in lib/databases/scripts', () => {
    expect(find(objects, 'ConfigMap', 'postgres-logical-backup-script').data).toEqual({
      'backup-postgres.sh': renderedScript('databases/scripts/backup-postgres.sh'),
      'backup-upload.sh': renderedScript('databases/scripts/backup-upload.sh'),
    });
  });

  test('MinIO admits the backup pods on its API port; the database on its port', () => {
    const podLabels = cronJob.spec.jobTemplate.spec.template.metadata.labels;
    const fromBackups = (policy: Manifest) => policy.spec.ingress.filter((rule: any) => rule.from.some((f: any) =>
      f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'ml-db' && selects(f.podSelector.matchLabels, podLabels)
      && f.podSelector.matchLabels['app.kubernetes.io/name'] === 'logical-backup'));
    expect(fromBackups(find(objects, 'NetworkPolicy', 'minio')).map((r: any) => r.ports)).toEqual([[{ protocol: 'TCP', port: 9000 }]]);
    expect(fromBackups(find(objects, 'NetworkPolicy', 'postgres')).map((r: any) => r.ports)).toEqual([[{ protocol: 'TCP', port: 5432 }]]);
  });

  test.each(PROFILES.map((p) => [p.name, p] as const))('%s: the gates pass', (_, profile) => {
    const { objects: rendered } = backedUp((p) => BackupDestination.objectStore(p.store, 'ml-db-backups', { prefix: '/nightly/postgres/' }), {}, profile);
    expectGatesPass(rendered, profile);
    expect(podOf(find(rendered, 'CronJob', 'postgres-logical-backup')).containers[0].env)
      .toContainEqual({ name: 'S3_PREFIX', value: 'nightly/postgres' });
  });

  test('own credentials and scratch size; ExternalSecret credentials are bound in the database namespace', () => {
    const keys = Credentials.externalSecret({ secretName: 'minio-backup-writer', store: 'vault', remoteKey: 'ml/minio-backup' });
    const { objects: rendered } = backedUp((p) => BackupDestination.objectStore(p.store, 'ml-db-backups', { credentials: keys, sizeLimit: '40Gi' }));
    const spec = podOf(find(rendered, 'CronJob', 'postgres-logical-backup'));
    expect(spec.volumes).toContainEqual({ name: 'dump', emptyDir: { sizeLimit: '40Gi' } });
    expect(spec.containers[0].env).toContainEqual({ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'minio-backup-writer', key: 'username' } } });
    expect(all(rendered, 'ExternalSecret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ml-db/minio-backup-writer']);
  });

  test('MySQL dumps with its own script into the emptyDir', () => {
    const p = platform(Profile.eks(), DatabaseEngine.mysql('8.4.3'));
    new LogicalBackup(p.chart, 'backup', { database: p.database, destination: BackupDestination.objectStore(p.store, 'ml-db-backups'), schedule: '@daily' });
    const spec = podOf(find(synth(p.chart), 'CronJob', 'postgres-logical-backup'));
    expect(spec.initContainers[0].command).toEqual(['/bin/sh', '/scripts/backup-mysql.sh']);
    expect(spec.initContainers[0].env.slice(0, 2)).toEqual([{ name: 'BACKUP_DIR', value: '/dump' }, { name: 'KEEP', value: '1' }]);
    expect(spec.containers[0].name).toBe('upload');
  });
});

describe('LogicalBackup to a cloud bucket', () => {
  test('static keys by reference, the AWS endpoint by default, nothing admitted anywhere', () => {
    const { objects } = backedUp(() => BackupDestination.s3({ url: 's3://acme-db-backups/ml/postgres', credentials: Credentials.existingSecret('backup-s3-keys') }));
    const spec = podOf(find(objects, 'CronJob', 'postgres-logical-backup'));
    expect(spec.serviceAccountName).toBeUndefined();
    expect(spec.containers[0].env).toEqual([
      { name: 'DUMP_DIR', value: '/dump' },
      { name: 'KEEP', value: '7' },
      { name: 'S3_ENDPOINT', value: 'https://s3.amazonaws.com' },
      { name: 'S3_BUCKET', value: 'acme-db-backups' },
      { name: 'S3_PREFIX', value: 'ml/postgres' },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'backup-s3-keys', key: 'username' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'backup-s3-keys', key: 'password' } } },
      { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
    ]);
    // MinIO is not involved: its policy admits only its own pods and its bucket Job.
    const minioPolicy = find(objects, 'NetworkPolicy', 'minio');
    expect(minioPolicy.spec.ingress.flatMap((r: any) => r.from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name']))).toEqual(['minio', 'minio-buckets']);
    expect(all(objects, 'ServiceAccount')).toEqual([]);
  });

  test('IRSA: its own ServiceAccount with the annotations, mc exchanging the token at STS, no keys', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/db-backups';
    const { objects, backup } = backedUp(() => BackupDestination.s3({
      url: 's3://acme-db-backups', endpoint: 'https://s3.eu-west-1.amazonaws.com',
      identity: CloudIdentity.awsIrsa(roleArn), stsEndpoint: 'https://sts.eu-west-1.amazonaws.com',
    }), {}, Profile.eks());
    const account = find(objects, 'ServiceAccount', 'postgres-logical-backup');
    expect(account).toMatchObject({
      metadata: { namespace: 'ml-db', annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
      automountServiceAccountToken: false,
    });
    const spec = podOf(find(objects, 'CronJob', 'postgres-logical-backup'));
    expect(spec.serviceAccountName).toBe('postgres-logical-backup');
    expect(spec.containers[0].env).toEqual([
      { name: 'DUMP_DIR', value: '/dump' },
      { name: 'KEEP', value: '7' },
      { name: 'S3_ENDPOINT', value: 'https://s3.eu-west-1.amazonaws.com' },
      { name: 'S3_BUCKET', value: 'acme-db-backups' },
      // The URL names the bucket root: no prefix.
      { name: 'S3_PREFIX', value: '' },
      { name: 'MC_STS_ENDPOINT_backup', value: 'https://sts.eu-west-1.amazonaws.com' },
      { name: 'MC_CONFIG_DIR', value: '/tmp/.mc' },
    ]);
    expect(backup.bucketUrl).toBe('s3://acme-db-backups/');
    expectGatesPass(objects, '1.35');
  });
  test('EKS Pod Identity: its own ServiceAccount without annotations, no STS endpoint, no keys; IRSA on GKE fails synth', () => {
    const { objects } = backedUp(() => BackupDestination.s3({ url: 's3://acme-db-backups/pg', identity: CloudIdentity.awsPodIdentity() }), {}, Profile.eks());
    const account = find(objects, 'ServiceAccount', 'postgres-logical-backup');
    expect(account.metadata.annotations).toBeUndefined();
    const spec = podOf(find(objects, 'CronJob', 'postgres-logical-backup'));
    expect(spec.serviceAccountName).toBe('postgres-logical-backup');
    expect(spec.containers[0].env.map((e: any) => e.name)).toEqual(['DUMP_DIR', 'KEEP', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_PREFIX', 'MC_CONFIG_DIR']);
    expect(() => backedUp(() => BackupDestination.s3({ url: 's3://acme-db-backups/pg', identity: CloudIdentity.awsPodIdentity() }), {}, Profile.gke()))
      .toThrow("CloudIdentity.awsPodIdentity works only on eks; profile 'gke' is gke: use that cloud's workload identity, or CloudIdentity.keys(Credentials.existingSecret(...))");
  });

  test('CloudIdentity.keys is the same as credentials', () => {
    const viaKeys = backedUp(() => BackupDestination.s3({ url: 's3://acme-db-backups/pg', identity: CloudIdentity.keys(Credentials.existingSecret('s3-keys')) }), {}, Profile.gke());
    const viaCredentials = backedUp(() => BackupDestination.s3({ url: 's3://acme-db-backups/pg', credentials: Credentials.existingSecret('s3-keys') }), {}, Profile.gke());
    expect(viaKeys.objects).toEqual(viaCredentials.objects);
    expect(all(viaKeys.objects, 'ServiceAccount')).toEqual([]);
  });
});

describe('BackupDestination bad input', () => {
  const { store } = platform();
  const keys = Credentials.existingSecret('backup-s3-keys');

  test('an empty or invalid bucket name', () => {
    const naming = "use 3–63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit (e.g. 'ml-db-backups').";
    expect(() => BackupDestination.objectStore(store, '')).toThrow(`BackupDestination.objectStore: bucket '' is not a valid bucket name: ${naming}`);
    expect(() => BackupDestination.objectStore(store, 'DB_Backups')).toThrow(`BackupDestination.objectStore: bucket 'DB_Backups' is not a valid bucket name: ${naming}`);
    expect(() => BackupDestination.s3({ url: 's3:///postgres', credentials: keys }))
      .toThrow(`BackupDestination.s3('s3:///postgres'): bucket '' is not a valid bucket name: ${naming}`);
  });

  test('a bucket the store does not create', () => {
    expect(() => BackupDestination.objectStore(store, 'db-backups'))
      .toThrow("BackupDestination.objectStore: bucket 'db-backups' is not created by 'test/minio' (its buckets: ml-artifacts, ml-db-backups): add it to the store's buckets.");
  });

  test('a prefix that is not a key prefix', () => {
    expect(() => BackupDestination.objectStore(store, 'ml-db-backups', { prefix: 'nightly/../postgres' })).toThrow(
      "BackupDestination.objectStore: prefix 'nightly/../postgres' is not a key prefix: use segments of letters, digits, '.', '_' and '-' separated by '/', not starting with '.' (e.g. 'postgres/nightly').");
  });

  test('an s3 URL not starting with s3://', () => {
    expect(() => BackupDestination.s3({ url: 'https://acme-db-backups.s3.amazonaws.com/postgres', credentials: keys })).toThrow(
      "BackupDestination.s3('https://acme-db-backups.s3.amazonaws.com/postgres'): the URL does not start with 's3://': pass the bucket and prefix as e.g. 's3://ml-db-backups/postgres'.");
  });

  test('no credentials and no identity, both, or an identity that cannot sign S3 requests', () => {
    const message = "BackupDestination.s3('s3://acme-db-backups/postgres'): no credentials and no identity: pass { credentials: Credentials.existingSecret(...) } " +
      '(username = access key id, password = secret access key) or { identity: CloudIdentity.awsIrsa(roleArn) } (or CloudIdentity.awsPodIdentity()).';
    expect(() => BackupDestination.s3({ url: 's3://acme-db-backups/postgres' })).toThrow(message);
    expect(() => BackupDestination.s3({ url: 's3://acme-db-backups/postgres', credentials: keys, identity: CloudIdentity.awsIrsa('arn:aws:iam::123456789012:role/x') }))
      .toThrow("BackupDestination.s3('s3://acme-db-backups/postgres'): both credentials and identity (CloudIdentity.awsIrsa) are given: pick one (keys, or the workload identity).");
    expect(() => BackupDestination.s3({ url: 's3://acme-db-backups/postgres', identity: CloudIdentity.gkeWorkloadIdentity('backups@acme-ml.iam.gserviceaccount.com') }))
      .toThrow("BackupDestination.s3('s3://acme-db-backups/postgres'): CloudIdentity.gkeWorkloadIdentity cannot sign S3 requests (mc speaks the S3 API, which takes AWS identities or keys): " +
        'use CloudIdentity.awsIrsa(...) or CloudIdentity.awsPodIdentity() on EKS, or HMAC/access keys with { credentials } elsewhere.');
  });

  test('an endpoint that is not an http(s) URL, and a scratch size in the wrong unit', () => {
    expect(() => BackupDestination.s3({ url: 's3://acme-db-backups', credentials: keys, endpoint: 's3.amazonaws.com' })).toThrow(
      "BackupDestination.s3('s3://acme-db-backups'): endpoint 's3.amazonaws.com' is not an http(s) URL of a host (e.g. 'https://s3.eu-west-1.amazonaws.com').");
    expect(() => BackupDestination.objectStore(store, 'ml-db-backups', { sizeLimit: '10GB' })).toThrow(/sizeLimit of BackupDestination.objectStore.*'10Gi'/);
  });
});

/** A scratch bucket service: the stand-in mc on PATH, its state in files. */
class StandInBucket {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-stand-in-'));
  public readonly fake = path.join(this.dir, 'fake');
  public readonly dump = path.join(this.dir, 'dump');
  private readonly bin = path.join(this.dir, 'bin');

  constructor(bucket = 'ml-db-backups') {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(path.join(this.fake, 'store', bucket), { recursive: true });
    fs.mkdirSync(this.dump);
    fs.copyFileSync(path.join(__dirname, 'backup-mc-stand-in.sh'), path.join(this.bin, 'mc'));
    fs.chmodSync(path.join(this.bin, 'mc'), 0o755);
  }

  /** Seeds objects: key → content. */
  public objects(bucket: string, objects: Record<string, string>): this {
    for (const [key, content] of Object.entries(objects)) {
      const file = path.join(this.fake, 'store', bucket, key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    return this;
  }

  /** Every object key in `bucket`, sorted. */
  public keys(bucket = 'ml-db-backups'): string[] {
    const root = path.join(this.fake, 'store', bucket);
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p); else out.push(path.relative(root, p));
      }
    };
    walk(root);
    return out.sort();
  }

  /** What the dump container leaves: `<stamp>/` with these files. */
  public dumped(stamp: string, files: Record<string, string>): this {
    fs.rmSync(this.dump, { recursive: true, force: true });
    fs.mkdirSync(path.join(this.dump, stamp), { recursive: true });
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(this.dump, stamp, name), content);
    return this;
  }

  public failing(...patterns: string[]): this {
    fs.writeFileSync(path.join(this.fake, 'fail'), patterns.join('\n') + '\n');
    return this;
  }

  public run(shell: readonly string[], env: Record<string, string>) {
    fs.writeFileSync(path.join(this.fake, 'calls'), '');
    const [cmd, ...args] = shell;
    const r = spawnSync(cmd, [...args, path.join(SCRIPTS, 'backup-upload.sh')], {
      encoding: 'utf8',
      env: { PATH: `${this.bin}:/usr/bin:/bin`, FAKE: this.fake, DUMP_DIR: this.dump, MC_CONFIG_DIR: path.join(this.dir, 'mc'), ...env },
    });
    const calls = fs.readFileSync(path.join(this.fake, 'calls'), 'utf8').split('\n').filter(Boolean);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
  }

  public seenEnv(): string {
    return fs.readFileSync(path.join(this.fake, 'env'), 'utf8');
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describeEachShell('backup-upload.sh under %s (stand-in mc)', (shell) => {
  const MINIO = {
    S3_ENDPOINT: 'http://minio.ml-tracking.svc.cluster.local:9000', S3_BUCKET: 'ml-db-backups', S3_PREFIX: 'postgres',
    AWS_ACCESS_KEY_ID: 'backup-writer', AWS_SECRET_ACCESS_KEY: 'wJalr/XUtnFEMI+K7MDENG', KEEP: '2',
  };
  const DUMP = { 'globals.sql': '-- roles\n', 'mlflow.dump': 'PGDMP mlflow', 'databases.list': 'mlflow\n' };
  let bucket: StandInBucket;
  beforeEach(() => { bucket = new StandInBucket(); });
  afterEach(() => bucket.dispose());

  test('uploads under .partial, moves into place, and lists: exactly these calls', () => {
    bucket.dumped('20250301-011500', DUMP);
    const run = bucket.run(shell, MINIO);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The keys reach mc through MC_HOST_backup, never its command line.
    expect(bucket.seenEnv()).toBe('MC_HOST_backup=http://backup-writer:wJalr/XUtnFEMI+K7MDENG@minio.ml-tracking.svc.cluster.local:9000\nMC_STS_ENDPOINT_backup=\n');
    expect(run.calls.join('\n')).not.toContain('wJalr');
    expect(run.calls).toEqual([
      `cp --recursive ${bucket.dump}/20250301-011500/ backup/ml-db-backups/postgres/20250301-011500.partial/`,
      'mv --recursive backup/ml-db-backups/postgres/20250301-011500.partial/ backup/ml-db-backups/postgres/20250301-011500/',
      'ls backup/ml-db-backups/postgres/',
    ]);
    expect(bucket.keys()).toEqual(['postgres/20250301-011500/databases.list', 'postgres/20250301-011500/globals.sql', 'postgres/20250301-011500/mlflow.dump']);
    expect(fs.readFileSync(path.join(bucket.fake, 'store/ml-db-backups/postgres/20250301-011500/mlflow.dump'), 'utf8')).toBe('PGDMP mlflow');
    expect(run.stdout).toContain('backup-upload: backup backup/ml-db-backups/postgres/20250301-011500/ complete');
  });

  test('a key with a \':\' cannot be passed to mc: refused before anything is uploaded', () => {
    bucket.dumped('20250301-011500', DUMP);
    const run = bucket.run(shell, { ...MINIO, AWS_SECRET_ACCESS_KEY: 'pa:ss' });
    expect(run.status).toBe(65);
    expect(run.stderr).toBe("backup-upload: the access key and secret must not contain ':' or a line break (mc reads them from MC_HOST_backup=scheme://key:secret@host)\n");
    expect(run.calls).toEqual([]);
  });

  test('keeps exactly KEEP newest complete backups and deletes nothing else under the prefix or outside it', () => {
    bucket.objects('ml-db-backups', {
      'postgres/20250226-011500/globals.sql': 'old', 'postgres/20250227-011500/globals.sql': 'old',
      'postgres/20250228-011500/globals.sql': 'old', 'postgres/20250228-011500/mlflow.dump': 'old',
      'postgres/README.txt': 'keep me', 'postgres/manual-20250101/globals.sql': 'keep me', 'postgres/2025-01-01/globals.sql': 'keep me',
      'feast/20250101-000000/globals.sql': 'other prefix', '20250101-000000/globals.sql': 'bucket root',
    });
    bucket.dumped('20250301-011500', DUMP);
    const run = bucket.run(shell, MINIO);
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c.startsWith('rm '))).toEqual([
      'rm --recursive --force backup/ml-db-backups/postgres/20250226-011500/',
      'rm --recursive --force backup/ml-db-backups/postgres/20250227-011500/',
    ]);
    expect(bucket.keys()).toEqual([
      '20250101-000000/globals.sql',
      'feast/20250101-000000/globals.sql',
      'postgres/2025-01-01/globals.sql',
      'postgres/20250228-011500/globals.sql', 'postgres/20250228-011500/mlflow.dump',
      'postgres/20250301-011500/databases.list', 'postgres/20250301-011500/globals.sql', 'postgres/20250301-011500/mlflow.dump',
      'postgres/README.txt',
      'postgres/manual-20250101/globals.sql',
    ]);
  });

  test('removes failed .partial uploads and a half-moved backup, which does not count towards KEEP', () => {
    bucket.objects('ml-db-backups', {
      'postgres/20250227-011500/globals.sql': 'complete',
      // A failed upload.
      'postgres/20250228-011500.partial/globals.sql': 'partial',
      // An interrupted move: some objects moved, one still waiting under .partial.
      'postgres/20250229-011500/globals.sql': 'moved', 'postgres/20250229-011500.partial/mlflow.dump': 'not yet',
    });
    bucket.dumped('20250301-011500', DUMP);
    const run = bucket.run(shell, MINIO);
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c.startsWith('rm '))).toEqual([
      'rm --recursive --force backup/ml-db-backups/postgres/20250228-011500.partial/',
      'rm --recursive --force backup/ml-db-backups/postgres/20250229-011500/',
      'rm --recursive --force backup/ml-db-backups/postgres/20250229-011500.partial/',
    ]);
    expect(bucket.keys()).toEqual([
      'postgres/20250227-011500/globals.sql',
      'postgres/20250301-011500/databases.list', 'postgres/20250301-011500/globals.sql', 'postgres/20250301-011500/mlflow.dump',
    ]);
  });

  test('a failed upload fails the job, prunes nothing and leaves its .partial for the next run to remove', () => {
    bucket.objects('ml-db-backups', { 'postgres/20250227-011500/globals.sql': 'a', 'postgres/20250228-011500/globals.sql': 'b' });
    bucket.dumped('20250301-011500', DUMP);
    // The upload goes up under .partial, then the move fails (say, the connection is reset).
    const failed = bucket.failing('^mv ').run(shell, MINIO);
    expect(failed.status).toBe(1);
    expect(failed.calls.some((c) => c.startsWith('rm ') || c.startsWith('ls '))).toBe(false);
    expect(bucket.keys()).toContain('postgres/20250301-011500.partial/globals.sql');
    expect(bucket.keys()).toContain('postgres/20250227-011500/globals.sql');

    fs.rmSync(path.join(bucket.fake, 'fail'));
    bucket.dumped('20250302-011500', DUMP);
    expect(bucket.run(shell, MINIO).status).toBe(0);
    expect([...new Set(bucket.keys().map((k) => k.split('/').slice(0, 2).join('/')))]).toEqual(['postgres/20250228-011500', 'postgres/20250302-011500']);
  });

  test('the bucket root as prefix; a workload identity instead of keys', () => {
    bucket.objects('ml-db-backups', { '20250228-011500/globals.sql': 'old', 'notes.txt': 'keep' });
    bucket.dumped('20250301-011500', DUMP);
    const run = bucket.run(shell, {
      S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com', S3_BUCKET: 'ml-db-backups', S3_PREFIX: '', KEEP: '1',
      MC_STS_ENDPOINT_backup: 'https://sts.eu-west-1.amazonaws.com',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      `cp --recursive ${bucket.dump}/20250301-011500/ backup/ml-db-backups/20250301-011500.partial/`,
      'mv --recursive backup/ml-db-backups/20250301-011500.partial/ backup/ml-db-backups/20250301-011500/',
      'ls backup/ml-db-backups/',
      'rm --recursive --force backup/ml-db-backups/20250228-011500/',
    ]);
    expect(bucket.seenEnv()).toBe('MC_HOST_backup=https://s3.eu-west-1.amazonaws.com\nMC_STS_ENDPOINT_backup=https://sts.eu-west-1.amazonaws.com\n');
    expect(bucket.keys()).toEqual(['20250301-011500/databases.list', '20250301-011500/globals.sql', '20250301-011500/mlflow.dump', 'notes.txt']);
  });

  test('no complete dump, a bad KEEP, an unknown bucket: fail without touching the bucket', () => {
    fs.mkdirSync(path.join(bucket.dump, '20250301-011500.partial'));
    const noDump = bucket.run(shell, MINIO);
    expect(noDump.status).toBe(1);
    expect(noDump.stderr).toBe(`backup-upload: no complete backup in ${bucket.dump}: the dump did not finish\n`);
    expect(noDump.calls).toEqual([]);

    bucket.dumped('20250301-011500', DUMP);
    const badKeep = bucket.run(shell, { ...MINIO, KEEP: '0' });
    expect(badKeep.status).toBe(2);
    expect(badKeep.stderr).toBe("KEEP must be a whole number >= 1, got '0'\n");

    const unknown = bucket.run(shell, { ...MINIO, S3_BUCKET: 'db-backups' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("Bucket 'db-backups' does not exist");
    expect(bucket.keys()).toEqual([]);
  });
});
