/**
 * How the Redis servers of an online store are arranged.
 *
 * Replicated mode is one primary (pod 0) and read-only replicas that follow it by its stable DNS
 * name. It is never "N independent servers behind one Service": that silently splits the data,
 * each write landing on whichever pod the Service picked.
 */
export class RedisMode {
  /** One server, one claim. */
  public static standalone(): RedisMode {
    return new RedisMode('standalone', 1);
  }

  /**
   * `servers` pods: pod 0 is the primary, pods 1..n-1 run `replicaof` pod 0. Replicas keep a warm
   * copy that survives the loss of pod 0's node and volume (promote one by hand); writes, and
   * Feast's reads, always go to pod 0. There is no automatic failover (no Sentinel): while pod 0 is
   * away the store is unavailable, and a pod 0 restarted on an empty volume would be replicated
   * as empty — restore its claim from a replica's snapshot first.
   * @param servers total number of Redis pods, primary included (at least 2)
   */
  public static replicated(servers: number): RedisMode {
    return new RedisMode('replicated', servers);
  }

  private constructor(
    public readonly kind: 'standalone' | 'replicated',
    /** Number of Redis pods, primary included. */
    public readonly servers: number,
  ) {}

  /** Number of replicas following the primary. */
  public get replicaCount(): number {
    return this.servers - 1;
  }

  /** Why this mode cannot be built, if it cannot. */
  public problem(): string | undefined {
    if (this.kind === 'standalone') return undefined;
    if (!Number.isInteger(this.servers) || this.servers < 2) {
      return `RedisMode.replicated(${this.servers}) needs at least 2 servers (a primary and a replica); ` +
        'use RedisMode.standalone() for a single server or RedisMode.replicated(3) for a primary and two replicas';
    }
    return undefined;
  }

  public toString(): string {
    return this.kind === 'standalone' ? 'RedisMode.standalone()' : `RedisMode.replicated(${this.servers})`;
  }
}
