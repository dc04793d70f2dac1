/**
 * A LogicalBackup to the in-cluster object store, run as its pod would: the synthesized dump script
 * (init container) against a real PostgreSQL into a fresh "emptyDir", then the synthesized upload
 * script (mc container) with a stand-in `mc` whose buckets are a temp directory. The uploaded dump
 * restores with pg_restore; the bucket keeps the newest KEEP. Needs Debian's postgresql
 * (test/integration/install-servers.sh installs it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BackupDestination, Credentials, LogicalBackup, ObjectStore, Profile,
} from '../../lib';
import { find, synth } from '../support/synth';
import { postgresDatabase } from '../support/databases';
import { postgresBinDir } from './database-support';
import { freePort } from '../support/ports';

const PG_BIN = postgresBinDir();
const IS_ROOT = process.getuid?.() === 0;
const SECRETS: Record<string, Record<string, string>> = {
  'postgres-credentials': { username: 'admin', password: 'unused-with-trust' },
  'postgres-backup': { password: 'unused-with-trust' },
  'minio-root': { username: 'minio-admin', password: 'minio-secret/+=' },
  // The backup's own MinIO user (write and prune its prefix), never the root key.
  'minio-postgres-backup': { username: 'postgres-backup', password: 'backup-secret/+=' },
};

function asServerUser(command: string): { status: number | null; stderr: string } {
  const r = IS_ROOT
    ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { encoding: 'utf8' })
    : spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };

/** The container's environment as the kubelet builds it, Secret values from SECRETS, then `overrides`. */
function kubeletEnv(env: EnvVar[], overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    if (e.value !== undefined) out[e.name] = e.value;
    else {
      const ref = e.valueFrom!.secretKeyRef;
      const value = SECRETS[ref.name]?.[ref.key];
      if (value === undefined) throw new Error(`test provides no value for Secret ${ref.name} key ${ref.key}`);
      out[e.name] = value;
    }
  }
  return { ...out, ...overrides };
}

/** The backup CronJob's pod, synthesized for PostgreSQL backed up into MinIO's `ml-db-backups`. */
function synthesizedPod() {
  const { chart, pack, db: database } = postgresDatabase(Profile.gke(), { replicas: 1 });
  const store = new ObjectStore(chart, 'minio', {
    namespace: 'ml-tracking', storage: { tier: pack.standard, size: '100Gi' },
    buckets: ['ml-db-backups'], credentials: Credentials.existingSecret('minio-root'),
  });
  new LogicalBackup(chart, 'backup', {
    database, destination: BackupDestination.objectStore(store, 'ml-db-backups'), schedule: '@daily', keep: 2,
  });
  const objects = synth(chart);
  const pod = find(objects, 'CronJob', 'postgres-logical-backup').spec.jobTemplate.spec.template.spec;
  const scripts = find(objects, 'ConfigMap', 'postgres-logical-backup-script').data as Record<string, string>;
  return { dump: pod.initContainers[0], upload: pod.containers[0], scripts, databaseConfig: find(objects, 'ConfigMap', 'postgres-config').data as Record<string, string> };
}

