/**
 * The synthesized PostgreSQL bootstrap/run scripts and configuration on real PostgreSQL servers
 * (Debian's postgresql package): a primary and a synchronous hot standby on 127.0.0.1 (of a
 * 3-replica database; ordinal 2 is never started), a consumer database created by
 * addDatabase(), replication through a slot and a passfile, persistence across a restart,
 * rotation of the replication password, WAL kept for a stopped replica beyond wal_keep_size,
 * a lost primary that refuses to start empty and is recovered from the replica, and the rendered
 * readiness probe: a standby with a WAL gap is not Ready until its next start moves it aside and
 * re-clones it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, Profile, StatefulDatabaseProps } from '../../lib';
import { postgresDatabase } from '../support/databases';
import { Manifest, find, synth } from '../support/synth';
import { containerEnv, containerScript, postgresBinDir, writeConfigMap, writeProjectedSecrets } from './database-support';
import { freePort } from '../support/ports';
import { RunAs, chownTree, runScript, startScript, stop, systemUser, waitFor } from '../support/servers';


const SECRETS: Record<string, Record<string, string>> = {
  'postgres-credentials': { username: 'admin', password: 'sup3r"secret\'pw\\x' },
  'postgres-mlflow': { username: 'mlflow', password: "ml'flow\\pw$x" },
  // ':' and '\' must be escaped in the pgpass file.
  'postgres-replication': { password: "re:pl\\ica'tion" },
};

function synthesized(extra: Partial<StatefulDatabaseProps> = {}): { statefulSet: Manifest; configMap: Manifest } {
  const { chart, db } = postgresDatabase(Profile.kind(), {
    synchronousReplicas: 1,
    replicationCredentials: Credentials.existingSecret('postgres-replication'),
    resources: { memory: '256Mi' },
    ...extra,
  }, { size: '1Gi' });
  db.addDatabase('mlflow');
  const objects = synth(chart);
  return { statefulSet: find(objects, 'StatefulSet', 'postgres'), configMap: find(objects, 'ConfigMap', 'postgres-config') };
}

describe('synthesized PostgreSQL scripts on real servers', () => {
  const { statefulSet, configMap } = synthesized();
  // What an operator renders to rebuild a lost primary from replica 1 (the ConfigMap is the same).
  const recovery = synthesized({ recoverPrimaryFrom: 1 });
  const bin = postgresBinDir();
  const user: RunAs | undefined = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  let tmp: string;
  const ports: number[] = [];
  const servers: Array<ReturnType<typeof startScript> | undefined> = [];

  const configDir = () => path.join(tmp, 'config');
  const env = (container: string, ordinal: number, sts = statefulSet, extra: Record<string, string> = {}) =>
    containerEnv(sts, container, `postgres-${ordinal}`, SECRETS, {
      PGDATA: path.join(tmp, `pod-${ordinal}`, 'data', 'pgdata'),
      PGHOST: path.join(tmp, `pod-${ordinal}`, 'run'),
      PGPORT: String(ports[ordinal]),
      DB_CONFIG_DIR: configDir(),
      DB_SECRETS_DIR: path.join(tmp, 'secrets'),
      PRIMARY_HOST: '127.0.0.1',
      PRIMARY_PORT: String(ports[0]),
      // The headless names of ordinals 1 and 2, as host:port on 127.0.0.1.
      REPLICA_HOSTS: `127.0.0.1:${ports[1]} 127.0.0.1:${ports[2]}`,
      DB_PASSFILE: path.join(tmp, `pod-${ordinal}`, 'auth', 'replication.pgpass'),
      PG_LISTEN_ADDRESSES: '127.0.0.1',
      PATH: `${bin}:${process.env.PATH}`,
      HOME: tmp,
      ...extra,
    });
  const bootstrap = (ordinal: number) => runScript(path.join(configDir(), containerScript(statefulSet, 'bootstrap')), env('bootstrap', ordinal), user);
  const start = async (ordinal: number) => {
    servers[ordinal] = startScript(path.join(configDir(), containerScript(statefulSet, 'postgres')), env('postgres', ordinal), user);
    await waitFor(`postgres-${ordinal} to accept connections`, () =>
      spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(ports[ordinal])]).status === 0);
  };
  /** Runs SQL over TCP with a password, as a client of the Service would. */
  const sql = (ordinal: number, login: 'admin' | 'mlflow', statement: string, database = login === 'admin' ? 'postgres' : 'mlflow') => {
    const secret = login === 'admin' ? SECRETS['postgres-credentials'] : SECRETS['postgres-mlflow'];
    const result = spawnSync(path.join(bin, 'psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(ports[ordinal]), '-U', login, '-d', database, '-c', statement], {
      encoding: 'utf8', env: { ...process.env, PGPASSWORD: secret.password, PGCONNECT_TIMEOUT: '5' }, timeout: 30000,
    });
    return { ok: result.status === 0, out: (result.stdout ?? '').trim(), err: result.stderr ?? '' };
  };
  const must = (r: { ok: boolean; out: string; err: string }) => {
    if (!r.ok) throw new Error(r.err);
    return r.out;
  };
  const autoConf = (ordinal: number) => fs.readFileSync(path.join(tmp, `pod-${ordinal}`, 'data', 'pgdata', 'postgresql.auto.conf'), 'utf8');
  const streaming = () => sql(0, 'admin', 'SELECT application_name, state, sync_state FROM pg_stat_replication').out === 'postgres-1|streaming|quorum';

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-it-'));
    fs.chmodSync(tmp, 0o755);
    writeConfigMap(configMap, configDir());
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    for (const ordinal of [0, 1, 2]) {
      ports.push(await freePort());
      for (const dir of ['data', 'run', 'auth']) fs.mkdirSync(path.join(tmp, `pod-${ordinal}`, dir), { recursive: true });
    }
    chownTree(tmp, user);
  });

  afterAll(async () => {
    for (const server of servers) await stop(server?.process, 'SIGINT');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the primary initializes, creates the consumer role and database and the replication slots, and serves them over TCP with SCRAM', async () => {
    const log = bootstrap(0);
    expect(log).toContain('primary (postgres-0): initializing');
    await start(0);
    expect(must(sql(0, 'admin', 'SHOW synchronous_standby_names'))).toBe('ANY 1 ("postgres-1", "postgres-2")');
    expect(must(sql(0, 'admin', "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'"))).toBe('t');
    expect(must(sql(0, 'admin', "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'mlflow'"))).toBe('mlflow');
    expect(must(sql(0, 'mlflow', 'SELECT current_user, current_database()'))).toBe('mlflow|mlflow');
    expect(sql(0, 'mlflow', 'SELECT 1', 'postgres').ok).toBe(true); // CONNECT on postgres is PUBLIC
    const wrong = spawnSync(path.join(bin, 'psql'), ['-X', '-h', '127.0.0.1', '-p', String(ports[0]), '-U', 'mlflow', '-d', 'mlflow', '-c', 'SELECT 1'], {
      encoding: 'utf8', env: { ...process.env, PGPASSWORD: 'wrong' },
    });
    expect(wrong.stderr).toContain('password authentication failed for user "mlflow"');
    // A physical slot per replica ordinal, reserving WAL from the start; bounded by the volume.
    expect(must(sql(0, 'admin', 'SELECT slot_name, slot_type, active, restart_lsn IS NOT NULL FROM pg_replication_slots ORDER BY 1')))
      .toBe('postgres_1|physical|f|t\npostgres_2|physical|f|t');
    expect(must(sql(0, 'admin', 'SHOW max_slot_wal_keep_size'))).toBe('204MB');
  });

  test('the replica clones the primary, stores no password, streams through its slot with a passfile and is the synchronous standby', async () => {
    const log = bootstrap(1);
    expect(log).toContain(`postgres-1: cloning 127.0.0.1:${ports[0]} with pg_basebackup`);
    const standby = path.join(tmp, 'pod-1', 'data', 'pgdata');
    expect(fs.existsSync(path.join(standby, 'standby.signal'))).toBe(true);
    await start(1);
    const passfile = path.join(tmp, 'pod-1', 'auth', 'replication.pgpass');
    expect(autoConf(1)).toContain(
      `primary_conninfo = 'host=''127.0.0.1'' port=''${ports[0]}'' user=''replicator'' passfile=''${passfile}'' application_name=''postgres-1'''\n` +
      "primary_slot_name = 'postgres_1'\n");
    expect(autoConf(1)).not.toContain('password');
    expect(fs.readFileSync(passfile, 'utf8')).toBe("*:*:*:replicator:re\\:pl\\\\ica'tion\n");
    expect(fs.statSync(passfile).mode & 0o777).toBe(0o600);
    expect(must(sql(1, 'admin', 'SELECT pg_is_in_recovery()'))).toBe('t');
    await waitFor('postgres-1 to stream as the synchronous standby', streaming);
    expect(must(sql(0, 'admin', "SELECT active FROM pg_replication_slots WHERE slot_name = 'postgres_1'"))).toBe('t');
  });

  test('a row written on the primary is read on the replica, which refuses writes', async () => {
    must(sql(0, 'mlflow', "CREATE TABLE runs (id int PRIMARY KEY, name text); INSERT INTO runs VALUES (1, 'first')"));
    await waitFor('the row on the replica', () => sql(1, 'mlflow', 'SELECT name FROM runs WHERE id = 1').out === 'first');
    const write = sql(1, 'mlflow', "INSERT INTO runs VALUES (2, 'on the replica')");
    expect(write.ok).toBe(false);
    expect(write.err).toContain('cannot execute INSERT in a read-only transaction');
  });

  test('after a restart of the primary (bootstrap again, then the server) the data is still there and replication resumes', async () => {
    await stop(servers[0]?.process, 'SIGINT');
    const log = bootstrap(0);
    expect(log).not.toContain('initializing');
    expect(log).toContain('reconciling roles and databases');
    await start(0);
    expect(must(sql(0, 'mlflow', 'SELECT name FROM runs WHERE id = 1'))).toBe('first');
    // A synchronous commit returns only once the replica has reconnected and confirmed it.
    must(sql(0, 'mlflow', "INSERT INTO runs VALUES (3, 'after restart')"));
    await waitFor('the new row on the replica', () => sql(1, 'mlflow', 'SELECT name FROM runs WHERE id = 3').out === 'after restart');
  });

  test('a rotated replication password (Secret file changed, primary then replica restarted): replication resumes', async () => {
    SECRETS['postgres-replication'] = { password: 'rotated:pass\\word' };
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    chownTree(path.join(tmp, 'secrets'), user);
    await stop(servers[0]?.process, 'SIGINT');
    bootstrap(0);
    await start(0);
    await stop(servers[1]?.process, 'SIGINT');
    bootstrap(1);
    await start(1);
    await waitFor('postgres-1 to stream again with the new password', streaming);
    expect(fs.readFileSync(path.join(tmp, 'pod-1', 'auth', 'replication.pgpass'), 'utf8')).toBe('*:*:*:replicator:rotated\\:pass\\\\word\n');
    must(sql(0, 'mlflow', "INSERT INTO runs VALUES (4, 'after rotation')"));
    await waitFor('the row on the replica', () => sql(1, 'mlflow', 'SELECT name FROM runs WHERE id = 4').out === 'after rotation');
  });

  test('while the replica is down its slot keeps WAL beyond wal_keep_size, and it catches up when it returns', async () => {
    await stop(servers[1]?.process, 'SIGINT');
    // This session's commits do not wait for the stopped synchronous standby.
    for (let i = 0; i < 10; i++) {
      must(sql(0, 'mlflow', `SET synchronous_commit = local; INSERT INTO runs VALUES (${100 + i}, 'while down')`));
      must(sql(0, 'admin', 'SELECT pg_switch_wal()'));
    }
    must(sql(0, 'admin', 'CHECKPOINT'));
    expect(must(sql(0, 'admin', 'SHOW wal_keep_size'))).toBe('102MB');
    // The slot holds more than wal_keep_size (10 segments of 16MB) and is still usable.
    expect(must(sql(0, 'admin', "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) > 102 * 1024 * 1024, wal_status <> 'lost' " +
      "FROM pg_replication_slots WHERE slot_name = 'postgres_1'"))).toBe('t|t');
    bootstrap(1);
    await start(1);
    await waitFor('the replica to catch up', () => sql(1, 'mlflow', "SELECT count(*) FROM runs WHERE name = 'while down'").out === '10');
    await waitFor('postgres-1 to stream again', streaming);
    expect(servers[1]?.output()).not.toContain('has already been removed');
  });

  test('a primary whose data is lost refuses to start empty while the replica runs, and is recovered from the replica', async () => {
    await stop(servers[0]?.process, 'SIGINT');
    fs.rmSync(path.join(tmp, 'pod-0', 'data', 'pgdata'), { recursive: true, force: true });
    expect(() => bootstrap(0)).toThrow(`is empty but the replica 127.0.0.1:${ports[1]} is running: the primary's data was lost.`);
    expect(fs.existsSync(path.join(tmp, 'pod-0', 'data', 'pgdata'))).toBe(false);

    // recoverPrimaryFrom: 1: clone the replica, promote the copy onto a new timeline.
    const script = path.join(configDir(), containerScript(recovery.statefulSet, 'bootstrap'));
    const log = runScript(script, env('bootstrap', 0, recovery.statefulSet, { DB_RECOVER_PRIMARY_FROM: `127.0.0.1:${ports[1]}` }), user);
    expect(log).toContain('primary (postgres-0): promoting the recovered copy');
    await start(0);
    expect(must(sql(0, 'admin', 'SELECT pg_is_in_recovery(), substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)'))).toBe('f|00000002');
    expect(must(sql(0, 'mlflow', 'SELECT count(*) FROM runs'))).toBe('13');
    expect(autoConf(0)).not.toMatch(/primary_conninfo|primary_slot_name|password/);
    // The replica follows the new timeline: a synchronous commit returns and the row arrives.
    await waitFor('postgres-1 to stream from the recovered primary', streaming);
    must(sql(0, 'mlflow', "INSERT INTO runs VALUES (5, 'after recovery')"));
    await waitFor('the row on the replica', () => sql(1, 'mlflow', 'SELECT name FROM runs WHERE id = 5').out === 'after recovery');
  });

  /** The rendered readiness probe command of the server container, run as the kubelet would. */
  const ready = (ordinal: number) => {
    const [shell, script] = statefulSet.spec.template.spec.containers.find((c: any) => c.name === 'postgres').readinessProbe.exec.command;
    const r = spawnSync(shell, [path.join(configDir(), path.basename(script))], {
      env: env('postgres', ordinal), encoding: 'utf8', timeout: 10000, ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };

  test('readiness: the primary and a streaming standby are Ready; a standby with a WAL gap is not, and its next pod start moves it aside and re-clones it', async () => {
    await waitFor('both pods Ready through the rendered probe', () => ready(0).ok && ready(1).ok, 30000);
    // Scaled down and up again: the replica is away, its slot is dropped and (by the primary's
    // bootstrap on scale-up) recreated at the current position, and more WAL than wal_keep_size
    // and the bound of ordinal 2's idle slot (max_slot_wal_keep_size) is written and recycled.
    await stop(servers[1]?.process, 'SIGINT');
    must(sql(0, 'admin', "SELECT pg_drop_replication_slot('postgres_1')"));
    for (let i = 0; i < 18; i++) {
      must(sql(0, 'mlflow', `SET synchronous_commit = local; INSERT INTO runs VALUES (${200 + i}, 'during the gap')`));
      must(sql(0, 'admin', 'SELECT pg_switch_wal()'));
    }
    must(sql(0, 'admin', 'CHECKPOINT'));
    must(sql(0, 'admin', 'CHECKPOINT'));
    must(sql(0, 'admin', "SELECT pg_create_physical_replication_slot('postgres_1', true)"));
    // A container restart (no init container): the old copy runs, cannot stream, is not Ready.
    await start(1);
    await waitFor('the server to log the gap', () => (servers[1]?.output() ?? '').includes('has already been removed'), 30000);
    const probe = ready(1);
    expect(probe.ok).toBe(false);
    expect(probe.out).toMatch(/not ready: standby (without a WAL receiver|not streaming)/);
    expect(ready(0).ok).toBe(true);

    // The pod restarts: the bootstrap finds the gap, moves the copy aside, clones the primary.
    await stop(servers[1]?.process, 'SIGINT');
    const log = bootstrap(1);
    expect(log).toMatch(/WAL gap: this copy ends in segment [0-9A-F]{24}, the primary keeps only [0-9A-F]{24} and later/);
    expect(log).toContain(`postgres-1: cloning 127.0.0.1:${ports[0]} with pg_basebackup`);
    expect(fs.existsSync(path.join(tmp, 'pod-1', 'data', 'pgdata.aside', 'PG_VERSION'))).toBe(true);
    await start(1);
    await waitFor('postgres-1 Ready again', () => ready(1).ok, 60000);
    expect(must(sql(1, 'mlflow', "SELECT count(*) FROM runs WHERE name = 'during the gap'"))).toBe('18');
  });

  test('a standby whose data can follow is left as it is by its bootstrap', async () => {
    await stop(servers[1]?.process, 'SIGINT');
    const log = bootstrap(1);
    expect(log).not.toContain('moving');
    expect(log).not.toContain('cloning');
    await start(1);
    await waitFor('postgres-1 Ready', () => ready(1).ok, 60000);
  });
});
