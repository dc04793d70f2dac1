/**
 * The synthesized Redis configuration and start script against a real redis-server:
 * persistence across kill -9, and a replica started through the script following the primary.
 * Needs `redis-server` and `redis-cli` on PATH (test/integration/install-servers.sh installs them).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { FeatureStore, Profile, RedisMode, Registry, StorageClassPack } from '../../lib';
import { find, newChart, synth } from '../support/synth';

const PASSWORD = 'fe@tures"with\\odd$chars';

function which(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; fails with `what` after `limitMs`. */
async function waitFor(what: string, check: () => boolean, limitMs = 20000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Synthesizes the reference-style feature store and returns its Redis ConfigMap data. */
function synthesizedRedis(): Record<string, string> {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'pack');
  new FeatureStore(chart, 'feast', {
    namespace: 'ml-features', project: 'ml_features',
    online: { mode: RedisMode.replicated(2), storage: { tier: pack.iops, size: '10Gi' }, memory: '256Mi' },
    registry: Registry.file({ tier: pack.standard }), featureServer: { replicas: 1 },
  });
  return find(synth(chart), 'ConfigMap', 'feast-redis-config').data;
}

/** Replaces the one line starting with `directive ` — the conf must have exactly one. */
function remap(conf: string, directive: string, value: string): string {
  const pattern = new RegExp(`^${directive} .*$`, 'gm');
  const matches = conf.match(pattern) ?? [];
  if (matches.length !== 1) throw new Error(`expected one '${directive}' line in the synthesized redis.conf, found ${matches.length}`);
  return conf.replace(pattern, `${directive} ${value}`);
}

interface Node {
  readonly name: string;
  readonly port: number;
  readonly dir: string;
  process?: ChildProcess;
}

