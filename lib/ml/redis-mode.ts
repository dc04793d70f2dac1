/** Sentinel settings of `RedisMode.sentinel`. */
export interface RedisSentinelOptions {
  /** Data pods, primary included (at least 2; 3 keeps a replica while another is rebuilt). @default 3 */
  readonly servers?: number;
  /** Sentinel pods: an odd number ≥ 3, so a majority survives the loss of one. @default 3 */
  readonly sentinels?: number;
  /** Name the Sentinels monitor the primary under (Feast's `sentinel_master`). @default 'mymaster' */
  readonly masterName?: string;
  /** Seconds without a valid reply before a Sentinel counts a server as down (`down-after-milliseconds`). @default 5 */
  readonly downAfterSeconds?: number;
  /** `failover-timeout`, in seconds: also the wait before the same primary is failed over again. @default 60 */
  readonly failoverTimeoutSeconds?: number;
}

const MASTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * How the Redis servers of an online store are arranged.
 *
 * Replicated modes are one primary and read-only replicas that follow it by its stable DNS
 * name. It is never "N independent servers behind one Service": that silently splits the data,
 * each write landing on whichever pod the Service picked.
 */
export class RedisMode {
  /** One server, one claim. */
  public static standalone(): RedisMode {
    return new RedisMode('standalone', 1, {});
  }

  /**
   * `servers` pods: pod 0 is the primary, pods 1..n-1 run `replicaof` pod 0. Replicas keep a warm
   * copy that survives the loss of pod 0's node and volume (promote one by hand); writes, and
   * Feast's reads, always go to pod 0. There is no automatic failover: while pod 0 is away the store
   * is unavailable. A pod 0 restarted on an empty volume refuses to start while a replica holds
   * data (docs/redis-operations.md). Prefer `RedisMode.sentinel()`.
   * @param servers total number of Redis pods, primary included (at least 2)
   */
  public static replicated(servers: number): RedisMode {
    return new RedisMode('replicated', servers, {});
  }

  /**
   * A primary and replicas watched by Redis Sentinel (a StatefulSet of its own, spread like the data
   * pods, with a PodDisruptionBudget that keeps a quorum): when the primary stops answering for
   * `downAfterSeconds`, a majority of Sentinels promotes a replica and the others follow it. Clients
   * (Feast's `redis_sentinel`) ask the Sentinels where the primary is.
   */
  public static sentinel(options: RedisSentinelOptions = {}): RedisMode {
    return new RedisMode('sentinel', options.servers ?? 3, options);
  }

  /** Sentinel pods (0 unless sentinel mode). */
  public readonly sentinels: number;
  /** Sentinel master name (sentinel mode). */
  public readonly masterName: string;
  /** Sentinel `down-after-milliseconds`. */
  public readonly downAfterMilliseconds: number;
  /** Sentinel `failover-timeout`, milliseconds. */
  public readonly failoverTimeoutMilliseconds: number;

  private constructor(
    /** Which arrangement. */
    public readonly kind: 'standalone' | 'replicated' | 'sentinel',
    /** Number of Redis data pods, primary included. */
    public readonly servers: number,
    private readonly options: RedisSentinelOptions,
  ) {
    this.sentinels = kind === 'sentinel' ? options.sentinels ?? 3 : 0;
    this.masterName = options.masterName ?? 'mymaster';
    this.downAfterMilliseconds = Math.round((options.downAfterSeconds ?? 5) * 1000);
    this.failoverTimeoutMilliseconds = Math.round((options.failoverTimeoutSeconds ?? 60) * 1000);
  }

  /** Number of replicas following the primary. */
  public get replicaCount(): number {
    return this.servers - 1;
  }

  /** Sentinels that must agree the primary is down: a majority. */
  public get quorum(): number {
    return Math.floor(this.sentinels / 2) + 1;
  }

  /** Sentinels that may be evicted at once without losing the quorum. */
  public get sentinelMaxUnavailable(): number {
    return this.sentinels - this.quorum;
  }

  /** Why this mode cannot be built, if it cannot. */
  public problem(): string | undefined {
    if (this.kind === 'standalone') return undefined;
    if (!Number.isInteger(this.servers) || this.servers < 2) {
      return `${this} needs at least 2 servers (a primary and a replica); ` +
        `use RedisMode.standalone() for a single server or ${this.kind === 'sentinel' ? 'RedisMode.sentinel({ servers: 3 })' : 'RedisMode.replicated(3)'} for a primary and two replicas`;
    }
    if (this.kind !== 'sentinel') return undefined;
    if (!Number.isInteger(this.sentinels) || this.sentinels < 3 || this.sentinels % 2 === 0) {
      return `${this}: sentinels ${this.sentinels} is invalid: use an odd number ≥ 3 (3 or 5), so a majority survives the loss of a Sentinel`;
    }
    if (!MASTER_NAME.test(this.masterName)) {
      return `${this}: masterName '${this.masterName}' is invalid: use letters, digits, '.', '-' and '_'`;
    }
    const down = this.options.downAfterSeconds ?? 5;
    if (!(down >= 1 && down <= 600)) {
      return `${this}: downAfterSeconds ${down} is invalid: use 1 to 600 seconds (5 fails over within about 10 s)`;
    }
    const timeout = this.options.failoverTimeoutSeconds ?? 60;
    if (!(timeout >= 10 && timeout <= 3600)) {
      return `${this}: failoverTimeoutSeconds ${timeout} is invalid: use 10 to 3600 seconds`;
    }
    return undefined;
  }

  public toString(): string {
    if (this.kind === 'standalone') return 'RedisMode.standalone()';
    if (this.kind === 'replicated') return `RedisMode.replicated(${this.servers})`;
    return `RedisMode.sentinel({ servers: ${this.servers}, sentinels: ${this.sentinels} })`;
  }
}
