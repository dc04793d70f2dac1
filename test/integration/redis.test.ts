/**
 * The synthesized Redis data pods and Sentinels as local processes (Debian redis-server and
 * redis-sentinel), each on its own loopback address: ConfigMap files written to a directory, each
 * container's command and environment taken from the synthesized StatefulSets. Remapped, and only
 * these: the cluster DNS names in REDIS_MEMBERS/REDIS_SENTINELS become 127.0.0.x:<free port> (the
 * test plays cluster DNS), and in the rendered configs the `bind`, `port`/`tls-port`, `dir`,
 * `include` and TLS file lines point at the test's address, port and directories.
 *
 * Covers: Sentinel failover after kill -9 of the primary (seconds reported, every write
 * acknowledged by WAIT 1 present, the old primary back as a replica), the empty-primary guards
 * (an empty pod never becomes the primary others copy; a replica with data never follows an empty
 * primary), the ACL users (Feast refused outside its commands and keys, default user disabled,
 * anonymous Sentinel discovery only), TLS with certificates made by openssl (replicated, and
 * Sentinel as on the cloud profiles), and the scripts under busybox sh.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FeatureStore, Profile, RedisMode, Registry, ServerTls, StorageClassPack } from '../../lib';
import { Manifest, find, newChart, synth } from '../support/synth';
import { containerEnv, containerScript, writeConfigMap } from './database-support';
import { waitFor } from '../support/servers';
import { installed } from '../support/tools';
import { freePort } from '../support/ports';

const SECRET = 'feast-redis';
const PASSWORDS: Record<string, string> = {
  'admin-password': 'adm1n"with\\odd$chars',
  'replication-password': 'repl pass with spaces',
  'sentinel-password': 's3ntinel#pw',
  'probe-password': 'probe-pw',
  'feast-password': 'feast-pw',
};
const SECRETS = { [SECRET]: PASSWORDS };

function synthesized(mode: RedisMode, tls?: ServerTls): Manifest[] {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'pack');
  new FeatureStore(chart, 'feast', {
    namespace: 'ml-features', project: 'ml_features',
    online: { mode, storage: { tier: pack.iops, size: '10Gi' }, resources: { memory: '256Mi' } },
    registry: Registry.file({ tier: pack.standard }), featureServer: { replicas: 1 },
    tls,
  });
  return synth(chart);
}

/** Replaces the one line starting with `directive ` — the conf must have exactly one. */
function remap(conf: string, directive: string, value: string): string {
  const pattern = new RegExp(`^${directive} .*$`, 'gm');
  const matches = conf.match(pattern) ?? [];
  if (matches.length !== 1) throw new Error(`expected one '${directive}' line in the synthesized config, found ${matches.length}`);
  return conf.replace(pattern, `${directive} ${value}`);
}

interface Pod {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly kind: 'redis' | 'sentinel';
  /** A Sentinel's plain discovery port when `port` is its TLS port. */
  readonly plainPort?: number;
  process?: ChildProcess;
  exit?: Promise<number | null>;
}

class Cluster {
  public readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-it-'));
  public readonly configDir = path.join(this.tmp, 'config');
  public readonly data: Pod[] = [];
  public readonly sentinels: Pod[] = [];
  private readonly redisSet: Manifest;
  private readonly sentinelSet?: Manifest;
  public readonly configMap: Manifest;

