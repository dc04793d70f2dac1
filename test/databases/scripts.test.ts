/**
 * The PostgreSQL and MySQL-family scripts executed under dash and busybox sh with recording
 * stand-ins for the server tools: ordinal derivation, refusals, the exact SQL and command lines.
 * (test/integration runs the same scripts against real PostgreSQL and MariaDB servers.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack } from '../../lib';
import { find, newChart, synth } from '../support/synth';

function configMap(engine: DatabaseEngine): Record<string, string> {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'storage');
  const db = new StatefulDatabase(chart, 'db', {
    engine, replicas: 2, namespace: 'ml-db', storage: { tier: pack.fast, size: '1Gi' },
    credentials: Credentials.existingSecret('db-credentials'),
  });
  db.addDatabase('mlflow');
  return find(synth(chart), 'ConfigMap', 'db-config').data;
}

/** Stand-ins appending `name args` (and stdin for psql) to $STUB_LOG. */
const STUB = `#!/bin/sh
name=$(basename "$0")
echo "$name $*" >> "$STUB_LOG"
[ "$name" = psql ] && cat >> "$STUB_LOG"
[ "$name" = pg_basebackup ] && echo "PGPASSWORD=$PGPASSWORD" >> "$STUB_LOG"
# initdb and pg_basebackup create the directory named by -D.
prev=''
for a; do
  if [ "$prev" = -D ] && { [ "$name" = initdb ] || [ "$name" = pg_basebackup ]; }; then mkdir -p "$a"; echo 16 > "$a/PG_VERSION"; fi
  # pg_basebackup -R makes the copy a standby.
  if [ "$prev" = -D ] && [ "$name" = pg_basebackup ]; then : > "$a/standby.signal"; fi
  prev=$a
done
exit 0
`;

