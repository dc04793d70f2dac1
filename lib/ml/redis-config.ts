import { Quantity } from '../storage/quantity';

/**
 * What Redis does when `maxmemory` is reached.
 *
 * For an online feature store the default is `noeviction`: writes (materialization) fail loudly
 * and reads keep working. Any evicting policy would silently drop feature rows, and the feature
 * server would then serve missing or stale features to models with no error anywhere.
 */
export class MaxMemoryPolicy {
  /** Refuse writes at the limit; never drop data. The right choice for a store of record. */
  public static noEviction(): MaxMemoryPolicy { return new MaxMemoryPolicy('noeviction'); }
  /** Evict the least recently used keys among all keys (a cache, not a store). */
  public static allKeysLru(): MaxMemoryPolicy { return new MaxMemoryPolicy('allkeys-lru'); }
  /** Evict the least frequently used keys among all keys. */
  public static allKeysLfu(): MaxMemoryPolicy { return new MaxMemoryPolicy('allkeys-lfu'); }
  /** Evict random keys among all keys. */
  public static allKeysRandom(): MaxMemoryPolicy { return new MaxMemoryPolicy('allkeys-random'); }
  /** Evict the least recently used keys among keys with a TTL. */
  public static volatileLru(): MaxMemoryPolicy { return new MaxMemoryPolicy('volatile-lru'); }
  /** Evict the least frequently used keys among keys with a TTL. */
  public static volatileLfu(): MaxMemoryPolicy { return new MaxMemoryPolicy('volatile-lfu'); }
  /** Evict random keys among keys with a TTL. */
  public static volatileRandom(): MaxMemoryPolicy { return new MaxMemoryPolicy('volatile-random'); }
  /** Evict the keys with the nearest expiry. */
  public static volatileTtl(): MaxMemoryPolicy { return new MaxMemoryPolicy('volatile-ttl'); }

  private constructor(
    /** The `maxmemory-policy` value. */
    public readonly value: string,
  ) {}

  /** `true` for every policy that may delete keys to make room. */
  public get evicts(): boolean {
    return this.value !== 'noeviction';
  }
}

/** An RDB save point: snapshot when at least `changes` writes happened within `seconds`. */
export interface RedisSavePoint {
  /** Window, in seconds. */
  readonly seconds: number;
  /** Writes within the window that trigger a snapshot. */
  readonly changes: number;
}

/** Redis's own long-standing defaults: 1 change in 15 min, 10 in 5 min, 10 000 in 1 min. */
export const DEFAULT_SAVE_POINTS: readonly RedisSavePoint[] = [
  { seconds: 900, changes: 1 },
  { seconds: 300, changes: 10 },
  { seconds: 60, changes: 10000 },
];

/**
 * Share of the container memory limit given to the dataset. The rest covers the copy-on-write
 * pages of the fork that writes RDB snapshots and rewrites the AOF, replication and client
 * buffers, and allocator fragmentation; without it a busy server is OOM-killed mid-snapshot.
 */
export const MAXMEMORY_SHARE = 0.75;

/** Where the server's TLS files are mounted. */
export interface RedisTlsFiles {
  /** Server certificate (PEM). */
  readonly certFile: string;
  /** Server private key (PEM). */
  readonly keyFile: string;
  /** CA that signed the servers' certificates: servers and Sentinels verify each other with it. */
  readonly caFile: string;
}

