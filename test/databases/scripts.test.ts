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
import { describeEachShell } from '../support/shells';

function configMap(engine: DatabaseEngine): Record<string, string> {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'storage');
  const db = new StatefulDatabase(chart, 'db', {
    engine, replicas: 3, namespace: 'ml-db', storage: { tier: pack.fast, size: '1Gi' },
    credentials: Credentials.existingSecret('db-credentials'),
  });
  db.addDatabase('mlflow');
  return find(synth(chart), 'ConfigMap', 'db-config').data;
}

/**
 * Stand-ins appending `name args` (and stdin for psql, the password for pg_basebackup and the
 * mysqladmins) to $STUB_LOG. pg_isready exits with $STUB_ISREADY_<host>_<port> ('.' and '-' as
 * '_') when that is set, else 0 (accepting connections).
 */
const STUB = String.raw`#!/bin/sh
name=$(basename "$0")
echo "$name $*" >> "$STUB_LOG"
[ "$name" = psql ] && cat >> "$STUB_LOG"
[ "$name" = pg_basebackup ] && echo "PGPASSWORD=$PGPASSWORD" >> "$STUB_LOG"
case "$name" in mysqladmin|mariadb-admin) echo "MYSQL_PWD=$MYSQL_PWD" >> "$STUB_LOG" ;; esac
prev=''
host=''
port=''
for a; do
  # initdb and pg_basebackup create the directory named by -D.
  if [ "$prev" = -D ] && { [ "$name" = initdb ] || [ "$name" = pg_basebackup ]; }; then mkdir -p "$a"; echo 16 > "$a/PG_VERSION"; fi
  # A base backup of a standby carries the standby's settings.
  if [ "$prev" = -D ] && [ "$name" = pg_basebackup ]; then
    printf "wal_compression = 'on'\nprimary_conninfo = 'user=replicator password=old'\nprimary_slot_name = 'db_1'\n" > "$a/postgresql.auto.conf"
  fi
  [ "$prev" = -h ] && host=$a
  [ "$prev" = -p ] && port=$a
  prev=$a
done
if [ "$name" = pg_isready ]; then
  var="STUB_ISREADY_$(printf '%s_%s' "$host" "$port" | tr '.-' '__')"
  eval "exit \${$var:-0}"
fi
exit 0
`;

const REPLICA_1 = 'db-1.db-headless.ml-db.svc.cluster.local';
const REPLICA_2 = 'db-2.db-headless.ml-db.svc.cluster.local';
const ISREADY_1 = 'STUB_ISREADY_db_1_db_headless_ml_db_svc_cluster_local_5432';
const ISREADY_2 = 'STUB_ISREADY_db_2_db_headless_ml_db_svc_cluster_local_5432';

/** The SQL the primary's reconcile ends with: a slot per replica ordinal, drops of the ones scaled away. */
const slotSql = (replicas: number) => [
  ...Array.from({ length: replicas - 1 }, (_, i) => [
    `\\set slot db_${i + 1}`,
    "SELECT format('SELECT pg_create_physical_replication_slot(%L, true)', :'slot') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot') \\gexec",
  ]).flat(),
  "SELECT format('SELECT pg_drop_replication_slot(%L)', slot_name) FROM pg_replication_slots WHERE slot_type = 'physical' AND NOT active " +
    `AND slot_name ~ '^db_[0-9]+$' AND substring(slot_name FROM '[0-9]+$')::numeric >= ${replicas} \\gexec`,
];