describe.each(['dash', 'busybox sh'])('database scripts under %s', (shell) => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'db-scripts-'));
    fs.mkdirSync(path.join(tmp, 'bin'));
    for (const tool of ['initdb', 'pg_ctl', 'psql', 'pg_isready', 'pg_basebackup', 'postgres']) {
      fs.writeFileSync(path.join(tmp, 'bin', tool), STUB, { mode: 0o755 });
    }
    fs.mkdirSync(path.join(tmp, 'secrets', 'superuser'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'secrets', 'replication'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'secrets', 'grants', 'mlflow'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'secrets', 'superuser', 'password'), 'su');
    fs.writeFileSync(path.join(tmp, 'secrets', 'replication', 'password'), "re'pl");
    fs.writeFileSync(path.join(tmp, 'secrets', 'grants', 'mlflow', 'password'), 'ml');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (script: string, env: Record<string, string>) => {
    const [bin, ...args] = shell.split(' ');
    const result = spawnSync(bin, [...args, path.join(tmp, 'config', script)], {
      encoding: 'utf8', timeout: 20000,
      env: { PATH: `${path.join(tmp, 'bin')}:/usr/bin:/bin`, STUB_LOG: path.join(tmp, 'log'), ...env },
    });
    const log = fs.existsSync(path.join(tmp, 'log')) ? fs.readFileSync(path.join(tmp, 'log'), 'utf8').split(tmp).join('<tmp>') : '';
    return { status: result.status, stderr: result.stderr, log };
  };
  const postgresEnv = (pod: string, extra: Record<string, string> = {}) => ({
    PGDATA: path.join(tmp, 'data', 'pgdata'), PGHOST: path.join(tmp, 'run'), PGPORT: '5432',
    DB_CONFIG_DIR: path.join(tmp, 'config'), DB_SECRETS_DIR: path.join(tmp, 'secrets'), DB_SUPERUSER: 'admin',
    PRIMARY_HOST: 'db-0.db-headless.ml-db.svc.cluster.local', PRIMARY_PORT: '5432', REPLICATION_USER: 'replicator', POD_NAME: pod, ...extra,
  });
  const writeConfig = (data: Record<string, string>) => {
    fs.mkdirSync(path.join(tmp, 'config'));
    for (const [file, text] of Object.entries(data)) fs.writeFileSync(path.join(tmp, 'config', file), text);
  };

  test('PostgreSQL primary: initdb with the password file, then idempotent roles and database over the socket', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const { status, log, stderr } = run('bootstrap.sh', postgresEnv('db-0'));
    expect(stderr).toContain('postgres-bootstrap: primary (db-0): ready');
    expect(status).toBe(0);
    const opts = "-c config_file=<tmp>/config/postgresql.conf -c hba_file=<tmp>/config/pg_hba.conf -c listen_addresses='' " +
      "-c unix_socket_directories=<tmp>/run -c synchronous_standby_names='' -p 5432";
    expect(log).toBe([
      'initdb -D <tmp>/data/pgdata.new -U admin --pwfile=<tmp>/secrets/superuser/password --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --data-checksums',
      `pg_ctl -D <tmp>/data/pgdata -w -t 600 -o ${opts} start`,
      'psql -X -q -v ON_ERROR_STOP=1 -U admin -d postgres',
      '\\set role replicator',
      "\\set pw `cat '<tmp>/secrets/replication/password'`",
      "SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec",
      "ALTER ROLE :\"role\" WITH LOGIN REPLICATION PASSWORD :'pw';",
      '\\set role mlflow',
      "\\set pw `cat '<tmp>/secrets/grants/mlflow/password'`",
      "SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec",
      "ALTER ROLE :\"role\" WITH LOGIN  PASSWORD :'pw';",
      '\\set database mlflow',
      "SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \\gexec",
      'ALTER DATABASE :"database" OWNER TO :"role";',
      'pg_ctl -D <tmp>/data/pgdata -m fast -w stop',
      '',
    ].join('\n'));
  });

  test('PostgreSQL replica: waits for the primary, then pg_basebackup -R with its pod name as application_name', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const { status, log } = run('bootstrap.sh', postgresEnv('db-1'));
    expect(status).toBe(0);
    expect(log).toBe([
      'pg_isready -q -h db-0.db-headless.ml-db.svc.cluster.local -p 5432 -t 5',
      'pg_basebackup -d host=db-0.db-headless.ml-db.svc.cluster.local port=5432 user=replicator application_name=db-1 -D <tmp>/data/pgdata.new -Fp -Xs -R -c fast -P',
      "PGPASSWORD=re'pl",
      '',
    ].join('\n'));
    expect(fs.readFileSync(path.join(tmp, 'data', 'pgdata', 'PG_VERSION'), 'utf8')).toBe('16\n');
  });

  test('POD_INDEX (the pod-index label) wins over the pod name; a name without an ordinal is refused', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    expect(run('bootstrap.sh', postgresEnv('db-0', { POD_INDEX: '1' })).log).toContain('application_name=db-0');
    const bad = run('bootstrap.sh', postgresEnv('database'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("postgres-bootstrap: cannot derive an ordinal from pod name 'database'\n");
  });

  test('a data directory that is not empty and not PostgreSQL is never touched', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(path.join(tmp, 'data', 'pgdata'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'data', 'pgdata', 'precious'), 'x');
    const { status, stderr } = run('bootstrap.sh', postgresEnv('db-0'));
    expect(status).toBe(1);
    expect(stderr).toBe(`postgres-bootstrap: ${path.join(tmp, 'data', 'pgdata')} is neither empty nor a PostgreSQL data directory: refusing to touch it\n`);
    expect(fs.readdirSync(path.join(tmp, 'data', 'pgdata'))).toEqual(['precious']);
  });

  test('a replica whose data is not a standby (restored copy of the primary) refuses to start', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(path.join(tmp, 'data', 'pgdata'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'data', 'pgdata', 'PG_VERSION'), '16\n');
    const { status, stderr, log } = run('bootstrap.sh', postgresEnv('db-2'));
    expect(status).toBe(1);
    expect(stderr).toBe(`postgres-bootstrap: replica (db-2): ${path.join(tmp, 'data', 'pgdata')} holds a database that is not a standby ` +
      "(a restored copy or a former primary): refusing to start it as a second primary; delete this pod's data claim to clone " +
      'db-0.db-headless.ml-db.svc.cluster.local again\n');
    expect(log).toBe('');
    // Once it is a standby (standby.signal), the same data starts normally.
    fs.writeFileSync(path.join(tmp, 'data', 'pgdata', 'standby.signal'), '');
    expect(run('bootstrap.sh', postgresEnv('db-2')).status).toBe(0);
  });

  test('PostgreSQL run: postgres in the foreground with the generated files; listen address only when overridden', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const base = 'postgres -D <tmp>/data/pgdata -c config_file=<tmp>/config/postgresql.conf -c hba_file=<tmp>/config/pg_hba.conf -c unix_socket_directories=<tmp>/run -p 5432';
    expect(run('run.sh', postgresEnv('db-1')).log).toBe(`${base}\n`);
    fs.rmSync(path.join(tmp, 'log'));
    expect(run('run.sh', postgresEnv('db-1', { PG_LISTEN_ADDRESSES: '127.0.0.1' })).log).toBe(`${base} -c listen_addresses=127.0.0.1\n`);
  });

  test('MySQL-family scripts refuse an unknown engine', () => {
    writeConfig(configMap(DatabaseEngine.mariadb('11.4.4')));
    const { status, stderr } = run('run.sh', { DB_ENGINE: 'oracle', DB_DATA_DIR: tmp, DB_SOCKET: 's', DB_CONFIG_DIR: tmp, POD_NAME: 'db-0' });
    expect(status).toBe(1);
    expect(stderr).toBe("DB_ENGINE must be mysql or mariadb, got 'oracle'\n");
  });
});