describe('synthesized redis.conf on a real redis-server', () => {
  const data = synthesizedRedis();
  let tmp: string;
  const nodes: Node[] = [];

  beforeAll(() => {
    for (const binary of ['redis-server', 'redis-cli']) {
      if (!which(binary)) throw new Error(`${binary} not found: run test/integration/install-servers.sh (Debian package redis-server)`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-it-'));
    fs.writeFileSync(path.join(tmp, 'redis-start.sh'), data['redis-start.sh']);
    fs.writeFileSync(path.join(tmp, 'redis-probe.sh'), data['redis-probe.sh']);
  });

  afterAll(() => {
    for (const node of nodes) if (node.process?.exitCode === null) node.process.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function node(name: string): Promise<Node> {
    const dir = path.join(tmp, name);
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    const created: Node = { name, port: await freePort(), dir };
    let conf = data['redis.conf'];
    conf = remap(conf, 'bind', '127.0.0.1');
    conf = remap(conf, 'port', String(created.port));
    conf = remap(conf, 'dir', path.join(dir, 'data'));
    conf = remap(conf, 'include', path.join(dir, 'runtime.conf'));
    fs.writeFileSync(path.join(dir, 'redis.conf'), conf);
    nodes.push(created);
    return created;
  }

  /** Starts `node` through the generated start script, as the pod's container command does. */
  function start(target: Node, env: Record<string, string>): void {
    const log = fs.openSync(path.join(target.dir, 'redis.log'), 'a');
    target.process = spawn('sh', [path.join(tmp, 'redis-start.sh')], {
      env: {
        PATH: process.env.PATH,
        POD_NAME: `feast-redis-${target.name === 'primary' ? 0 : 1}`,
        REDIS_PASSWORD: PASSWORD,
        REDIS_CONF: path.join(target.dir, 'redis.conf'),
        REDIS_RUNTIME_CONF: path.join(target.dir, 'runtime.conf'),
        ...env,
      },
      stdio: ['ignore', log, log],
    });
  }

  /** redis-cli against `target`; `password` null means no AUTH at all. */
  function cli(target: Node, args: string[], password: string | null = PASSWORD): string {
    const result = spawnSync('redis-cli', ['--no-auth-warning', '-h', '127.0.0.1', '-p', String(target.port), ...args], {
      env: { PATH: process.env.PATH, ...(password !== null ? { REDISCLI_AUTH: password } : {}) },
      encoding: 'utf8',
    });
    return result.stdout.replace(/\r/g, '').trim();
  }

  async function killHard(target: Node): Promise<void> {
    const proc = target.process!;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  const ready = (target: Node) => () => cli(target, ['ping']) === 'PONG';
  const log = (target: Node) => fs.readFileSync(path.join(target.dir, 'redis.log'), 'utf8');

  let primary: Node;

  test('the primary starts from the synthesized config and requires the password', async () => {
    primary = await node('primary');
    start(primary, {});
    await waitFor(`the primary to answer PONG (log: ${primary.dir}/redis.log)`, ready(primary));
    expect(cli(primary, ['ping'], null)).toMatch(/^NOAUTH/);
    expect(cli(primary, ['ping'], 'wrong')).toMatch(/^NOAUTH/);
    expect(cli(primary, ['config', 'get', 'appendonly'])).toBe('appendonly\nyes');
    expect(cli(primary, ['config', 'get', 'appendfsync'])).toBe('appendfsync\neverysec');
    expect(cli(primary, ['config', 'get', 'maxmemory'])).toBe(`maxmemory\n${192 * 2 ** 20}`);
    expect(cli(primary, ['config', 'get', 'maxmemory-policy'])).toBe('maxmemory-policy\nnoeviction');
    expect(cli(primary, ['config', 'get', 'save'])).toBe('save\n900 1 300 10 60 10000');
  });

  test('keys written before kill -9 are there after a restart on the same data directory', async () => {
    for (let i = 0; i < 50; i++) expect(cli(primary, ['hset', `ml_features:driver:${i}`, 'trips', String(i)])).toBe('1');
    expect(cli(primary, ['set', 'marker', 'last-write'])).toBe('OK');
    // appendfsync everysec writes the AOF at once and fsyncs within a second; a SIGKILL loses
    // nothing the kernel already has. Wait until the last write is in the file.
    const aofDir = path.join(primary.dir, 'data', 'appendonlydir');
    await waitFor('the last write to reach the AOF', () => fs.existsSync(aofDir) &&
      fs.readdirSync(aofDir).some((f) => f.endsWith('.incr.aof') && fs.readFileSync(path.join(aofDir, f), 'utf8').includes('last-write')));
    await killHard(primary);

    start(primary, {});
    await waitFor('the primary to restart', ready(primary));
    expect(cli(primary, ['get', 'marker'])).toBe('last-write');
    expect(cli(primary, ['hget', 'ml_features:driver:49', 'trips'])).toBe('49');
    expect(cli(primary, ['dbsize'])).toBe('51');
  });

  test('a replica started through the generated script follows the primary', async () => {
    const replica = await node('replica');
    start(replica, { REDIS_PRIMARY_HOST: '127.0.0.1', REDIS_PRIMARY_PORT: String(primary.port) });
    await waitFor(`the replica to link to the primary (log: ${replica.dir}/redis.log)`,
      () => cli(replica, ['info', 'replication']).includes('master_link_status:up'));
    expect(log(replica)).toContain(`redis-start: ordinal 1 replicates 127.0.0.1:${primary.port}`);
    expect(cli(replica, ['info', 'replication'])).toContain('role:slave');
    expect(cli(replica, ['get', 'marker'])).toBe('last-write');

    expect(cli(primary, ['set', 'after-link', 'replicated'])).toBe('OK');
    await waitFor('the new key on the replica', () => cli(replica, ['get', 'after-link']) === 'replicated');
    expect(cli(replica, ['set', 'on-replica', 'x'])).toMatch(/^READONLY/);

    // The probe script the pods run agrees: both live and ready.
    const probe = (target: Node, mode: string) => spawnSync('sh', [path.join(tmp, 'redis-probe.sh'), mode], {
      env: { PATH: process.env.PATH, REDIS_PASSWORD: PASSWORD, REDIS_PORT: String(target.port) },
    }).status;
    expect([probe(primary, 'readiness'), probe(replica, 'readiness'), probe(replica, 'liveness')]).toEqual([0, 0, 0]);

    // With the primary gone the replica keeps serving reads but is no longer ready.
    await killHard(primary);
    await waitFor('the replica to notice the primary is gone', () => cli(replica, ['info', 'replication']).includes('master_link_status:down'));
    expect(cli(replica, ['get', 'after-link'])).toBe('replicated');
    expect([probe(replica, 'liveness'), probe(replica, 'readiness')]).toEqual([0, 1]);
  });
});
