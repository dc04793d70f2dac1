/**
 * The synthesized MySQL-family bootstrap/run scripts and my.cnf on real MariaDB servers
 * (Debian's mariadb-server): a primary and a GTID replica on 127.0.0.1, a consumer database
 * created by addDatabase(), replication, read-only replica, a clean shutdown by the preStop
 * hook, persistence across a restart.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack } from '../../lib';
import { Manifest, find, newChart, synth } from '../support/synth';
import { containerEnv, containerScript, writeConfigMap, writeProjectedSecrets } from './database-support';
import { freePort } from '../support/ports';
import { RunAs, chownTree, runScript, startScript, stop, systemUser, waitFor } from '../support/servers';
import { installed } from '../support/tools';

const SECRETS = {
  'mariadb-credentials': { username: 'admin', password: 'sup3r"secret\'pw\\x' },
  'mariadb-feast': { username: 'feast', password: "fe'ast\\pw$x" },
};
const PATH = `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH}`;

function synthesized(): { statefulSet: Manifest; configMap: Manifest } {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'pack');
  const db = new StatefulDatabase(chart, 'mariadb', {
    engine: DatabaseEngine.mariadb('10.11.10'),
    replicas: 2,
    namespace: 'ml-db',
    storage: { tier: pack.fast, size: '1Gi' },
    credentials: Credentials.existingSecret('mariadb-credentials'),
    resources: { memory: '256Mi' },
  });
  db.addDatabase('feast');
  const objects = synth(chart);
  return { statefulSet: find(objects, 'StatefulSet', 'mariadb'), configMap: find(objects, 'ConfigMap', 'mariadb-config') };
}

describe('synthesized MariaDB scripts on real servers', () => {
  const { statefulSet, configMap } = synthesized();
  const user: RunAs | undefined = process.getuid?.() === 0 ? systemUser('mysql') : undefined;
  let tmp: string;
  const ports: number[] = [];
  const servers: Array<ReturnType<typeof startScript> | undefined> = [];

  const configDir = () => path.join(tmp, 'config');
  const env = (container: string, ordinal: number) => containerEnv(statefulSet, container, `mariadb-${ordinal}`, SECRETS, {
    DB_DATA_DIR: path.join(tmp, `pod-${ordinal}`, 'data', 'data'),
    DB_SOCKET: path.join(tmp, `pod-${ordinal}`, 'run', 'mysqld.sock'),
    DB_TMP_DIR: path.join(tmp, `pod-${ordinal}`, 'tmp'),
    DB_PORT: String(ports[ordinal]),
    DB_CONFIG_DIR: configDir(),
    DB_SECRETS_DIR: path.join(tmp, 'secrets'),
    PRIMARY_HOST: '127.0.0.1',
    PRIMARY_PORT: String(ports[0]),
    DB_BIND_ADDRESS: '127.0.0.1',
    PATH,
    HOME: tmp,
  });
  const bootstrap = (ordinal: number) => runScript(path.join(configDir(), containerScript(statefulSet, 'bootstrap')), env('bootstrap', ordinal), user);
  const ping = (ordinal: number) => spawnSync('mariadb-admin', ['--no-defaults', '-h', '127.0.0.1', '-P', String(ports[ordinal]), 'ping'], { env: { PATH } }).status === 0;
  const start = async (ordinal: number) => {
    servers[ordinal] = startScript(path.join(configDir(), containerScript(statefulSet, 'mariadb')), env('mariadb', ordinal), user);
    await waitFor(`mariadb-${ordinal} to accept connections`, () => ping(ordinal));
  };
  /** Runs SQL over TCP with a password, as a client of the Service would. */
  const sql = (ordinal: number, login: 'admin' | 'feast', statement: string) => {
    const secret = login === 'admin' ? SECRETS['mariadb-credentials'] : SECRETS['mariadb-feast'];
    const result = spawnSync('mariadb', ['--no-defaults', '--batch', '--skip-column-names', '-h', '127.0.0.1', '-P', String(ports[ordinal]), '-u', login,
      ...(login === 'feast' ? ['feast'] : []), '-e', statement], {
      encoding: 'utf8', env: { PATH, MYSQL_PWD: secret.password }, timeout: 30000,
    });
    return { ok: result.status === 0, out: (result.stdout ?? '').trim(), err: result.stderr ?? '' };
  };
  const must = (r: { ok: boolean; out: string; err: string }) => {
    if (!r.ok) throw new Error(r.err);
    return r.out;
  };
  const replicaStatus = (ordinal: number): Record<string, string> => {
    const result = spawnSync('mariadb', ['--no-defaults', '-h', '127.0.0.1', '-P', String(ports[ordinal]), '-u', 'admin', '-e', 'SHOW REPLICA STATUS\\G'], {
      encoding: 'utf8', env: { PATH, MYSQL_PWD: SECRETS['mariadb-credentials'].password }, timeout: 30000,
    });
    const fields = (result.stdout ?? '').split('\n').map((l) => /^\s*(\w+): (.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    return Object.fromEntries(fields.map((m) => [m[1], m[2]]));
  };

  beforeAll(async () => {
    for (const binary of ['mariadbd', 'mariadb', 'mariadb-install-db', 'mariadb-dump', 'mariadb-admin']) {
      if (!spawnSync('sh', ['-c', `command -v ${binary}`], { env: { PATH } }).stdout.length && !installed(binary)) {
        throw new Error(`${binary} not found: run test/integration/install-servers.sh (Debian package mariadb-server)`);
      }
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-it-'));
    fs.chmodSync(tmp, 0o755);
    writeConfigMap(configMap, configDir());
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    for (const ordinal of [0, 1]) {
      ports.push(await freePort());
      for (const dir of ['data', 'run', 'tmp']) fs.mkdirSync(path.join(tmp, `pod-${ordinal}`, dir), { recursive: true });
    }
    chownTree(tmp, user);
  });

  afterAll(async () => {
    for (const server of servers) await stop(server?.process, 'SIGTERM');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the primary initializes and creates the superuser, the replication user and the consumer database', async () => {
    const log = bootstrap(0);
    expect(log).toContain('initializing');
    await start(0);
    expect(must(sql(0, 'admin', 'SELECT @@server_id, @@read_only, @@log_bin, @@gtid_strict_mode'))).toBe('1\t0\t1\t1');
    expect(must(sql(0, 'admin', "SELECT COUNT(*) FROM mysql.user WHERE user = 'replicator' AND host = '%' AND Repl_slave_priv = 'Y'"))).toBe('1');
    expect(must(sql(0, 'feast', 'SELECT CURRENT_USER(), DATABASE()'))).toBe('feast@%\tfeast');
    expect(sql(0, 'feast', 'CREATE DATABASE other').err).toContain("Access denied for user 'feast'@'%'");
  });

  test('the replica copies the primary, replicates by GTID and is read-only', async () => {
    must(sql(0, 'feast', "CREATE TABLE features (id INT PRIMARY KEY, name VARCHAR(32)); INSERT INTO features VALUES (1, 'before the replica')"));
    const log = bootstrap(1);
    expect(log).toContain('replica (mariadb-1): copying the primary with mariadb-dump --gtid');
    await start(1);
    expect(must(sql(1, 'admin', 'SELECT @@server_id, @@read_only'))).toBe('2\t1');
    await waitFor('replication to run', () => {
      const status = replicaStatus(1);
      return status.Slave_IO_Running === 'Yes' && status.Slave_SQL_Running === 'Yes';
    });
    expect(replicaStatus(1)).toMatchObject({ Master_Host: '127.0.0.1', Master_User: 'replicator', Using_Gtid: 'Slave_Pos' });
    expect(must(sql(1, 'feast', 'SELECT name FROM features WHERE id = 1'))).toBe('before the replica');
  });

  test('a row written on the primary is read on the replica, which refuses writes', async () => {
    must(sql(0, 'feast', "INSERT INTO features VALUES (2, 'replicated')"));
    await waitFor('the row on the replica', () => sql(1, 'feast', 'SELECT name FROM features WHERE id = 2').out === 'replicated');
    const write = sql(1, 'feast', "INSERT INTO features VALUES (3, 'on the replica')");
    expect(write.ok).toBe(false);
    expect(write.err).toContain('--read-only');
  });

  test('after a restart of the primary the data is still there and replication resumes', async () => {
    // The preStop hook as the kubelet runs it: the server shuts down cleanly before any signal.
    const preStop = statefulSet.spec.template.spec.containers.find((c: any) => c.name === 'mariadb').lifecycle.preStop.exec.command;
    expect(preStop).toEqual(['sh', '/etc/db/config/stop.sh']);
    const exited = new Promise<number | null>((resolve) => servers[0]!.process.once('exit', (code) => resolve(code)));
    runScript(path.join(configDir(), path.basename(preStop[1])), env('mariadb', 0), user);
    expect(await exited).toBe(0);
    expect(servers[0]!.output()).toMatch(/mariadbd: Shutdown complete/);
    expect(ping(0)).toBe(false);
    const log = bootstrap(0);
    expect(log).not.toContain('initializing');
    expect(log).toContain('reconciling users and databases');
    await start(0);
    expect(must(sql(0, 'feast', 'SELECT name FROM features ORDER BY id'))).toBe('before the replica\nreplicated');
    must(sql(0, 'feast', "INSERT INTO features VALUES (4, 'after restart')"));
    await waitFor('the new row on the replica', () => sql(1, 'feast', 'SELECT name FROM features WHERE id = 4').out === 'after restart', 60000);
  });
});
