/**
 * The synthesized LogicalBackup script (from its ConfigMap, with the CronJob's environment)
 * against a real PostgreSQL server: dumps every database and the roles, restores with pg_restore,
 * keeps the newest KEEP backups and cleans up after a failed run. Needs Debian's postgresql
 * (test/integration/install-servers.sh installs it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BackupDestination, LogicalBackup, Profile } from '../../lib';
import { find, synth } from '../support/synth';
import { postgresDatabase } from '../support/databases';
import { postgresBinDir } from './database-support';
import { freePort } from '../support/ports';

const PG_BIN = postgresBinDir();
const IS_ROOT = process.getuid?.() === 0;

/** Runs a shell command as the postgres OS user when we are root (the server refuses root). */
function asServerUser(command: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = IS_ROOT
    ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { encoding: 'utf8', env: { ...process.env, ...env } })
    : spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The backup CronJob's script and environment, synthesized for a PostgreSQL StatefulDatabase. */
function synthesizedBackup() {
  const { chart, pack, db: database } = postgresDatabase(Profile.gke(), { replicas: 1 });
  new LogicalBackup(chart, 'backup', {
    database, destination: BackupDestination.claim({ tier: pack.standard, size: '50Gi' }), schedule: '@daily', keep: 2,
  });
  const objects = synth(chart);
  const cronJob = find(objects, 'CronJob', 'postgres-logical-backup');
  const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
  const configMap = find(objects, 'ConfigMap', 'postgres-logical-backup-script');
  return {
    script: configMap.data['backup-postgres.sh'] as string, env: container.env as Array<{ name: string; value?: string; valueFrom?: any }>,
    databaseConfig: find(objects, 'ConfigMap', 'postgres-config').data as Record<string, string>,
  };
}