  constructor(public readonly objects: Manifest[], private readonly tlsFiles?: Record<string, string>) {
    this.configMap = find(objects, 'ConfigMap', 'feast-redis-config');
    this.redisSet = find(objects, 'StatefulSet', 'feast-redis');
    this.sentinelSet = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'feast-redis-sentinel');
    writeConfigMap(this.configMap, this.configDir);
  }

  /** Creates the pods: data pod i on 127.0.0.(2+i), Sentinel j after them, each on a free port. */
  public async create(firstAddress = 2): Promise<void> {
    let octet = firstAddress;
    for (let i = 0; i < this.redisSet.spec.replicas; i++) this.data.push(await this.pod('redis', `feast-redis-${i}`, `127.0.0.${octet++}`));
    for (let i = 0; i < (this.sentinelSet?.spec.replicas ?? 0); i++) {
      this.sentinels.push(await this.pod('sentinel', `feast-redis-sentinel-${i}`, `127.0.0.${octet++}`));
    }
  }

  private async pod(kind: 'redis' | 'sentinel', name: string, host: string): Promise<Pod> {
    const dir = path.join(this.tmp, name);
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    // Sentinels also listen on 127.0.0.1, where their rendered probe connects inside a pod: pick
    // their ports free there.
    const portHost = kind === 'sentinel' ? '127.0.0.1' : host;
    const plainPort = kind === 'sentinel' && this.tlsFiles ? await freePort(portHost) : undefined;
    return { name, host, port: await freePort(portHost), dir, kind, plainPort };
  }

  /** `feast-redis-1.feast-redis-headless...:6379` -> `127.0.0.3:<port>`: the test's cluster DNS. */
  private resolve(list: string): string {
    return list.split(' ').map((entry) => {
      const pod = [...this.data, ...this.sentinels].find((p) => entry.startsWith(`${p.name}.`));
      if (!pod) throw new Error(`no test pod for ${entry}`);
      return `${pod.host}:${pod.port}`;
    }).join(' ');
  }

  private withTls(conf: string): string {
    if (!this.tlsFiles) return conf;
    for (const [directive, file] of Object.entries(this.tlsFiles)) conf = remap(conf, directive, file);
    return conf;
  }

  /** Environment of the pod's container, from the StatefulSet, with only paths and addresses remapped. */
  public env(pod: Pod): Record<string, string> {
    const set = pod.kind === 'redis' ? this.redisSet : this.sentinelSet!;
    const base = containerEnv(set, pod.kind, pod.name, SECRETS, {});
    const overrides: Record<string, string> = {
      PATH: process.env.PATH!,
      REDIS_MEMBERS: this.resolve(base.REDIS_MEMBERS),
      REDIS_PORT: String(pod.port),
    };
    if (base.REDIS_SENTINELS) overrides.REDIS_SENTINELS = this.resolve(base.REDIS_SENTINELS);
    if (base.REDIS_TLS_CA_FILE) overrides.REDIS_TLS_CA_FILE = this.tlsFiles!['tls-ca-cert-file'];
    if (pod.kind === 'redis') {
      let conf = this.configMap.data['redis.conf'];
      conf = remap(conf, 'bind', pod.host);
      conf = remap(conf, this.tlsFiles ? 'tls-port' : 'port', String(pod.port));
      conf = remap(conf, 'dir', path.join(pod.dir, 'data'));
      conf = remap(conf, 'include', path.join(pod.dir, 'runtime.conf'));
      fs.writeFileSync(path.join(pod.dir, 'redis.conf'), this.withTls(conf));
      Object.assign(overrides, {
        REDIS_CONF: path.join(pod.dir, 'redis.conf'),
        REDIS_RUNTIME_CONF: path.join(pod.dir, 'runtime.conf'),
        REDIS_ACL_USERS: path.join(this.configDir, path.basename(base.REDIS_ACL_USERS)),
      });
    } else {
      let conf = this.configMap.data['sentinel.conf'];
      conf = remap(conf, 'bind', `${pod.host} 127.0.0.1`);
      if (this.tlsFiles) {
        conf = remap(conf, 'port', String(pod.plainPort));
        conf = remap(conf, 'tls-port', String(pod.port));
      } else {
        conf = remap(conf, 'port', String(pod.port));
      }
      conf = remap(conf, 'dir', pod.dir);
      fs.writeFileSync(path.join(pod.dir, 'sentinel.conf'), this.withTls(conf));
      Object.assign(overrides, {
        SENTINEL_CONF: path.join(pod.dir, 'sentinel.conf'),
        SENTINEL_RUNTIME_CONF: path.join(pod.dir, 'sentinel-runtime.conf'),
        REDIS_ACL_USERS: path.join(this.configDir, path.basename(base.REDIS_ACL_USERS)),
      });
    }
    return containerEnv(set, pod.kind, pod.name, SECRETS, overrides);
  }

  /**
   * Starts the pod's container command (the rendered start script), output appended to its log;
   * `shell` ['busybox', 'sh'] runs it as on a busybox image (the Debian image runs dash, `sh` here).
   */
  public start(pod: Pod, shell: readonly string[] = ['sh']): void {
    const script = path.join(this.configDir, containerScript(pod.kind === 'redis' ? this.redisSet : this.sentinelSet!, pod.kind));
    const log = fs.openSync(path.join(pod.dir, 'pod.log'), 'a');
    const child = spawn(shell[0], [...shell.slice(1), script], { env: this.env(pod), stdio: ['ignore', log, log] });
    fs.closeSync(log);
    pod.process = child;
    pod.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  public log(pod: Pod): string {
    return fs.readFileSync(path.join(pod.dir, 'pod.log'), 'utf8');
  }

  /** redis-cli as `user` against `pod`; `user` null: no AUTH at all; `plain`: a Sentinel's plain discovery port. */
  public cli(pod: Pod, args: string[], user: string | null = 'admin', input?: string, plain = false): string {
    const auth = user === null ? [] : ['--user', user];
    const tls = this.tlsFiles && !plain ? ['--tls', '--cacert', this.tlsFiles['tls-ca-cert-file']] : [];
    const port = plain ? pod.plainPort ?? pod.port : pod.port;
    const result = spawnSync('redis-cli', [...tls, '--no-auth-warning', ...auth, '-h', pod.host, '-p', String(port), ...args], {
      env: { PATH: process.env.PATH, ...(user !== null ? { REDISCLI_AUTH: PASSWORDS[`${user}-password`] } : {}) },
      encoding: 'utf8', timeout: 10000, input,
    });
    return `${result.stdout ?? ''}${result.stderr ?? ''}`.replace(/\r/g, '').trim();
  }

  public async kill(pod: Pod): Promise<void> {
    if (!pod.process || pod.process.exitCode !== null || pod.process.signalCode !== null) return;
    pod.process.kill('SIGKILL');
    await pod.exit;
  }

  public async stopAll(): Promise<void> {
    for (const pod of [...this.sentinels, ...this.data]) await this.kill(pod);
  }

  public remove(): void {
    if (process.env.REDIS_IT_KEEP) console.log(`kept ${this.tmp}`); else fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  public role(pod: Pod): string {
    return /^role:(\w+)/m.exec(this.cli(pod, ['info', 'replication']))?.[1] ?? 'down';
  }

  /** The primary a Sentinel names, as the data pod it is. */
  public named(sentinel: Pod): Pod | undefined {
    const [host, port] = this.cli(sentinel, ['sentinel', 'get-master-addr-by-name', 'mymaster']).split('\n');
    return this.data.find((p) => p.host === host && String(p.port) === port);
  }
}

/** `promise`'s value, or 'still running' after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((resolve) => { timer = setTimeout(() => resolve('still running'), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function requireBinaries(...binaries: string[]): void {
  for (const binary of binaries) {
    if (!installed(binary)) throw new Error(`${binary} not found: run test/integration/install-servers.sh (Debian packages redis-server, redis-sentinel)`);
  }
}

describe('Redis with Sentinel, from the synthesized output', () => {
  const cluster = new Cluster(synthesized(RedisMode.sentinel({ servers: 3, sentinels: 3 })));
  const keysOf = (pod: Pod) => Number(cluster.cli(pod, ['dbsize']));
  const acknowledged: string[] = [];

  beforeAll(async () => {
    requireBinaries('redis-server', 'redis-sentinel', 'redis-cli');
    await cluster.create();
  });

  afterAll(async () => {
    await cluster.stopAll();
    cluster.remove();
  });

  test('three data pods and three Sentinels start through the rendered scripts', async () => {
    for (const pod of cluster.data) cluster.start(pod);
    await waitFor('every data pod to answer', () => cluster.data.every((p) => cluster.cli(p, ['ping']) === 'PONG'), 30000);
    const [primary, ...replicas] = cluster.data;
    await waitFor('both replicas to link to feast-redis-0', () => replicas.every((p) => /master_link_status:up/.test(cluster.cli(p, ['info', 'replication']))), 30000);
    for (const pod of cluster.sentinels) cluster.start(pod);
    await waitFor('every Sentinel to know both replicas and the two other Sentinels', () => cluster.sentinels.every((s) => {
      const info = cluster.cli(s, ['sentinel', 'master', 'mymaster']).split('\n');
      const field = (k: string) => info[info.indexOf(k) + 1];
      return field('num-slaves') === '2' && field('num-other-sentinels') === '2';
    }), 40000);
    expect(cluster.sentinels.map((s) => cluster.named(s)?.name)).toEqual(['feast-redis-0', 'feast-redis-0', 'feast-redis-0']);
    // Replicas announce the stable address (here the test's stand-in for the DNS name).
    // Replicas announce their stable address (here the test's stand-in for the DNS name).
    for (const r of replicas) expect(cluster.cli(primary, ['info', 'replication'])).toContain(`ip=${r.host},port=${r.port}`);
    expect(cluster.log(primary)).toContain(`redis-start: ${primary.host}:${primary.port} starts as the primary (sentinel)`);
    // The probe user: PING and INFO, no data.
    expect(cluster.cli(primary, ['ping'], 'probe')).toBe('PONG');
    expect(cluster.cli(primary, ['get', 'x'], 'probe')).toMatch(/NOPERM/);
  });

  test('ACL users: default disabled, Feast limited to its commands and project keys', () => {
    const primary = cluster.data[0];
    expect(cluster.cli(primary, ['ping'], null)).toMatch(/NOAUTH/);
    expect(cluster.cli(primary, ['auth', 'default', 'anything'], null)).toMatch(/WRONGPASS/);
    // Feast: the commands it sends, on keys ending with the project name.
    expect(cluster.cli(primary, ['hset', 'entity-1ml_features', '_ts:driver', 'x'], 'feast')).toBe('1');
    expect(cluster.cli(primary, ['hmget', 'entity-1ml_features', '_ts:driver'], 'feast')).toBe('x');
    expect(cluster.cli(primary, ['del', 'entity-1ml_features'], 'feast')).toBe('1');
    expect(cluster.cli(primary, ['flushall'], 'feast')).toMatch(/NOPERM.*flushall/i);
    expect(cluster.cli(primary, ['config', 'get', 'maxmemory'], 'feast')).toMatch(/NOPERM/);
    expect(cluster.cli(primary, ['set', 'entity-1ml_features', 'v'], 'feast')).toMatch(/NOPERM/);
    expect(cluster.cli(primary, ['hset', 'other_project_key', 'f', 'v'], 'feast')).toMatch(/NOPERM.*key/i);
    // Replication and probe users cannot read data.
    expect(cluster.cli(primary, ['keys', '*'], 'replication')).toMatch(/NOPERM/);
    // Sentinels answer primary discovery without a login (Feast 0.40 sends none to them), nothing else.
    const sentinel = cluster.sentinels[0];
    expect(cluster.cli(sentinel, ['sentinel', 'get-master-addr-by-name', 'mymaster'], null)).toBe(`${primary.host}\n${primary.port}`);
    expect(cluster.cli(sentinel, ['sentinel', 'failover', 'mymaster'], null)).toMatch(/NOPERM/);
    expect(cluster.cli(sentinel, ['sentinel', 'set', 'mymaster', 'quorum', '1'], null)).toMatch(/NOPERM/);
    expect(cluster.cli(sentinel, ['acl', 'list'], null)).toMatch(/NOPERM/);
    expect(cluster.cli(sentinel, ['acl', 'whoami'], 'probe')).toMatch(/NOPERM/);
    expect(cluster.cli(sentinel, ['ping'], 'probe')).toBe('PONG');
  });

  test('kill -9 of the primary: a replica is promoted, every write acknowledged by WAIT 1 survives', async () => {
    const primary = cluster.data[0];
    // 300 writes, each followed by WAIT 1: acknowledged once at least one replica has it.
    const commands = Array.from({ length: 300 }, (_, i) => `HSET key${i}ml_features f ${i}\nWAIT 1 2000\n`).join('');
    const replies = cluster.cli(primary, [], 'admin', commands).split('\n');
    for (let i = 0; i < 300; i++) if (replies[2 * i] === '1' && Number(replies[2 * i + 1]) >= 1) acknowledged.push(`key${i}ml_features`);
    expect(acknowledged.length).toBe(300);

    await cluster.kill(primary);
    const killedAt = Date.now();
    await waitFor('the Sentinels to promote a replica', () => cluster.sentinels.every((s) => {
      const named = cluster.named(s);
      return named !== undefined && named !== primary && cluster.role(named) === 'master';
    }), 40000);
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`Sentinel failover: a replica was promoted ${seconds.toFixed(1)} s after kill -9 of the primary (down-after 5 s)`);
    expect(seconds).toBeLessThanOrEqual(15);

    const promoted = cluster.named(cluster.sentinels[0])!;
    const missing = acknowledged.filter((k) => cluster.cli(promoted, ['hget', k, 'f']) === '');
    expect(missing).toEqual([]);
    expect(keysOf(promoted)).toBe(300);
    const other = cluster.data.find((p) => p !== primary && p !== promoted)!;
    await waitFor('the other replica to follow the promoted one', () =>
      cluster.cli(other, ['info', 'replication']).includes(`master_host:${promoted.host}`) &&
      cluster.cli(other, ['info', 'replication']).includes('master_link_status:up'), 30000);
  });

  test('the old primary, restarted through the rendered script, returns as a replica', async () => {
    const old = cluster.data[0];
    const promoted = cluster.named(cluster.sentinels[0])!;
    cluster.start(old);
    await waitFor('the old primary to replicate the promoted one', () => {
      const info = cluster.cli(old, ['info', 'replication']);
      return info.includes('role:slave') && info.includes(`master_host:${promoted.host}`) && info.includes('master_link_status:up');
    }, 30000);
    expect(cluster.log(old)).toContain(`the Sentinels name ${promoted.host}:${promoted.port} as the primary`);
    expect(keysOf(old)).toBe(300);
  });

  test('an emptied primary restarted through the rendered script refuses, the replicas keep their data; after failover it rejoins', async () => {
    const primary = cluster.named(cluster.sentinels[0])!;
    const replicas = cluster.data.filter((p) => p !== primary);
    await cluster.kill(primary);
    fs.rmSync(path.join(primary.dir, 'data'), { recursive: true, force: true });
    fs.mkdirSync(path.join(primary.dir, 'data'));
    cluster.start(primary);
    // The Sentinels still name it (down-after not elapsed): the script must refuse.
    const code = await within(primary.exit!, 15000);
    expect(code).toBe(1);
    expect(cluster.log(primary)).toMatch(/REFUSING to start .* as the primary with an empty data directory .* holds 300 keys/);
    for (const r of replicas) expect(keysOf(r)).toBe(300);

    await waitFor('the Sentinels to promote one of the replicas', () => cluster.sentinels.every((s) => {
      const named = cluster.named(s);
      return named !== undefined && replicas.includes(named) && cluster.role(named) === 'master';
    }), 40000);
    // The restart loop of the pod: the next start follows the promoted replica and copies its data.
    cluster.start(primary);
    await waitFor('the emptied pod to resync as a replica', () => cluster.role(primary) === 'slave' &&
      cluster.cli(primary, ['info', 'replication']).includes('master_link_status:up'), 30000);
    expect(keysOf(primary)).toBe(300);
    for (const r of replicas) expect(keysOf(r)).toBe(300);
  });
});

/** A CA and a server certificate for every test address and the pods' DNS names, made with openssl. */
function makeCertificates(dir: string, dnsNames: readonly string[], ips: readonly string[]): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${dnsNames[0]}`);
  fs.writeFileSync(path.join(dir, 'san.ext'), `subjectAltName=${[...dnsNames.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',')}\n`);
  run('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '2', '-extfile', 'san.ext');
  return { 'tls-cert-file': path.join(dir, 'tls.crt'), 'tls-key-file': path.join(dir, 'tls.key'), 'tls-ca-cert-file': path.join(dir, 'ca.crt') };
}

describe('Redis with TLS and a replica, from the synthesized output', () => {
  const objects = synthesized(RedisMode.replicated(2), ServerTls.existingSecret('feast-redis-tls'));
  const statefulSet = find(objects, 'StatefulSet', 'feast-redis');
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-it-certs-'));
  const cluster = new Cluster(objects, makeCertificates(certDir, ['feast-redis-headless.ml-features.svc.cluster.local'], ['127.0.0.1', '127.0.0.2']));
  const keysOf = (pod: Pod) => Number(cluster.cli(pod, ['dbsize']));

  beforeAll(async () => {
    requireBinaries('redis-server', 'redis-cli', 'openssl', 'busybox');
    // Pod 0 on 127.0.0.1, where the rendered probe (run inside the pod) connects.
    await cluster.create(1);
  });

  afterAll(async () => {
    await cluster.stopAll();
    cluster.remove();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  test('the rendered TLS config serves TLS clients only; the replica replicates over TLS', async () => {
    // The pod mounts the Secret's files where the rendered config reads them.
    const volume = statefulSet.spec.template.spec.volumes.find((v: any) => v.name === 'tls');
    expect(volume.secret.secretName).toBe('feast-redis-tls');
    expect(cluster.configMap.data['redis.conf']).toContain('tls-cert-file /etc/tls/tls.crt');
    const [primary, replica] = cluster.data;
    cluster.start(primary);
    await waitFor('the primary to answer over TLS', () => cluster.cli(primary, ['ping']) === 'PONG', 30000);
    // A plain-text client gets nowhere: the plain port is closed.
    const plain = spawnSync('redis-cli', ['--user', 'admin', '--pass', PASSWORDS['admin-password'], '--no-auth-warning', '-h', primary.host, '-p', String(primary.port), 'ping'], { encoding: 'utf8', timeout: 10000 });
    expect(`${plain.stdout}${plain.stderr}`).not.toContain('PONG');
    // The Feast user over TLS, verifying the server with the CA.
    expect(cluster.cli(primary, ['hset', 'e1ml_features', 'f', 'v'], 'feast')).toBe('1');
    expect(cluster.cli(primary, ['flushall'], 'feast')).toMatch(/NOPERM/);

    // The replica's start script under busybox sh: the scripts are POSIX, not dash-only.
    cluster.start(replica, ['busybox', 'sh']);
    await waitFor('the replica to link over TLS', () => cluster.cli(replica, ['info', 'replication']).includes('master_link_status:up'), 30000);
    expect(cluster.cli(replica, ['hget', 'e1ml_features', 'f'])).toBe('v');

    // The rendered probe, over TLS with the CA.
    for (const shell of [['sh'], ['busybox', 'sh']]) {
      const probe = (mode: string) => spawnSync(shell[0], [...shell.slice(1), path.join(cluster.configDir, 'redis-probe.sh'), mode], {
        env: { ...cluster.env(primary) }, encoding: 'utf8',
      });
      expect([probe('liveness').status, probe('readiness').status, probe('startup').status]).toEqual([0, 0, 2]);
    }
    expect(cluster.log(replica)).toContain(`redis-start: ${replica.host}:${replica.port} replicates ${primary.host}:${primary.port} (replicated)`);
  });

  test('replicated mode: pod 0 restarted empty refuses to become the primary while the replica holds data', async () => {
    const [primary, replica] = cluster.data;
    await cluster.kill(primary);
    fs.rmSync(path.join(primary.dir, 'data'), { recursive: true, force: true });
    fs.mkdirSync(path.join(primary.dir, 'data'));
    cluster.start(primary);
    expect(await within(primary.exit!, 15000)).toBe(1);
    expect(cluster.log(primary)).toMatch(new RegExp(`REFUSING to start ${primary.host}:${primary.port} as the primary .* while ${replica.host}:${replica.port} holds 1 keys`));
    expect(cluster.log(primary)).toContain('docs/redis-operations.md');
    expect(keysOf(replica)).toBe(1);
  });

  test('both restarted, the empty pod 0 first: it starts (nobody to ask), and the replica with data refuses to follow it', async () => {
    const [primary, replica] = cluster.data;
    await cluster.kill(replica);
    cluster.start(primary);
    await waitFor('the empty pod 0 to start as the primary', () => cluster.role(primary) === 'master', 30000);
    expect(keysOf(primary)).toBe(0);
    cluster.start(replica);
    expect(await within(replica.exit!, 15000)).toBe(1);
    expect(cluster.log(replica)).toContain(`REFUSING to replicate ${primary.host}:${primary.port}: it is an empty primary that has never replicated`);
    // The replica's data is still on its volume: started alone (as the operator's recovery would), it has its key.
    await cluster.kill(primary);
    const conf = fs.readFileSync(path.join(replica.dir, 'redis.conf'), 'utf8').replace(/^include .*$/m, '');
    const alone = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'ignore'] });
    alone.stdin!.end(`${conf}\nuser admin on nopass ~* +@all\n`);
    try {
      await waitFor('the replica data directory to load', () => cluster.cli(replica, ['dbsize']) === '1', 20000);
    } finally {
      const exited = new Promise((r) => alone.once('exit', r));
      alone.kill('SIGKILL');
      await exited;
    }
  });

  test('the start script refuses a missing password or one with a line break', () => {
    const pod = cluster.data[0];
    const script = path.join(cluster.configDir, 'redis-start.sh');
    for (const shell of [['sh'], ['busybox', 'sh']]) {
      const run = (env: Record<string, string>) => spawnSync(shell[0], [...shell.slice(1), script], { env: { ...cluster.env(pod), ...env }, encoding: 'utf8', timeout: 10000 });
      expect(run({ REDIS_PASSWORD_PROBE: '' })).toMatchObject({ status: 1, stderr: expect.stringContaining('redis-start: REDIS_PASSWORD_PROBE is empty: every Redis user needs its own key in the Secret') });
      expect(run({ REDIS_PASSWORD_FEAST: 'pw\n' })).toMatchObject({ status: 1, stderr: expect.stringContaining('redis-start: REDIS_PASSWORD_FEAST contains a line break') });
    }
  });
});

describe('Redis with Sentinel and TLS (the cloud profiles), from the synthesized output', () => {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-it-certs-'));
  const octets = [12, 13, 14, 15, 16, 17];
  const cluster = new Cluster(
    synthesized(RedisMode.sentinel({ servers: 3, sentinels: 3 }), ServerTls.certManager({ issuer: { name: 'platform-ca' } })),
    makeCertificates(certDir, ['feast-redis-headless.ml-features.svc.cluster.local'], octets.map((o) => `127.0.0.${o}`)),
  );

  beforeAll(async () => {
    requireBinaries('redis-server', 'redis-sentinel', 'redis-cli', 'openssl');
    // The Secret cert-manager fills is the one the pods mount.
    const cert = find(cluster.objects, 'Certificate', 'feast-redis-tls');
    const volume = find(cluster.objects, 'StatefulSet', 'feast-redis-sentinel').spec.template.spec.volumes.find((v: any) => v.name === 'tls');
    expect(volume.secret.secretName).toBe(cert.spec.secretName);
    await cluster.create(octets[0]);
  });

  afterAll(async () => {
    await cluster.stopAll();
    cluster.remove();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  test('Sentinels and servers talk TLS; discovery answers anonymously on the plain port; failover works', async () => {
    for (const pod of cluster.data) cluster.start(pod);
    const [primary, ...replicas] = cluster.data;
    await waitFor('both replicas to link over TLS', () => replicas.every((p) => /master_link_status:up/.test(cluster.cli(p, ['info', 'replication']))), 30000);
    for (const pod of cluster.sentinels) cluster.start(pod);
    await waitFor('every Sentinel to know both replicas and the two other Sentinels over TLS', () => cluster.sentinels.every((s) => {
      const info = cluster.cli(s, ['sentinel', 'master', 'mymaster']).split('\n');
      const field = (k: string) => info[info.indexOf(k) + 1];
      return field('num-slaves') === '2' && field('num-other-sentinels') === '2';
    }), 40000);
    // What Feast does: ask a Sentinel's plain port without logging in.
    expect(cluster.cli(cluster.sentinels[1], ['sentinel', 'get-master-addr-by-name', 'mymaster'], null, undefined, true)).toBe(`${primary.host}\n${primary.port}`);
    expect(cluster.cli(cluster.sentinels[1], ['sentinel', 'failover', 'mymaster'], null, undefined, true)).toMatch(/NOPERM/);
    expect(cluster.cli(primary, ['hset', 'k1ml_features', 'f', 'v'], 'feast')).toBe('1');
    expect(cluster.cli(primary, ['wait', '1', '2000'])).not.toBe('0');

    await cluster.kill(primary);
    const killedAt = Date.now();
    await waitFor('the Sentinels to promote a replica over TLS', () => cluster.sentinels.every((s) => {
      const named = cluster.named(s);
      return named !== undefined && named !== primary && cluster.role(named) === 'master';
    }), 40000);
    console.log(`Sentinel failover with TLS: ${((Date.now() - killedAt) / 1000).toFixed(1)} s after kill -9 of the primary`);
    // The rendered Sentinel probes (TLS, probe user) keep the Sentinels Ready during and after the failover.
    for (const s of cluster.sentinels) {
      for (const mode of ['sentinel', 'liveness']) {
        const probe = spawnSync('sh', [path.join(cluster.configDir, 'redis-probe.sh'), mode], { env: cluster.env(s), encoding: 'utf8' });
        expect(`${mode}: ${probe.status} ${probe.stderr}`).toBe(`${mode}: 0 `);
      }
    }
    expect(cluster.cli(cluster.named(cluster.sentinels[0])!, ['hget', 'k1ml_features', 'f'])).toBe('v');
  });
});