describe('logical backup into the object store, against a real PostgreSQL', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-bucket-backup-'));
  const socketDir = path.join(work, 'run');
  const dataDir = path.join(work, 'data');
  const bin = path.join(work, 'bin');
  const scriptDir = path.join(work, 'scripts');
  const fake = path.join(work, 'fake');
  const bucket = path.join(fake, 'store', 'ml-db-backups');
  const pod = synthesizedPod();
  let port = 0;
  const client = () => ({ ...process.env, PGHOST: socketDir, PGPORT: String(port), PGUSER: 'admin' });
  const psql = (db: string, sql: string) => spawnSync(path.join(PG_BIN, 'psql'), ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], {
    encoding: 'utf8', env: client(),
  });

  /** One pod: a fresh emptyDir, the dump container to completion, then (only if it succeeded) the upload. */
  function runPod(stamp: string, dumpOverrides: Record<string, string> = {}) {
    fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\necho ${stamp}\n`, { mode: 0o755 });
    const emptyDir = fs.mkdtempSync(path.join(work, 'dump-'));
    const PATH = `${bin}:${PG_BIN}:/usr/bin:/bin`;
    // The pod reaches the primary through the rw Service; here, the local socket.
    const dumpEnv = kubeletEnv(pod.dump.env, { PATH, BACKUP_DIR: emptyDir, PGHOST: socketDir, PGPORT: String(port), ...dumpOverrides });
    const dump = spawnSync('dash', [path.join(scriptDir, 'backup-postgres.sh')], { encoding: 'utf8', env: dumpEnv });
    if (dump.status !== 0) return { dump, upload: undefined, emptyDir };
    // mc reaches MinIO at S3_ENDPOINT; here, the stand-in keeps the bucket in a directory.
    const uploadEnv = kubeletEnv(pod.upload.env, { PATH, FAKE: fake, DUMP_DIR: emptyDir, MC_CONFIG_DIR: path.join(work, 'mc') });
    const upload = spawnSync('dash', [path.join(scriptDir, 'backup-upload.sh')], { encoding: 'utf8', env: uploadEnv });
    return { dump, upload, emptyDir };
  }

  beforeAll(async () => {
    port = await freePort();
    for (const d of [socketDir, bin, scriptDir, bucket]) fs.mkdirSync(d, { recursive: true });
    for (const [file, content] of Object.entries(pod.scripts)) fs.writeFileSync(path.join(scriptDir, file), content);
    fs.copyFileSync(path.join(__dirname, '../protection/backup-mc-stand-in.sh'), path.join(bin, 'mc'));
    fs.chmodSync(path.join(bin, 'mc'), 0o755);
    if (IS_ROOT) spawnSync('chown', ['-R', 'postgres', work]);
    fs.chmodSync(work, 0o755);
    const init = asServerUser(`${PG_BIN}/initdb -D ${dataDir} -U admin --auth=trust`);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const start = asServerUser(`${PG_BIN}/pg_ctl -D ${dataDir} -l ${work}/server.log -w -o "-p ${port} -k ${socketDir} -c listen_addresses=" start`);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}`);
    for (const sql of ['CREATE ROLE mlflow LOGIN', 'CREATE DATABASE mlflow OWNER mlflow']) expect(psql('postgres', sql).status).toBe(0);
    expect(psql('mlflow', "CREATE TABLE runs (id int PRIMARY KEY, name text); INSERT INTO runs VALUES (1, 'baseline'), (2, 'tuned');").status).toBe(0);
    // The backup role the dump connects as, created by the database's rendered reconcile.sh as on the primary.
    const config = path.join(work, 'config');
    fs.mkdirSync(config);
    for (const file of ['reconcile.sh', 'databases.list']) fs.writeFileSync(path.join(config, file), pod.databaseConfig[file]);
    for (const dir of ['replication', 'backup']) {
      fs.mkdirSync(path.join(work, 'secrets', dir), { recursive: true });
      fs.writeFileSync(path.join(work, 'secrets', dir, 'password'), 'unused-with-trust');
    }
    const reconcile = spawnSync('dash', [path.join(config, 'reconcile.sh')], {
      encoding: 'utf8', timeout: 30000,
      env: { PATH: `${PG_BIN}:/usr/bin:/bin`, PGHOST: socketDir, PGPORT: String(port), DB_CONFIG_DIR: config, DB_SECRETS_DIR: path.join(work, 'secrets'), DB_SUPERUSER: 'admin' },
    });
    if (reconcile.status !== 0) throw new Error(`reconcile.sh failed: ${reconcile.stderr}`);
    expect(psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'backup'").stdout).toBe('f\n');
  });

  afterAll(() => {
    asServerUser(`${PG_BIN}/pg_ctl -D ${dataDir} -m fast -w stop`);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the pod: dump to the emptyDir, upload with the MinIO keys, restore from the bucket', () => {
    const { dump, upload } = runPod('20250301-011500');
    expect(dump.stderr).toBe('');
    expect(upload!.stderr).toBe('');
    expect(upload!.status).toBe(0);
    const stored = path.join(bucket, 'postgres', '20250301-011500');
    expect(fs.readdirSync(path.join(bucket, 'postgres'))).toEqual(['20250301-011500']);
    expect(fs.readdirSync(stored).sort()).toEqual(['databases.list', 'globals.sql', 'mlflow.dump', 'postgres.dump']);
    // mc was given the backup user's keys from its Secret (not the root key, not literals from the manifest), through its environment.
    expect(fs.readFileSync(path.join(fake, 'env'), 'utf8'))
      .toBe('MC_HOST_backup=http://postgres-backup:backup-secret/+=@minio.ml-tracking.svc.cluster.local:9000\nMC_STS_ENDPOINT_backup=\n');
    expect(fs.readFileSync(path.join(fake, 'calls'), 'utf8')).not.toContain('backup-secret');

    expect(psql('postgres', 'CREATE DATABASE mlflow_restored').status).toBe(0);
    const restore = spawnSync(path.join(PG_BIN, 'pg_restore'), ['--no-owner', '-d', 'mlflow_restored', path.join(stored, 'mlflow.dump')], {
      encoding: 'utf8', env: client(),
    });
    expect(restore.stderr).toBe('');
    expect(psql('mlflow_restored', 'SELECT id, name FROM runs ORDER BY id').stdout).toBe('1|baseline\n2|tuned\n');
    expect(psql('postgres', 'DROP DATABASE mlflow_restored').status).toBe(0);
  });

  test('a failed dump uploads nothing; the bucket keeps the newest KEEP (2) backups', () => {
    const failed = runPod('20250302-011500', { PGPORT: '1' });
    expect(failed.dump.status).not.toBe(0);
    expect(failed.upload).toBeUndefined();
    // Even if the upload ran on what the failed dump left, it would refuse.
    const refused = spawnSync('dash', [path.join(scriptDir, 'backup-upload.sh')], {
      encoding: 'utf8', env: kubeletEnv(pod.upload.env, { PATH: `${bin}:/usr/bin:/bin`, FAKE: fake, DUMP_DIR: failed.emptyDir }),
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`backup-upload: no complete backup in ${failed.emptyDir}: the dump did not finish\n`);

    expect(runPod('20250303-011500').upload!.status).toBe(0);
    expect(runPod('20250304-011500').upload!.status).toBe(0);
    expect(fs.readdirSync(path.join(bucket, 'postgres')).sort()).toEqual(['20250303-011500', '20250304-011500']);
  });
});