describeEachShell('database scripts under %s', (shell) => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'db-scripts-'));
    fs.mkdirSync(path.join(tmp, 'bin'));
    for (const tool of ['initdb', 'pg_ctl', 'psql', 'pg_isready', 'pg_basebackup', 'postgres', 'mysqladmin', 'mariadb-admin']) {
      fs.writeFileSync(path.join(tmp, 'bin', tool), STUB, { mode: 0o755 });
    }
    fs.mkdirSync(path.join(tmp, 'secrets', 'superuser'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'secrets', 'replication'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'secrets', 'grants', 'mlflow'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'auth'));
    fs.writeFileSync(path.join(tmp, 'secrets', 'superuser', 'password'), 'su');
    fs.writeFileSync(path.join(tmp, 'secrets', 'replication', 'password'), "re'pl");
    fs.writeFileSync(path.join(tmp, 'secrets', 'grants', 'mlflow', 'password'), 'ml');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (script: string, env: Record<string, string>) => {
    const [bin, ...args] = shell;
    const result = spawnSync(bin, [...args, path.join(tmp, 'config', script)], {
      encoding: 'utf8', timeout: 20000,
      env: { PATH: `${path.join(tmp, 'bin')}:/usr/bin:/bin`, STUB_LOG: path.join(tmp, 'log'), ...env },
    });
    const log = fs.existsSync(path.join(tmp, 'log')) ? fs.readFileSync(path.join(tmp, 'log'), 'utf8').split(tmp).join('<tmp>') : '';
    return { status: result.status, stderr: result.stderr, log };
  };
  const clearLog = () => fs.rmSync(path.join(tmp, 'log'), { force: true });
  const postgresEnv = (pod: string, extra: Record<string, string> = {}) => ({
    PGDATA: path.join(tmp, 'data', 'pgdata'), PGHOST: path.join(tmp, 'run'), PGPORT: '5432',
    DB_CONFIG_DIR: path.join(tmp, 'config'), DB_SECRETS_DIR: path.join(tmp, 'secrets'), DB_SUPERUSER: 'admin',
    PRIMARY_HOST: 'db-0.db-headless.ml-db.svc.cluster.local', PRIMARY_PORT: '5432', REPLICATION_USER: 'replicator', POD_NAME: pod,
    DB_REPLICAS: '3', REPLICA_HOSTS: `${REPLICA_1} ${REPLICA_2}`, DB_PASSFILE: path.join(tmp, 'auth', 'replication.pgpass'),
    // No replica answers unless a test says so (2: no response).
    [ISREADY_1]: '2', [ISREADY_2]: '2',
    ...extra,
  });
  const pgdata = () => path.join(tmp, 'data', 'pgdata');
  const autoConf = () => fs.readFileSync(path.join(pgdata(), 'postgresql.auto.conf'), 'utf8');
  const writeConfig = (data: Record<string, string>) => {
    fs.mkdirSync(path.join(tmp, 'config'));
    for (const [file, text] of Object.entries(data)) fs.writeFileSync(path.join(tmp, 'config', file), text);
  };

  test('PostgreSQL primary: initdb with the password file, then idempotent roles, database and replication slots over the socket', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const { status, log, stderr } = run('bootstrap.sh', postgresEnv('db-0'));
    expect(stderr).toContain('postgres-bootstrap: primary (db-0): ready');
    expect(status).toBe(0);
    const opts = "-c config_file=<tmp>/config/postgresql.conf -c hba_file=<tmp>/config/pg_hba.conf -c listen_addresses='' " +
      "-c unix_socket_directories=<tmp>/run -c synchronous_standby_names='' -p 5432";
    expect(log).toBe([
      // The replicas were asked first: none answered.
      `pg_isready -q -h ${REPLICA_1} -p 5432 -t 3`,
      `pg_isready -q -h ${REPLICA_2} -p 5432 -t 3`,
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
      ...slotSql(3),
      'pg_ctl -D <tmp>/data/pgdata -m fast -w stop',
      '',
    ].join('\n'));
  });

  test('PostgreSQL primary after a scale-down to 2: keeps the slot of ordinal 1, drops inactive ones from ordinal 2 up', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const { status, log } = run('bootstrap.sh', postgresEnv('db-0', { DB_REPLICAS: '2' }));
    expect(status).toBe(0);
    expect(log).toContain(['ALTER DATABASE :"database" OWNER TO :"role";', ...slotSql(2), 'pg_ctl'].join('\n'));
    const bad = run('bootstrap.sh', postgresEnv('db-0', { DB_REPLICAS: 'three' }));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("postgres-bootstrap: DB_REPLICAS must be the StatefulSet's replica count, got 'three'\n");
  });

  test('an empty primary refuses while a replica answers (accepting or starting up), and initializes when told to', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const message = (replica: string) => `postgres-bootstrap: primary (db-0): ${pgdata()} is empty but the replica ${replica} is running: ` +
      "the primary's data was lost. Initializing a new, empty primary would leave every replica unable to follow it and block synchronous commits, " +
      'so this pod refuses to start. To keep the data, recover the primary from the most advanced replica: set recoverPrimaryFrom: <its ordinal> ' +
      'on the StatefulDatabase (env DB_RECOVER_PRIMARY_FROM=<its host>) and delete this pod (runbook: docs/database-operations.md). ' +
      "To discard all data on purpose, set allowEmptyPrimary: true (env DB_ALLOW_INITDB_WITH_REPLICAS=1) and delete every replica's data claim.\n";
    for (const answer of ['0', '1']) {
      const refused = run('bootstrap.sh', postgresEnv('db-0', { [ISREADY_2]: answer }));
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(message(`${REPLICA_2}:5432`));
      expect(refused.log).not.toContain('initdb');
      expect(fs.existsSync(pgdata())).toBe(false);
    }
    // host:port entries (servers side by side on one address) are asked on their port.
    clearLog();
    const local = run('bootstrap.sh', postgresEnv('db-0', { REPLICA_HOSTS: '127.0.0.1:6001 127.0.0.1:6002', STUB_ISREADY_127_0_0_1_6001: '2' }));
    expect(local.stderr).toBe(message('127.0.0.1:6002'));
    expect(local.log).toBe('pg_isready -q -h 127.0.0.1 -p 6001 -t 3\npg_isready -q -h 127.0.0.1 -p 6002 -t 3\n');
    // The deliberate override initializes without asking.
    clearLog();
    const allowed = run('bootstrap.sh', postgresEnv('db-0', { [ISREADY_1]: '0', DB_ALLOW_INITDB_WITH_REPLICAS: '1' }));
    expect(allowed.status).toBe(0);
    expect(allowed.log.split('\n')[0]).toMatch(/^initdb -D <tmp>\/data\/pgdata\.new /);
  });

  test('a lost primary recovered from a replica: clone it, drop its standby settings, replay, promote, then reconcile', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const { status, log, stderr } = run('bootstrap.sh', postgresEnv('db-0', { DB_RECOVER_PRIMARY_FROM: REPLICA_2, [ISREADY_2]: '0' }));
    expect(stderr).toContain(`postgres-bootstrap: primary (db-0): recovering the lost primary from the replica ${REPLICA_2}\n`);
    expect(status).toBe(0);
    const lines = log.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `pg_isready -q -h ${REPLICA_2} -p 5432 -t 5`,
      `pg_basebackup -d host=${REPLICA_2} port=5432 user=replicator application_name=db-0 -D <tmp>/data/pgdata.new -Fp -Xs -c fast -P`,
      "PGPASSWORD=re'pl",
      expect.stringMatching(/^pg_ctl -D <tmp>\/data\/pgdata -w -t 600 -o .* start$/),
      'pg_ctl -D <tmp>/data/pgdata -w -t 600 promote',
      'psql -X -q -v ON_ERROR_STOP=1 -U admin -d postgres',
    ]);
    expect(autoConf()).toBe("wal_compression = 'on'\n");
    // standby.signal stays for the stand-in; a real server removes it when promoted.
    expect(fs.readdirSync(pgdata()).sort()).toEqual(['PG_VERSION', 'postgresql.auto.conf', 'standby.signal']);
    fs.rmSync(path.join(pgdata(), 'standby.signal'));
    clearLog();
    // Later starts (the setting still there) neither clone nor promote again.
    const again = run('bootstrap.sh', postgresEnv('db-0', { DB_RECOVER_PRIMARY_FROM: REPLICA_2 }));
    expect(again.status).toBe(0);
    expect(again.log).not.toMatch(/promote|pg_basebackup/);
  });

  test('PostgreSQL replica: waits for the primary, then pg_basebackup (no -R: no password in the copy) and standby.signal', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    const { status, log } = run('bootstrap.sh', postgresEnv('db-1'));
    expect(status).toBe(0);
    expect(log).toBe([
      'pg_isready -q -h db-0.db-headless.ml-db.svc.cluster.local -p 5432 -t 5',
      'pg_basebackup -d host=db-0.db-headless.ml-db.svc.cluster.local port=5432 user=replicator application_name=db-1 -D <tmp>/data/pgdata.new -Fp -Xs -c fast -P',
      "PGPASSWORD=re'pl",
      '',
    ].join('\n'));
    expect(fs.readFileSync(path.join(pgdata(), 'PG_VERSION'), 'utf8')).toBe('16\n');
    expect(fs.existsSync(path.join(pgdata(), 'standby.signal'))).toBe(true);
  });

  test('POD_INDEX (the pod-index label) wins over the pod name; a name without an ordinal is refused', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    expect(run('bootstrap.sh', postgresEnv('db-0', { POD_INDEX: '1' })).log).toContain('application_name=db-0');
    const bad = run('bootstrap.sh', postgresEnv('database'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("postgres-bootstrap: cannot derive the pod ordinal from POD_INDEX='' or pod name 'database'\n");
  });

  test('a data directory that is not empty and not PostgreSQL is never touched', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(pgdata(), { recursive: true });
    fs.writeFileSync(path.join(pgdata(), 'precious'), 'x');
    const { status, stderr } = run('bootstrap.sh', postgresEnv('db-0'));
    expect(status).toBe(1);
    expect(stderr).toBe(`postgres-bootstrap: ${pgdata()} is neither empty nor a PostgreSQL data directory: refusing to touch it\n`);
    expect(fs.readdirSync(pgdata())).toEqual(['precious']);
  });

  test('a replica whose data is not a standby (restored copy of the primary) refuses to start', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(pgdata(), { recursive: true });
    fs.writeFileSync(path.join(pgdata(), 'PG_VERSION'), '16\n');
    const { status, stderr, log } = run('bootstrap.sh', postgresEnv('db-2'));
    expect(status).toBe(1);
    expect(stderr).toBe(`postgres-bootstrap: replica (db-2): ${pgdata()} holds a database that is not a standby ` +
      "(a restored copy or a former primary): refusing to start it as a second primary; delete this pod's data claim to clone " +
      'db-0.db-headless.ml-db.svc.cluster.local again\n');
    expect(log).toBe('');
    // Once it is a standby (standby.signal), the same data starts normally.
    fs.writeFileSync(path.join(pgdata(), 'standby.signal'), '');
    expect(run('bootstrap.sh', postgresEnv('db-2')).status).toBe(0);
  });

  test('PostgreSQL run: postgres in the foreground with the generated files; listen address only when overridden', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(pgdata(), { recursive: true });
    const base = 'postgres -D <tmp>/data/pgdata -c config_file=<tmp>/config/postgresql.conf -c hba_file=<tmp>/config/pg_hba.conf -c unix_socket_directories=<tmp>/run -p 5432';
    expect(run('run.sh', postgresEnv('db-1')).log).toBe(`${base}\n`);
    clearLog();
    expect(run('run.sh', postgresEnv('db-1', { PG_LISTEN_ADDRESSES: '127.0.0.1' })).log).toBe(`${base} -c listen_addresses=127.0.0.1\n`);
  });

  test('PostgreSQL replica run: pgpass from the Secret file (0600, \\ and : escaped), primary_conninfo without a password, its slot', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(pgdata(), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'secrets', 'replication', 'password'), "p:a\\ss'w0rd\n");
    // A replica cloned by an earlier version with pg_basebackup -R: the password is in the file.
    fs.writeFileSync(path.join(pgdata(), 'postgresql.auto.conf'), [
      '# Do not edit this file manually!',
      "work_mem = '8MB'",
      "primary_conninfo = 'user=replicator password=old host=db-0 port=5432 application_name=''db-2'''",
      '',
    ].join('\n'));
    const { status, stderr } = run('run.sh', postgresEnv('db-2'));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const passfile = path.join(tmp, 'auth', 'replication.pgpass');
    expect(fs.readFileSync(passfile, 'utf8')).toBe("*:*:*:replicator:p\\:a\\\\ss'w0rd\n");
    expect(fs.statSync(passfile).mode & 0o777).toBe(0o600);
    expect(autoConf()).toBe([
      '# Do not edit this file manually!',
      "work_mem = '8MB'",
      "primary_conninfo = 'host=''db-0.db-headless.ml-db.svc.cluster.local'' port=''5432'' user=''replicator'' " +
        `passfile=''${passfile}'' application_name=''db-2'''`,
      "primary_slot_name = 'db_2'",
      '',
    ].join('\n'));
    // Every start rewrites both: a rotated password takes effect, and each setting stays single.
    fs.writeFileSync(path.join(tmp, 'secrets', 'replication', 'password'), 'rotated');
    expect(run('run.sh', postgresEnv('db-2')).status).toBe(0);
    expect(fs.readFileSync(passfile, 'utf8')).toBe('*:*:*:replicator:rotated\n');
    expect(autoConf().match(/^primary_(conninfo|slot_name) =/gm)).toEqual(['primary_conninfo =', 'primary_slot_name =']);
  });

  test('PostgreSQL run: a password with a line break cannot go into pgpass; a primary drops replica settings it inherited', () => {
    writeConfig(configMap(DatabaseEngine.postgres('16.4')));
    fs.mkdirSync(pgdata(), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'secrets', 'replication', 'password'), 'two\nlines');
    const bad = run('run.sh', postgresEnv('db-1'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`postgres-run: the replication password in ${path.join(tmp, 'secrets', 'replication', 'password')} ` +
      'contains a line break, which a pgpass file cannot hold\n');
    expect(bad.log).toBe('');
    fs.writeFileSync(path.join(pgdata(), 'postgresql.auto.conf'), "work_mem = '8MB'\nprimary_conninfo = 'host=x password=y'\nprimary_slot_name = 'db_1'\n");
    expect(run('run.sh', postgresEnv('db-0')).status).toBe(0);
    expect(autoConf()).toBe("work_mem = '8MB'\n");
    expect(fs.existsSync(path.join(tmp, 'auth', 'replication.pgpass'))).toBe(false);
  });

  test.each([['mysql', 'mysqladmin'], ['mariadb', 'mariadb-admin']])(
    '%s preStop: %s shutdown over the socket as root, the password from the mounted file in MYSQL_PWD (not argv)', (engine, admin) => {
      writeConfig(configMap(engine === 'mysql' ? DatabaseEngine.mysql('8.4.3') : DatabaseEngine.mariadb('11.4.4')));
      fs.writeFileSync(path.join(tmp, 'secrets', 'superuser', 'password'), "s'u p\\w");
      const { status, log } = run('stop.sh', { DB_ENGINE: engine, DB_SOCKET: path.join(tmp, 'run', 'mysqld.sock'), DB_SECRETS_DIR: path.join(tmp, 'secrets') });
      expect(status).toBe(0);
      expect(log).toBe(`${admin} --no-defaults --socket=<tmp>/run/mysqld.sock --user=root shutdown\nMYSQL_PWD=s'u p\\w\n`);
    });

  test('MySQL-family scripts refuse an unknown engine', () => {
    writeConfig(configMap(DatabaseEngine.mariadb('11.4.4')));
    const { status, stderr } = run('run.sh', { DB_ENGINE: 'oracle', DB_DATA_DIR: tmp, DB_SOCKET: 's', DB_CONFIG_DIR: tmp, POD_NAME: 'db-0' });
    expect(status).toBe(1);
    expect(stderr).toBe("DB_ENGINE must be mysql or mariadb, got 'oracle'\n");
    expect(run('stop.sh', { DB_ENGINE: 'oracle', DB_SOCKET: 's', DB_SECRETS_DIR: tmp }).stderr).toBe("DB_ENGINE must be mysql or mariadb, got 'oracle'\n");
  });
});