/** TLS directives shared by servers and Sentinels: the only listener is `tls-port`, replication and Sentinel links use TLS too. */
function tlsLines(port: number, tls: RedisTlsFiles | undefined, plain: string): string[] {
  if (!tls) return [`port ${port}`];
  return [
    `# TLS only: the plain port is closed (${plain}); clients verify the server with the CA.`,
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${tls.certFile}`,
    `tls-key-file ${tls.keyFile}`,
    `tls-ca-cert-file ${tls.caFile}`,
    // Clients authenticate with their ACL user; no client certificates to distribute.
    'tls-auth-clients no',
    'tls-replication yes',
  ];
}

/** Everything `renderRedisConf` needs. */
export interface RedisConfOptions {
  /** TCP port. */
  readonly port: number;
  /** Data directory: the mount path of the claim. */
  readonly dataDir: string;
  /** `maxmemory` in bytes. */
  readonly maxmemoryBytes: number;
  /** What Redis does when `maxmemory` is reached. */
  readonly maxmemoryPolicy: MaxMemoryPolicy;
  /** RDB snapshot triggers (`save`). */
  readonly savePoints: readonly RedisSavePoint[];
  /** File rendered at start with the ACL users, `masteruser`/`masterauth`, the announced name and `replicaof`. */
  readonly runtimeConf: string;
  /** TLS files: `tls-port` replaces the plain port. @default - no TLS */
  readonly tls?: RedisTlsFiles;
  /** Construct path, for the header. */
  readonly owner: string;
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** A byte count in Redis's units (`6gb`, `192mb`; Redis's `gb`/`mb` are binary). */
export function redisBytes(bytes: number): string {
  const whole = Math.floor(bytes);
  if (whole % GIB === 0) return `${whole / GIB}gb`;
  if (whole % MIB === 0) return `${whole / MIB}mb`;
  return String(whole);
}

/** `MAXMEMORY_SHARE` of `memoryLimit`, rounded down to whole MiB. */
export function defaultMaxmemoryBytes(memoryLimit: string): number {
  const limit = Quantity.parse(memoryLimit).value;
  return Math.floor((limit * MAXMEMORY_SHARE) / MIB) * MIB;
}

/**
 * The static `redis.conf`. It holds no secret: the ACL users, the replication credentials and role
 * live in `runtimeConf`, rendered from the Secret by the start script and included last.
 */
export function renderRedisConf(options: RedisConfOptions): string {
  const lines = [
    `# Generated by cdk8s-stateful-ml for ${options.owner}. Edit the construct, not this file.`,
    '',
    '# Network: every interface; every client logs in as an ACL user (the default user is disabled',
    '# by the start script, and protected mode stays on).',
    'bind * -::*',
    'protected-mode yes',
    ...tlsLines(options.port, options.tls, 'replicas and Sentinels connect with TLS'),
    'tcp-keepalive 60',
    'daemonize no',
    'supervised no',
    'loglevel notice',
    'logfile ""',
    '',
    '# Persistence on the claim. AOF fsynced every second: at most ~1 s of acknowledged writes is lost',
    '# when the node crashes (a process kill loses nothing: the kernel has the data); WAIT 1 makes a',
    '# write survive the loss of the primary too. RDB snapshots for fast restarts and full resyncs.',
    `dir ${options.dataDir}`,
    'dbfilename dump.rdb',
    'appendonly yes',
    'appendfilename "appendonly.aof"',
    'appenddirname "appendonlydir"',
    'appendfsync everysec',
    'aof-use-rdb-preamble yes',
    '# No fsync pause while a rewrite runs (a crash then may lose more than 1 s, never corrupt);',
    '# a truncated AOF tail after a crash is loaded up to the last complete command.',
    'no-appendfsync-on-rewrite no',
    'aof-load-truncated yes',
    'aof-timestamp-enabled no',
    'auto-aof-rewrite-percentage 100',
    'auto-aof-rewrite-min-size 64mb',
    ...options.savePoints.map((p) => `save ${p.seconds} ${p.changes}`),
    'stop-writes-on-bgsave-error yes',
    '',
    `# Memory: ${Math.round(MAXMEMORY_SHARE * 100)}% of the container limit unless set explicitly; the rest is fork,`,
    '# buffer and fragmentation headroom.',
    `maxmemory ${redisBytes(options.maxmemoryBytes)}`,
    `maxmemory-policy ${options.maxmemoryPolicy.value}`,
    '',
    '# Replication (used by replicas only): read-only, keep serving the last data if the primary is away.',
    'replica-read-only yes',
    'replica-serve-stale-data yes',
    'repl-diskless-sync yes',
    '',
    '# Every replica may be promoted; a full resync lands on disk before the old dataset is dropped,',
    '# so a transfer that fails half-way never leaves a replica empty.',
    'replica-priority 100',
    'repl-diskless-load disabled',
    '',
    '# ACL users, masteruser/masterauth, the announced stable name and replicaof: rendered at start.',
    `include ${options.runtimeConf}`,
  ];
  return lines.join('\n') + '\n';
}

/** Everything `renderSentinelConf` needs. */
export interface SentinelConfOptions {
  /** Plain port: primary discovery for clients that do not log in to Sentinels (Feast). */
  readonly port: number;
  /** TLS port for Sentinel peers, the start scripts and operators (with `tls`). @default - none */
  readonly tlsPort?: number;
  /** TLS files. @default - no TLS */
  readonly tls?: RedisTlsFiles;
  /** Construct path, for the header. */
  readonly owner: string;
}

/**
 * The static part of `sentinel.conf`; the start script appends the announced name, ACL users and
 * `sentinel monitor` (Sentinel rewrites its file, so it runs from a writable copy).
 */
export function renderSentinelConf(options: SentinelConfOptions): string {
  const tls = options.tls;
  return [
    `# Generated by cdk8s-stateful-ml for ${options.owner}. Edit the construct, not this file.`,
    'bind * -::*',
    '# The default user answers primary discovery without a password (and nothing else, see',
    '# sentinel-users.acl), so protected mode, which refuses remote clients of such a user, is off.',
    'protected-mode no',
    `port ${options.port}`,
    ...(tls && options.tlsPort !== undefined ? [
      '# TLS for Sentinel peers, the servers and operators; the plain port above only answers discovery.',
      `tls-port ${options.tlsPort}`,
      `tls-cert-file ${tls.certFile}`,
      `tls-key-file ${tls.keyFile}`,
      `tls-ca-cert-file ${tls.caFile}`,
      'tls-auth-clients no',
      'tls-replication yes',
    ] : []),
    'daemonize no',
    'logfile ""',
    'dir /tmp',
    '# Pods are addressed by their stable DNS names, never by IPs that change on every restart.',
    'sentinel resolve-hostnames yes',
    'sentinel announce-hostnames yes',
    '# Scripts and runtime reconfiguration of commands are not needed and widen the attack surface.',
    'sentinel deny-scripts-reconfig yes',
  ].join('\n') + '\n';
}
