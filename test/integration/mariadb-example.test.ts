/**
 * examples/mariadb, rendered as `npm run example -- mariadb` renders it (AKS profile, gates), run on
 * Debian's MariaDB 10.11: each pod on its own loopback address (127.0.16.2 and .3) on the rendered
 * port 3306, with the rendered scripts, environment and readiness probe. The test resolves the
 * cluster DNS names (PRIMARY_HOST, REPLICA_HOSTS) to those addresses and maps the pod's volumes
 * to a temporary directory.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { renderProfile } from '../../lib';
import { build } from '../../examples/mariadb/main';
import { Manifest, find } from '../support/synth';
import { containerEnv, containerScript, writeConfigMap, writeProjectedSecrets } from './database-support';
import { RunAs, chownTree, runScript, startScript, stop, systemUser, waitFor } from '../support/servers';

const SECRETS = {
  'mariadb-superuser': { username: 'admin', password: 'sup3r"secret\'pw\\x' },
  'mariadb-replication': { password: 'repl-pw' },
  'catalog-db': { username: 'catalog', password: 'catalog-pw' },
};
const PATH = `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH}`;
const ADDRESSES = ['127.0.16.2', '127.0.16.3'];

function rendered(): { statefulSet: Manifest; configMap: Manifest } {
  const app = new App();
  const { profile } = build(app);
  const objects = renderProfile(app, profile).objects as Manifest[];
  return { statefulSet: find(objects, 'StatefulSet', 'mariadb'), configMap: find(objects, 'ConfigMap', 'mariadb-config') };
}

describe('examples/mariadb on real MariaDB servers', () => {
  const { statefulSet, configMap } = rendered();
  const user: RunAs | undefined = process.getuid?.() === 0 ? systemUser('mysql') : undefined;
  const server = statefulSet.spec.template.spec.containers.find((c: any) => c.name === 'mariadb');
  let tmp: string;
  const servers: Array<ReturnType<typeof startScript> | undefined> = [];

  const configDir = () => path.join(tmp, 'config');
  const pod = (i: number, sub: string) => path.join(tmp, `pod-${i}`, sub);
  const env = (container: string, i: number) => containerEnv(statefulSet, container, `mariadb-${i}`, SECRETS, {
    DB_DATA_DIR: pod(i, 'data/data'),
    DB_SOCKET: pod(i, 'run/mysqld.sock'),
    DB_TMP_DIR: pod(i, 'tmp'),
    DB_CLIENT_CNF: pod(i, 'run/probe.cnf'),
    DB_CONFIG_DIR: configDir(),
    DB_SECRETS_DIR: path.join(tmp, 'secrets'),
    PRIMARY_HOST: ADDRESSES[0],
    REPLICA_HOSTS: ADDRESSES[1],
    DB_BIND_ADDRESS: ADDRESSES[i],
    PATH,
    HOME: tmp,
  });
  const bootstrap = (i: number) => runScript(path.join(configDir(), containerScript(statefulSet, 'bootstrap')), env('bootstrap', i), user);
  const ping = (i: number) => spawnSync('mariadb-admin', ['--no-defaults', '-h', ADDRESSES[i], '-P', '3306', 'ping'], { env: { PATH } }).status === 0;
  const start = async (i: number) => {
    servers[i] = startScript(path.join(configDir(), containerScript(statefulSet, 'mariadb')), env('mariadb', i), user);
    await waitFor(`mariadb-${i} to accept connections`, () => ping(i));
  };
  /** The rendered readiness probe, run as the kubelet would. */
  const ready = (i: number) => {
    const [shell, script] = server.readinessProbe.exec.command;
    const r = spawnSync(shell, [path.join(configDir(), path.basename(script))], { env: env('mariadb', i), encoding: 'utf8', timeout: 10000, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };
  const sql = (i: number, login: 'admin' | 'catalog', statement: string) => {
    const r = spawnSync('mariadb', ['--no-defaults', '--batch', '--skip-column-names', '-h', ADDRESSES[i], '-P', '3306', '-u', login, '-e', statement], {
      encoding: 'utf8', env: { PATH, MYSQL_PWD: login === 'admin' ? SECRETS['mariadb-superuser'].password : SECRETS['catalog-db'].password }, timeout: 30000,
    });
    return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: r.stderr ?? '' };
  };
  const must = (r: { ok: boolean; out: string; err: string }) => { if (!r.ok) throw new Error(r.err); return r.out; };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-example-it-'));
    fs.chmodSync(tmp, 0o755);
    writeConfigMap(configMap, configDir());
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    for (const i of [0, 1]) for (const sub of ['data', 'run', 'tmp']) fs.mkdirSync(pod(i, sub), { recursive: true });
    chownTree(tmp, user);
  });

  afterAll(async () => {
    for (const s of servers) await stop(s?.process, 'SIGTERM');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('primary and replica start from the rendered scripts and are Ready through the rendered probe', async () => {
    bootstrap(0);
    await start(0);
    must(sql(0, 'catalog', 'CREATE TABLE catalog.items (id INT PRIMARY KEY, name VARCHAR(32)); INSERT INTO catalog.items VALUES (1, \'first\')'));
    bootstrap(1);
    await start(1);
    await waitFor('both pods Ready', () => ready(0).ok && ready(1).ok, 60000);
    // The probe's option file: root over the socket, mode 0600, written from the Secret.
    expect(fs.statSync(pod(1, 'run/probe.cnf')).mode & 0o777).toBe(0o600);
    await waitFor('the row on the replica', () => sql(1, 'catalog', 'SELECT name FROM catalog.items WHERE id = 1').out === 'first', 30000);
  });

  test('the superuser cannot write on the replica (read_only, SUPER and READ_ONLY ADMIN revoked), only on the primary', () => {
    const onReplica = sql(1, 'admin', "INSERT INTO catalog.items VALUES (2, 'superuser on the replica')");
    expect(onReplica.ok).toBe(false);
    expect(onReplica.err).toContain('--read-only');
    expect(sql(1, 'admin', 'CREATE DATABASE sneaky').err).toContain('--read-only');
    expect(must(sql(1, 'admin', "SHOW GRANTS FOR 'admin'@'%'"))).not.toMatch(/\bSUPER\b|READ_ONLY ADMIN/);
    must(sql(0, 'admin', "INSERT INTO catalog.items VALUES (3, 'superuser on the primary')"));
  });

  test('a broken replica (SQL thread stopped on a conflicting row) goes unready; the primary stays Ready', async () => {
    // A row only the replica has (written by root on the pod's socket, which keeps SUPER, unlogged).
    const rootOnReplica = spawnSync('mariadb', [`--defaults-extra-file=${pod(1, 'run/probe.cnf')}`, '-e',
      "SET SESSION sql_log_bin = 0; INSERT INTO catalog.items VALUES (4, 'only on the replica')"], { encoding: 'utf8', env: { PATH } });
    expect(rootOnReplica.stderr).toBe('');
    must(sql(0, 'admin', "INSERT INTO catalog.items VALUES (4, 'on the primary')"));
    await waitFor('the replica to go unready', () => !ready(1).ok, 30000);
    expect(ready(1).out).toContain('not ready: replication threads IO=Yes SQL=No');
    expect(ready(0).ok).toBe(true);
  });

  test('an emptied primary refuses to start while the replica holds data', async () => {
    const preStop = server.lifecycle.preStop.exec.command;
    runScript(path.join(configDir(), path.basename(preStop[1])), env('mariadb', 0), user);
    await stop(servers[0]?.process, 'SIGTERM');
    fs.rmSync(pod(0, 'data/data'), { recursive: true, force: true });
    expect(() => bootstrap(0)).toThrow(`is empty but the replica ${ADDRESSES[1]}:3306 is running: the primary's data was lost.`);
    expect(fs.existsSync(pod(0, 'data/data'))).toBe(false);
    expect(fs.existsSync(pod(0, 'data/data.new'))).toBe(false);
  });
});
