/**
 * The synthesized MySQL 8 bootstrap/run scripts, executed under dash and busybox sh with
 * recording stand-ins for mysqld, mysql and mysqladmin (Debian ships no MySQL server): the
 * exact statements each role sends, and the exact server command lines.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack } from '../../lib';
import { Manifest, find, newChart, synth } from '../support/synth';
import { containerEnv, containerScript, writeConfigMap, writeProjectedSecrets } from './database-support';

const SECRETS = {
  'mysql-credentials': { username: 'admin', password: "sup'er\\pw" },
  'mysql-replication': { username: 'replicator', password: "re'pl\\pw" },
  'mysql-mlflow': { username: 'mlflow', password: "ml'flow\\pw" },
};

/** Stand-ins that append what they are asked to do to $STUB_LOG. */
const STUBS: Record<string, string> = {
  mysqld: `#!/bin/sh
echo "mysqld $*" >> "$STUB_LOG"
init='' datadir='' pidfile='' socket=''
for a; do
  case "$a" in
    --initialize-insecure) init=1 ;;
    --datadir=*) datadir=\${a#--datadir=} ;;
    --pid-file=*) pidfile=\${a#--pid-file=} ;;
    --socket=*) socket=\${a#--socket=} ;;
  esac
done
if [ -n "$init" ]; then mkdir -p "$datadir/mysql"; exit 0; fi
[ -n "$pidfile" ] || exit 0
echo $$ > "$pidfile"
: > "$socket"
trap 'rm -f "$socket"; exit 0' TERM
while :; do sleep 1 & wait $!; done
`,
  mysqladmin: `#!/bin/sh
for a; do case "$a" in --socket=*) [ -e "\${a#--socket=}" ]; exit $? ;; --host=stopped-replica) exit 1 ;; esac; done
exit 0
`,
  mysql: `#!/bin/sh
sql=$(cat)
printf -- '-- mysql %s (password: %s)\\n%s\\n' "$*" "\${MYSQL_PWD:-none}" "$sql" >> "$STUB_LOG"
case "$sql" in
  *'CLONE INSTANCE'*)
    kill -TERM "$(cat "$DB_TMP_DIR/bootstrap.pid")"
    echo 'ERROR 3707 (HY000) at line 2: Restart server failed (mysqld is not managed by supervisor process).' >&2
    exit 1 ;;
esac
`,
};

function synthesized(): Manifest[] {
  const { chart } = newChart(Profile.gke());
  const pack = new StorageClassPack(chart, 'pack');
  const db = new StatefulDatabase(chart, 'mysql', {
    engine: DatabaseEngine.mysql('8.4.3'),
    replicas: 3,
    namespace: 'ml-db',
    storage: { tier: pack.fast, size: '50Gi' },
    credentials: Credentials.existingSecret('mysql-credentials'),
    replicationCredentials: Credentials.existingSecret('mysql-replication'),
  });
  db.addDatabase('mlflow');
  return synth(chart);
}

const SUPERUSER_PW = "sup''er\\\\pw";
const REPLICATION_PW = "re''pl\\\\pw";
const MLFLOW_PW = "ml''flow\\\\pw";