describe('logical backup script against a real PostgreSQL', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-backup-'));
  const socketDir = path.join(work, 'run');
  const dataDir = path.join(work, 'data');
  const backupDir = path.join(work, 'backup');
  const bin = path.join(work, 'bin');
  const { script, env: cronEnv, databaseConfig } = synthesizedBackup();
  const scriptFile = path.join(work, 'backup-postgres.sh');
  let port = 0;
  const client = () => ({ PGHOST: socketDir, PGPORT: String(port), PGUSER: 'admin' });
  const psql = (db: string, sql: string) => spawnSync('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], {
    encoding: 'utf8', env: { ...process.env, ...client() },
  });

  /** Runs the script as the CronJob would: its env, with the Secret's values and a pinned clock. */
  function runBackup(stamp: string, overrides: Record<string, string> = {}) {
    fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\necho ${stamp}\n`, { mode: 0o755 });
    const env: Record<string, string> = { PATH: `${bin}:${PG_BIN}:/usr/bin:/bin` };
    for (const e of cronEnv) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.name === 'PGPASSWORD') env.PGPASSWORD = 'unused-with-trust';
    }
    // The pod reaches the primary through the rw Service on the network; here, the local socket.
    Object.assign(env, { BACKUP_DIR: backupDir, PGHOST: socketDir, PGPORT: String(port) }, overrides);
    return spawnSync('dash', [scriptFile], { encoding: 'utf8', env });
  }

  beforeAll(async () => {
    port = await freePort();
    fs.mkdirSync(socketDir);
    fs.mkdirSync(backupDir);
    fs.mkdirSync(bin);
    fs.writeFileSync(scriptFile, script);
    if (IS_ROOT) spawnSync('chown', ['-R', 'postgres', work]);
    fs.chmodSync(work, 0o755);
    const init = asServerUser(`${PG_BIN}/initdb -D ${dataDir} -U admin --auth=trust`);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const start = asServerUser(`${PG_BIN}/pg_ctl -D ${dataDir} -l ${work}/server.log -w -o "-p ${port} -k ${socketDir} -c listen_addresses=" start`);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}`);
    for (const sql of ['CREATE ROLE mlflow LOGIN', 'CREATE DATABASE mlflow OWNER mlflow', 'CREATE DATABASE feast']) {
      expect(psql('postgres', sql).status).toBe(0);
    }
    expect(psql('mlflow', "CREATE TABLE runs (id int PRIMARY KEY, name text); INSERT INTO runs VALUES (1, 'baseline'), (2, 'tuned');").status).toBe(0);
    // The database's own rendered reconcile.sh creates the backup role (databases.list: '@backup backup'),
    // as the primary does at every start; the password files are what its Secrets project.
    const config = path.join(work, 'config');
    fs.mkdirSync(config);
    for (const file of ['reconcile.sh', 'databases.list']) fs.writeFileSync(path.join(config, file), databaseConfig[file]);
    for (const [dir, pw] of [['replication', 'repl-pw'], ['backup', 'backup-pw']]) {
      fs.mkdirSync(path.join(work, 'secrets', dir), { recursive: true });
      fs.writeFileSync(path.join(work, 'secrets', dir, 'password'), pw);
    }
    const reconcile = spawnSync('dash', [path.join(config, 'reconcile.sh')], {
      encoding: 'utf8', timeout: 30000,
      env: { PATH: `${PG_BIN}:/usr/bin:/bin`, PGHOST: socketDir, PGPORT: String(port), DB_CONFIG_DIR: config, DB_SECRETS_DIR: path.join(work, 'secrets'), DB_SUPERUSER: 'admin' },
    });
    if (reconcile.status !== 0) throw new Error(`reconcile.sh failed: ${reconcile.stderr}`);
  });

  afterAll(() => {
    asServerUser(`${PG_BIN}/pg_ctl -D ${dataDir} -m fast -w stop`);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the CronJob sets every variable the script reads', () => {
    const names = cronEnv.map((e) => e.name).sort();
    expect(names).toEqual(['BACKUP_DIR', 'KEEP', 'PGHOST', 'PGPASSWORD', 'PGPORT', 'PGUSER']);
    expect(cronEnv.find((e) => e.name === 'PGHOST')!.value).toBe('postgres-rw.ml-db.svc.cluster.local');
    expect(cronEnv.find((e) => e.name === 'PGUSER')!.value).toBe('backup');
    expect(cronEnv.find((e) => e.name === 'PGPASSWORD')!.valueFrom).toEqual({ secretKeyRef: { name: 'postgres-backup', key: 'password' } });
  });

  test('the backup role is not a superuser: it reads through pg_read_all_data only', () => {
    expect(psql('postgres', "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = 'backup'").stdout).toBe('f|f|f|f|t\n');
    expect(psql('postgres', "SELECT pg_has_role('backup', 'pg_read_all_data', 'MEMBER')").stdout).toBe('t\n');
    // It can read the consumer's table but not change it.
    const write = spawnSync('psql', ['-X', '-At', '-d', 'mlflow', '-c', "INSERT INTO runs VALUES (3, 'x')"], { encoding: 'utf8', env: { ...process.env, ...client(), PGUSER: 'backup' } });
    expect(write.stderr).toContain('permission denied for table runs');
  });

  test('dumps roles and every database into a timestamped directory that pg_restore restores', () => {
    const run = runBackup('20250301-021500');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // Dumped as the backup role, not the superuser.
    expect(cronEnv.find((e) => e.name === 'PGUSER')!.value).toBe('backup');
    const dir = path.join(backupDir, '20250301-021500');
    expect(fs.readdirSync(dir).sort()).toEqual(['databases.list', 'feast.dump', 'globals.sql', 'mlflow.dump', 'postgres.dump']);
    expect(fs.readFileSync(path.join(dir, 'globals.sql'), 'utf8')).toContain('CREATE ROLE mlflow;');
    // No password hashes leave the server in a backup (a restored server sets them from its Secrets).
    expect(fs.readFileSync(path.join(dir, 'globals.sql'), 'utf8')).not.toContain('SCRAM-SHA-256$');

    expect(psql('postgres', 'CREATE DATABASE mlflow_restored').status).toBe(0);
    const restore = spawnSync(path.join(PG_BIN, 'pg_restore'), ['--no-owner', '-d', 'mlflow_restored', path.join(dir, 'mlflow.dump')], {
      encoding: 'utf8', env: { ...process.env, ...client() },
    });
    expect(restore.stderr).toBe('');
    expect(psql('mlflow_restored', 'SELECT id, name FROM runs ORDER BY id').stdout).toBe('1|baseline\n2|tuned\n');
    expect(psql('postgres', 'DROP DATABASE mlflow_restored').status).toBe(0);
  });

  test('keeps the newest KEEP (2) complete backups and removes what a failed run left', () => {
    // A run against a server that is not there fails and leaves a .partial directory behind.
    const failed = runBackup('20250302-021500', { PGPORT: '1' });
    expect(failed.status).not.toBe(0);
    expect(fs.existsSync(path.join(backupDir, '20250302-021500.partial'))).toBe(true);
    expect(fs.existsSync(path.join(backupDir, '20250302-021500'))).toBe(false);

    expect(runBackup('20250303-021500').status).toBe(0);
    fs.mkdirSync(path.join(backupDir, 'lost+found'));
    expect(runBackup('20250304-021500').status).toBe(0);
    expect(fs.readdirSync(backupDir).sort()).toEqual(['20250303-021500', '20250304-021500', 'lost+found']);
  });
});
