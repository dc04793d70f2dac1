/**
 * The synthesized PostgreSQL bootstrap/run scripts and configuration on real PostgreSQL servers
 * (Debian's postgresql package): a primary and a synchronous hot standby on 127.0.0.1, a
 * consumer database created by addDatabase(), replication, and persistence across a restart.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack } from '../../lib';
import { Manifest, find, newChart, synth } from '../support/synth';
import {
  RunAs, chownTree, containerEnv, containerScript, freePort, runScript, startScript, stop, systemUser, waitFor, writeConfigMap,
  writeProjectedSecrets,
} from './database-support';

const SECRETS = {
  'postgres-credentials': { username: 'admin', password: 'sup3r"secret\'pw\\x' },
  'postgres-mlflow': { username: 'mlflow', password: "ml'flow\\pw$x" },
};

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin', 'pg_ctl'))) : [];
  if (!majors.length) {
    throw new Error('PostgreSQL server binaries not found in /usr/lib/postgresql/<major>/bin: run test/integration/install-servers.sh (Debian package postgresql)');
  }
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function synthesized(): { statefulSet: Manifest; configMap: Manifest } {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'pack');
  const db = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    replicas: 2,
    synchronousReplicas: 1,
    namespace: 'ml-db',
    storage: { tier: pack.fast, size: '1Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
    resources: { memory: '256Mi' },
  });
  db.addDatabase('mlflow');
  const objects = synth(chart);
  return { statefulSet: find(objects, 'StatefulSet', 'postgres'), configMap: find(objects, 'ConfigMap', 'postgres-config') };
}

describe('synthesized PostgreSQL scripts on real servers', () => {
  const { statefulSet, configMap } = synthesized();
  const bin = postgresBinDir();
  const user: RunAs | undefined = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  let tmp: string;
  const ports: number[] = [];
  const servers: Array<ReturnType<typeof startScript> | undefined> = [];

  const configDir = () => path.join(tmp, 'config');
  const env = (container: string, ordinal: number) => containerEnv(statefulSet, container, `postgres-${ordinal}`, SECRETS, {
    PGDATA: path.join(tmp, `pod-${ordinal}`, 'data', 'pgdata'),
    PGHOST: path.join(tmp, `pod-${ordinal}`, 'run'),
    PGPORT: String(ports[ordinal]),
    DB_CONFIG_DIR: configDir(),
    DB_SECRETS_DIR: path.join(tmp, 'secrets'),
    PRIMARY_HOST: '127.0.0.1',
    PRIMARY_PORT: String(ports[0]),
    PG_LISTEN_ADDRESSES: '127.0.0.1',
    PATH: `${bin}:${process.env.PATH}`,
    HOME: tmp,
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

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-it-'));
    fs.chmodSync(tmp, 0o755);
    writeConfigMap(configMap, configDir());
    writeProjectedSecrets(statefulSet, path.join(tmp, 'secrets'), SECRETS);
    for (const ordinal of [0, 1]) {
      ports.push(await freePort());
      fs.mkdirSync(path.join(tmp, `pod-${ordinal}`, 'data'), { recursive: true });
      fs.mkdirSync(path.join(tmp, `pod-${ordinal}`, 'run'), { recursive: true });
    }
    chownTree(tmp, user);
  });

  afterAll(async () => {
    for (const server of servers) await stop(server?.process, 'SIGINT');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the primary initializes, creates the consumer role and database, and serves them over TCP with SCRAM', async () => {
    const log = bootstrap(0);
    expect(log).toContain('primary (postgres-0): initializing');
    await start(0);
    expect(must(sql(0, 'admin', 'SHOW synchronous_standby_names'))).toBe('ANY 1 ("postgres-1")');
    expect(must(sql(0, 'admin', "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'"))).toBe('t');
    expect(must(sql(0, 'admin', "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'mlflow'"))).toBe('mlflow');
    expect(must(sql(0, 'mlflow', 'SELECT current_user, current_database()'))).toBe('mlflow|mlflow');
    expect(sql(0, 'mlflow', 'SELECT 1', 'postgres').ok).toBe(true); // CONNECT on postgres is PUBLIC
    const wrong = spawnSync(path.join(bin, 'psql'), ['-X', '-h', '127.0.0.1', '-p', String(ports[0]), '-U', 'mlflow', '-d', 'mlflow', '-c', 'SELECT 1'], {
      encoding: 'utf8', env: { ...process.env, PGPASSWORD: 'wrong' },
    });
    expect(wrong.stderr).toContain('password authentication failed for user "mlflow"');
  });

  test('the replica clones the primary with pg_basebackup -R, runs as a hot standby and is the synchronous standby', async () => {
    const log = bootstrap(1);
    expect(log).toContain('replica (postgres-1): cloning the primary with pg_basebackup');
    const standby = path.join(tmp, 'pod-1', 'data', 'pgdata');
    expect(fs.existsSync(path.join(standby, 'standby.signal'))).toBe(true);
    expect(fs.readFileSync(path.join(standby, 'postgresql.auto.conf'), 'utf8')).toMatch(/primary_conninfo = 'user=replicator password=.* application_name=''postgres-1''/);
    await start(1);
    expect(must(sql(1, 'admin', 'SELECT pg_is_in_recovery()'))).toBe('t');
    await waitFor('postgres-1 to stream as the synchronous standby', () =>
      sql(0, 'admin', 'SELECT application_name, state, sync_state FROM pg_stat_replication').out === 'postgres-1|streaming|quorum');
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
});