describe.each(['dash', 'busybox sh'])('synthesized MySQL scripts under %s', (shell) => {
  const objects = synthesized();
  const statefulSet = find(objects, 'StatefulSet', 'mysql');
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-it-'));
    writeConfigMap(find(objects, 'ConfigMap', 'mysql-config'), path.join(tmp, 'config'));
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    fs.mkdirSync(path.join(tmp, 'bin'));
    for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(tmp, 'bin', name), text, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (container: 'bootstrap' | 'mysql', ordinal: number) => {
    const pod = path.join(tmp, `pod-${ordinal}`);
    for (const dir of ['data', 'run', 'tmp']) fs.mkdirSync(path.join(pod, dir), { recursive: true });
    const env = containerEnv(statefulSet, container, `mysql-${ordinal}`, SECRETS, {
      DB_DATA_DIR: path.join(pod, 'data', 'data'),
      DB_SOCKET: path.join(pod, 'run', 'mysqld.sock'),
      DB_TMP_DIR: path.join(pod, 'tmp'),
      DB_CONFIG_DIR: path.join(tmp, 'config'),
      DB_SECRETS_DIR: path.join(tmp, 'secrets'),
      // The empty-primary guard pings the replicas: here one that does not answer.
      REPLICA_HOSTS: 'stopped-replica',
      DB_CLIENT_CNF: path.join(pod, 'run', 'probe.cnf'),
      PATH: `${path.join(tmp, 'bin')}:${process.env.PATH}`,
    });
    const log = path.join(tmp, `log-${container}-${ordinal}`);
    const [bin, ...args] = shell.split(' ');
    const result = spawnSync(bin, [...args, path.join(tmp, 'config', containerScript(statefulSet, container))], {
      env: { ...env, STUB_LOG: log }, encoding: 'utf8', timeout: 30000,
    });
    if (result.status !== 0) throw new Error(`${container} exited ${result.status}: ${result.stderr}`);
    return { log: fs.readFileSync(log, 'utf8').replace(new RegExp(tmp, 'g'), '<tmp>'), stderr: result.stderr, pod };
  };

  test('primary, first start: initialize, root password, then the superuser, replication user and consumer database', () => {
    const { log, pod } = run('bootstrap', 0);
    const socket = '--no-defaults --socket=<tmp>/pod-0/run/mysqld.sock --user=root --batch --skip-column-names';
    const temp = '--defaults-file=<tmp>/config/my.cnf --socket=<tmp>/pod-0/run/mysqld.sock --pid-file=<tmp>/pod-0/tmp/bootstrap.pid --skip-networking --server-id=1 --skip-replica-start --loose-rpl-semi-sync-master-enabled=OFF --loose-rpl-semi-sync-source-enabled=OFF';
    expect(log).toBe([
      'mysqld --defaults-file=<tmp>/config/my.cnf --datadir=<tmp>/pod-0/data/data.new --initialize-insecure',
      `mysqld ${temp.replace('--socket', '--datadir=<tmp>/pod-0/data/data.new --socket')}`,
      `-- mysql ${socket} (password: none)`,
      `ALTER USER 'root'@'localhost' IDENTIFIED BY '${SUPERUSER_PW}';`,
      `mysqld ${temp.replace('--socket', '--datadir=<tmp>/pod-0/data/data --socket')}`,
      `-- mysql ${socket} (password: sup'er\\pw)`,
      `CREATE USER IF NOT EXISTS 'root'@'localhost' IDENTIFIED BY '${SUPERUSER_PW}';`,
      `ALTER USER 'root'@'localhost' IDENTIFIED BY '${SUPERUSER_PW}';`,
      `CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY '${SUPERUSER_PW}';`,
      `ALTER USER 'admin'@'%' IDENTIFIED BY '${SUPERUSER_PW}';`,
      "GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION;",
      `CREATE USER IF NOT EXISTS 'replicator'@'%' IDENTIFIED BY '${REPLICATION_PW}';`,
      `ALTER USER 'replicator'@'%' IDENTIFIED BY '${REPLICATION_PW}';`,
      "GRANT REPLICATION SLAVE, BACKUP_ADMIN ON *.* TO 'replicator'@'%';",
      'CREATE DATABASE IF NOT EXISTS `mlflow`;',
      `CREATE USER IF NOT EXISTS 'mlflow'@'%' IDENTIFIED BY '${MLFLOW_PW}';`,
      `ALTER USER 'mlflow'@'%' IDENTIFIED BY '${MLFLOW_PW}';`,
      "GRANT ALL PRIVILEGES ON `mlflow`.* TO 'mlflow'@'%';",
      '',
    ].join('\n'));
    expect(fs.existsSync(path.join(pod, 'data', 'data', 'mysql'))).toBe(true);
    expect(fs.existsSync(path.join(pod, 'data', 'data.new'))).toBe(false);
  });

  test('replica, first start: CLONE INSTANCE from the primary, then CHANGE REPLICATION SOURCE with GTID auto-positioning', () => {
    const { log } = run('bootstrap', 2);
    const host = 'mysql-0.mysql-headless.ml-db.svc.cluster.local';
    const statements = log.split('\n').filter((l) => !l.startsWith('mysqld ') && !l.startsWith('-- mysql'));
    expect(statements).toEqual([
      `SET GLOBAL clone_valid_donor_list = '${host}:3306';`,
      `CLONE INSTANCE FROM 'replicator'@'${host}':3306 IDENTIFIED BY '${REPLICATION_PW}';`,
      `CHANGE REPLICATION SOURCE TO SOURCE_HOST = '${host}', SOURCE_PORT = 3306, SOURCE_USER = 'replicator', SOURCE_PASSWORD = '${REPLICATION_PW}', ` +
        'SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1, SOURCE_CONNECT_RETRY = 10;',
      '',
    ]);
    // The clone runs on the fresh directory as root without a password; afterwards root has the primary's password.
    expect(log).toContain('--server-id=3 --skip-replica-start');
    expect(log.match(/^-- mysql .*$/gm)).toEqual([
      '-- mysql --no-defaults --socket=<tmp>/pod-2/run/mysqld.sock --user=root --batch --skip-column-names (password: none)',
      "-- mysql --no-defaults --socket=<tmp>/pod-2/run/mysqld.sock --user=root --batch --skip-column-names (password: sup'er\\pw)",
    ]);
  });

  test('a second start only reconciles: no initialization, no clone', () => {
    run('bootstrap', 1);
    fs.rmSync(path.join(tmp, 'log-bootstrap-1'));
    const { log } = run('bootstrap', 1);
    expect(log).not.toContain('--initialize-insecure');
    expect(log).not.toContain('CLONE');
    expect(log).toContain('CHANGE REPLICATION SOURCE TO');
  });

  test('the server command line: server-id from the ordinal, super_read_only on replicas only', () => {
    const primary = run('mysql', 0).log;
    const replica = run('mysql', 2).log;
    const common = (i: number) => `mysqld --defaults-file=<tmp>/config/my.cnf --datadir=<tmp>/pod-${i}/data/data --socket=<tmp>/pod-${i}/run/mysqld.sock --port=3306`;
    expect(primary).toBe(`${common(0)} --server-id=1\n`);
    expect(replica).toBe(`${common(2)} --server-id=3 --super-read-only=ON\n`);
  });
});
