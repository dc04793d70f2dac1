/**
 * HighAvailability.patroni() on real servers: Debian's patroni 3.0, etcd-server 3.4 and
 * postgresql 15, three members each on its own loopback address (127.0.15.2-4, the rendered
 * ports 5432 and 8008), running the rendered patroni.yml, environment, callback and readiness
 * script.
 *
 * What the test changes in the rendered configuration, and why:
 *  - the DCS section: `kubernetes` is replaced by `etcd3` pointing at a local etcd, because there
 *    is no Kubernetes API server here; everything else Patroni does with it (leader lock,
 *    synchronous state, member keys) is the same code path;
 *  - paths: data_dir, pgpass, the socket directory and the ConfigMap mount in the callback
 *    point into a temporary directory (the pod's volumes);
 *  - addresses: 0.0.0.0 becomes the member's loopback address (its pod IP, which the rendered
 *    environment also takes from status.podIP).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Credentials, DatabaseEngine, HighAvailability, Profile } from '../../lib';
import { postgresDatabase } from '../support/databases';
import { Manifest, find, synth } from '../support/synth';
import { containerEnv, postgresBinDir, writeConfigMap, writeProjectedSecrets } from './database-support';
import { freePort } from '../support/ports';
import { RunAs, chownTree, sleep, stop, systemUser, waitFor, waitForPort } from '../support/servers';

const SECRETS: Record<string, Record<string, string>> = {
  'postgres-credentials': { username: 'admin', password: "sup3r'secret" },
  'postgres-replication': { password: 'repl:pass' },
  'postgres-mlflow': { username: 'mlflow', password: 'mlflow-pw' },
};
const ADDRESSES = ['127.0.15.2', '127.0.15.3', '127.0.15.4'];

function rendered(): { statefulSet: Manifest; configMap: Manifest } {
  const { chart, db } = postgresDatabase(Profile.kind(), {
    // Debian's PostgreSQL 15: the rendered bin_dir is /usr/lib/postgresql/15/bin.
    engine: DatabaseEngine.postgres('15.10'),
    synchronousReplicas: 1,
    replicationCredentials: Credentials.existingSecret('postgres-replication'),
    resources: { memory: '256Mi' },
    maxReadyLag: '16Mi',
    metrics: true,
    highAvailability: HighAvailability.patroni(),
  }, { size: '1Gi' }); // the claim size sets wal_keep_size, which the WAL-gap case outgrows
  db.addDatabase('mlflow');
  const objects = synth(chart);
  return { statefulSet: find(objects, 'StatefulSet', 'postgres'), configMap: find(objects, 'ConfigMap', 'postgres-patroni') };
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => { req.destroy(); resolve({ status: 0, body: '' }); });
  });
}

describe('Patroni from the rendered configuration: synchronous commits survive kill -9 of the leader', () => {
  const { statefulSet, configMap } = rendered();
  const bin = postgresBinDir();
  const user: RunAs | undefined = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const server = statefulSet.spec.template.spec.containers.find((c: any) => c.name === 'postgres');
  let tmp: string;
  let etcd: ChildProcess | undefined;
  let etcdPort: number;
  let newLeader = 0;
  const members: Array<{ process: ChildProcess; output: () => string } | undefined> = [];

  const dir = (i: number, sub: string) => path.join(tmp, `pod-${i}`, sub);
  /** The -rw Service's address as a cluster would resolve it: the current leader's (postgres-0 until a failover). */
  let leaderAddress = ADDRESSES[0];
  const cfgDir = (i: number) => dir(i, 'config');
  const env = (i: number) => {
    const e = containerEnv(statefulSet, 'postgres', `postgres-${i}`, SECRETS, {
      POD_IP: ADDRESSES[i],
      DB_CONFIG_DIR: cfgDir(i),
      PGDATA: dir(i, 'data/pgdata'),
      DB_LEADER_HOST: leaderAddress,
      DB_SECRETS_DIR: path.join(tmp, 'secrets'),
      PGHOST: dir(i, 'run'),
      PATH: `${bin}:${process.env.PATH}`,
      HOME: tmp,
    });
    // Part of the DCS swap: this variable would add a `kubernetes` section back.
    expect(e.PATRONI_KUBERNETES_POD_IP).toBe(ADDRESSES[i]);
    delete e.PATRONI_KUBERNETES_POD_IP;
    return e;
  };
  const configFile = (i: number) => path.join(cfgDir(i), 'patroni.yml');

  /** The rendered patroni.yml with only the DCS, paths and listen addresses adapted (see the header). */
  const memberConfig = (i: number) => {
    const config = JSON.parse(configMap.data['patroni.yml']);
    expect(config.kubernetes).toBeDefined();
    delete config.kubernetes;
    config.etcd3 = { hosts: [`127.0.15.1:${etcdPort}`] };
    config.restapi.listen = config.restapi.listen.replace('0.0.0.0', ADDRESSES[i]);
    config.postgresql.listen = config.postgresql.listen.replace('0.0.0.0', ADDRESSES[i]);
    config.postgresql.data_dir = dir(i, 'data/pgdata');
    config.postgresql.pgpass = dir(i, 'auth/patroni.pgpass');
    config.postgresql.parameters.unix_socket_directories = dir(i, 'run');
    for (const k of Object.keys(config.postgresql.callbacks)) {
      config.postgresql.callbacks[k] = config.postgresql.callbacks[k].replace('/etc/db/config', cfgDir(i));
    }
    return config;
  };
  /** Starts the pod's container: the rendered command (run.sh, which execs Patroni), or Patroni alone with `patroniOnly`. */
  const startMember = (i: number, patroniOnly = false) => {
    let out = '';
    const [shell, script] = server.command;
    const argv: [string, string[]] = patroniOnly ? ['patroni', [configFile(i)]] : [shell, [path.join(cfgDir(i), path.basename(script))]];
    // detached: the member is its own process group, as a pod is its own process tree.
    const child = spawn(argv[0], argv[1], { env: env(i), detached: true, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr?.on('data', (d) => { out += d; });
    members[i] = { process: child, output: () => out };
  };
  const patroniState = async (i: number): Promise<any> => {
    const r = await httpGet(`http://${ADDRESSES[i]}:8008/patroni`);
    try { return r.status ? JSON.parse(r.body) : undefined; } catch { return undefined; }
  };
  /** The rendered readiness probe command, run as the pod would run it. */
  const ready = (i: number) => {
    const [shell, script] = server.readinessProbe.exec.command;
    const r = spawnSync(shell, [path.join(cfgDir(i), path.basename(script))], { env: env(i), encoding: 'utf8', timeout: 10000, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };
  const sql = (i: number, statement: string, login = 'admin', database = 'postgres') => {
    const secret = login === 'admin' ? SECRETS['postgres-credentials'] : SECRETS['postgres-mlflow'];
    const r = spawnSync(path.join(bin, 'psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', ADDRESSES[i], '-p', '5432', '-U', login, '-d', database, '-c', statement], {
      encoding: 'utf8', env: { ...process.env, PGPASSWORD: secret.password, PGCONNECT_TIMEOUT: '3' }, timeout: 20000,
    });
    return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: r.stderr ?? '' };
  };
  const must = (r: { ok: boolean; out: string; err: string }) => { if (!r.ok) throw new Error(r.err); return r.out; };
  /** kill -9 of everything the pod runs: Patroni's process group and the postmaster Patroni started in its own session. */
  const killPod = (i: number) => {
    const pidFile = dir(i, 'data/pgdata/postmaster.pid');
    const postmaster = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
    try { process.kill(-members[i]!.process.pid!, 'SIGKILL'); } catch { /* already gone */ }
    if (postmaster) { try { process.kill(-postmaster, 'SIGKILL'); } catch { try { process.kill(postmaster, 'SIGKILL'); } catch { /* gone */ } } }
  };
  const leaderOf = async (candidates: number[]) => {
    for (const i of candidates) {
      const s = await patroniState(i);
      if (s && (s.role === 'master' || s.role === 'primary') && s.state === 'running') return i;
    }
    return undefined;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patroni-it-'));
    fs.chmodSync(tmp, 0o755);
    for (const i of [0, 1, 2]) writeConfigMap(configMap, cfgDir(i));
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    for (const i of [0, 1, 2]) for (const sub of ['data', 'run', 'auth']) fs.mkdirSync(dir(i, sub), { recursive: true });
    chownTree(tmp, user);
    etcdPort = await freePort();
    const peerPort = await freePort();
    etcd = spawn('etcd', [
      '--name', 'it', '--data-dir', path.join(tmp, 'etcd'),
      '--listen-client-urls', `http://127.0.15.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.15.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.15.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.15.1:${peerPort}`,
      '--initial-cluster', `it=http://127.0.15.1:${peerPort}`,
    ], { stdio: 'ignore' });
    await waitForPort('127.0.15.1', etcdPort, 20000);
    // Each pod's ConfigMap mount, with its patroni.yml adapted (see the header).
    for (const i of [0, 1, 2]) {
      fs.writeFileSync(configFile(i), JSON.stringify(memberConfig(i), null, 2));
      chownTree(cfgDir(i), user);
    }
  }, 60000);

  afterAll(async () => {
    for (const i of [0, 1, 2]) { if (members[i]) { killPod(i); await stop(members[i]!.process, 'SIGKILL'); } }
    await stop(etcd, 'SIGTERM');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('patroni --validate-config accepts the rendered configuration (DCS swapped to etcd)', () => {
    for (const i of [0, 1, 2]) {
      const r = spawnSync('patroni', ['--validate-config', configFile(i)], { env: env(i), encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
    }
  });

  test('three members: one leader, two replicas streaming, one synchronous; the callback reconciled the consumer database; readiness follows', async () => {
    startMember(0);
    const deadline = Date.now() + 90000;
    while (Date.now() < deadline && (await leaderOf([0])) === undefined) await sleep(500);
    expect(await leaderOf([0])).toBe(0);
    startMember(1);
    startMember(2);
    await waitFor('both replicas streaming', () => must(sql(0, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) === '2', 90000)
      .catch((e) => { throw new Error(`${e.message}\n${[0, 1, 2].map((i) => `--- postgres-${i}\n${members[i]?.output().slice(-3000)}`).join('\n')}`); });
    await waitFor('a synchronous standby', () => must(sql(0, "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")) === '1', 30000);
    await waitFor('the callback to create the consumer database', () => sql(0, 'SELECT current_user', 'mlflow', 'mlflow').out === 'mlflow', 30000);
    await waitFor('every member Ready', () => [0, 1, 2].every((i) => ready(i).ok), 30000);
    expect(must(sql(1, 'SELECT pg_is_in_recovery()'))).toBe('t');
    expect(must(sql(0, 'SHOW synchronous_commit'))).toBe('on');
    // The exporter's rendered DSN (socket directory remapped to the pod's): a pg_monitor role, no password.
    // The exporter is a native sidecar (an init container) from 1.29, an ordinary container below.
    const podSpec = statefulSet.spec.template.spec;
    const exporter = [...podSpec.containers, ...(podSpec.initContainers ?? [])].find((c: any) => c.name === 'metrics');
    const dsn = exporter.env.find((e: any) => e.name === 'DATA_SOURCE_NAME').value.replace('host=/var/run/postgresql', `host=${dir(0, 'run')}`);
    const asExporter = spawnSync(path.join(bin, 'psql'), ['-X', '-A', '-t', '-d', dsn, '-c',
      "SELECT current_user, pg_has_role('pg_monitor', 'member'), (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), (SELECT count(*) FROM pg_stat_replication WHERE client_addr IS NOT NULL)"], { encoding: 'utf8' });
    expect(asExporter.stdout.trim()).toBe('metrics_exporter|t|f|2');
    const overTcp = spawnSync(path.join(bin, 'psql'), ['-X', '-h', ADDRESSES[0], '-U', 'metrics_exporter', '-d', 'postgres', '-c', 'SELECT 1'], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: '' } });
    expect(overTcp.status).not.toBe(0);
    // Patroni's unsafe REST endpoints need the superuser's credentials (rendered PATRONI_RESTAPI_*).
    const restart = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', `http://${ADDRESSES[1]}:8008/restart`], { encoding: 'utf8' });
    expect(restart.stdout).toBe('401');
  }, 240000);

  test('kill -9 of the leader: a replica is promoted, every acknowledged commit is on it, the old leader rejoins as a replica', async () => {
    must(sql(0, 'CREATE TABLE acks (id int PRIMARY KEY)', 'mlflow', 'mlflow'));
    // The writer commits one row per transaction and prints each id once COMMIT has returned.
    const writer = spawn('/usr/bin/python3', ['-u', '-c', `
import psycopg2, sys

conn = psycopg2.connect(host='${ADDRESSES[0]}', port=5432, user='mlflow', password='mlflow-pw', dbname='mlflow', connect_timeout=3)
conn.autocommit = True
cur = conn.cursor()
i = 0
while True:
    i += 1
    cur.execute('INSERT INTO acks VALUES (%s)', (i,))
    print(i, flush=True)
`]);
    const acked: number[] = [];
    let partial = '';
    writer.stdout!.on('data', (d) => {
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) acked.push(Number(l));
    });
    await waitFor('the writer to commit 200 rows', () => acked.length >= 200, 30000);
    const killedAt = Date.now();
    killPod(0);
    await new Promise<void>((resolve) => { if (writer.exitCode !== null) resolve(); else writer.once('exit', () => resolve()); setTimeout(resolve, 10000); });
    writer.kill('SIGKILL');

    let leader: number | undefined;
    while (Date.now() - killedAt < 90000 && leader === undefined) {
      leader = await leaderOf([1, 2]);
      if (leader === undefined) await sleep(250);
    }
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`patroni failover: postgres-${leader} promoted ${seconds.toFixed(1)} s after kill -9 of the leader; ${acked.length} commits acknowledged`);
    expect(leader).toBeDefined();
    expect(seconds).toBeLessThanOrEqual(30);
    leaderAddress = ADDRESSES[leader!];
    newLeader = leader!;
    await waitFor('the new leader to accept writes', () => sql(leader!, 'SELECT pg_is_in_recovery()').out === 'f', 30000);
    const present = new Set(must(sql(leader!, 'SELECT id FROM acks', 'mlflow', 'mlflow')).split('\n').filter(Boolean).map(Number));
    const lost = acked.filter((id) => !present.has(id));
    expect(lost).toEqual([]);

    // The old leader comes back (the pod restarts) and rejoins as a replica of the new one.
    startMember(0);
    await waitFor('postgres-0 to rejoin as a streaming replica', () => sql(0, 'SELECT pg_is_in_recovery()').out === 't' && ready(0).ok, 120000);
    const state = await patroniState(0);
    expect(state.role).toBe('replica');
    must(sql(leader!, 'INSERT INTO acks VALUES (1000000)', 'mlflow', 'mlflow'));
    await waitFor('the new row on the old leader', () => sql(0, 'SELECT count(*) FROM acks WHERE id = 1000000', 'mlflow', 'mlflow').out === '1', 30000);
  }, 300000);

  test('a replica with a WAL gap is not Ready (rendered probe); its next start moves the copy aside, Patroni re-clones it, and it is Ready again', async () => {
    const L = newLeader;
    killPod(0);
    await stop(members[0]!.process, 'SIGKILL');
    // Patroni drops the slot of a member whose key expired (ttl), as after a long outage.
    await waitFor("the leader to drop postgres-0's slot", () => must(sql(L, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'postgres_0'")) === '0', 60000);
    // More WAL than wal_keep_size (102MB for 1Gi), then checkpoints: the segments postgres-0 needs are removed.
    for (let n = 0; n < 10; n++) {
      must(sql(L, `INSERT INTO acks SELECT g FROM generate_series(${2000000 + n * 100000}, ${2000000 + n * 100000 + 99999}) g`, 'mlflow', 'mlflow'));
      must(sql(L, 'SELECT pg_switch_wal()'));
    }
    must(sql(L, 'CHECKPOINT'));
    must(sql(L, 'CHECKPOINT'));
    // The copy is started as it is (Patroni alone, as when the gap opens while the pod runs).
    startMember(0, true);
    await waitFor('postgres-0 to run as a standby', () => sql(0, 'SELECT pg_is_in_recovery()').out === 't', 60000);
    await sleep(5000);
    const probe = ready(0);
    expect(probe.ok).toBe(false);
    expect(probe.out).toMatch(/not ready: standby (without a WAL receiver|not streaming)/);
    await waitFor('the server to log the gap', () => members[0]!.output().includes('has already been removed'), 30000);

    // The pod restarts: the rendered run.sh finds the gap, moves the copy aside, Patroni clones.
    killPod(0);
    await stop(members[0]!.process, 'SIGKILL');
    startMember(0);
    await waitFor('postgres-0 Ready again', () => ready(0).ok, 120000)
      .catch((e) => { throw new Error(`${e.message}\n${members[0]?.output().slice(-4000)}`); });
    expect(members[0]!.output()).toContain('WAL gap: this copy ends in segment');
    expect(fs.existsSync(dir(0, 'data/pgdata.aside/PG_VERSION'))).toBe(true);
    expect(must(sql(0, 'SELECT count(*) FROM acks WHERE id >= 2000000', 'mlflow', 'mlflow'))).toBe('1000000');
  }, 300000);
});
