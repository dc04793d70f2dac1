import { RunAs } from '../stateful';

/**
 * How a PostgreSQL StatefulDatabase keeps a primary: Patroni (automatic failover) or the scripted
 * ordinal-0 primary (manual failover). MySQL and MariaDB have no automatic failover.
 */
export class HighAvailability {
  /**
   * Patroni in every database pod with the Kubernetes DCS: the leader lock, the cluster
   * configuration and each member's state live in ConfigMaps and pod annotations of the
   * database's namespace, and Patroni keeps the role label on each pod (`role: primary` on the
   * leader, `role: replica` on the others), which the `-rw` and `-ro` Services select. A crash or
   * eviction of the leader promotes the most advanced replica once the leader lock expires
   * (`ttl`); a planned switchover (`patronictl switchover`) moves it at once; a former leader
   * rejoins through pg_rewind.
   */
  public static patroni(options: PatroniOptions = {}): HighAvailability {
    return new HighAvailability('patroni', options);
  }

  /**
   * Ordinal 0 is always the primary, the other ordinals its hot standbys (no DCS, no RBAC).
   * Failover is the runbook in docs/database-operations.md (`recoverPrimaryFrom`). For clusters
   * that cannot run Patroni.
   */
  public static manual(): HighAvailability {
    return new HighAvailability('manual', {});
  }

  private constructor(
    /** `patroni` or `manual`. */
    public readonly mode: 'patroni' | 'manual',
    /** Patroni options (empty in manual mode). */
    public readonly patroniOptions: PatroniOptions,
  ) {}
}

/** Options of `HighAvailability.patroni()`. */
export interface PatroniOptions {
  /**
   * Image shipping PostgreSQL and Patroni, pinned by tag. Spilo (Zalando's image, the one the
   * Zalando postgres-operator runs) is run with our own Patroni configuration, not its
   * environment-driven entrypoint. The image's PostgreSQL major must be the engine's.
   * @default - `ghcr.io/zalando/spilo-<major>:3.2-p3` (majors 14–16) — see docs/database-operations.md
   */
  readonly image?: string;
  /**
   * Directory of the image's PostgreSQL binaries.
   * @default `/usr/lib/postgresql/<major>/bin` (Spilo's layout)
   */
  readonly binDir?: string;
  /** uid/gid the image's `postgres` user has. @default - Spilo's: uid 101, gid 103 */
  readonly runAs?: RunAs;
  /**
   * Strict synchronous mode: with no synchronous standby left, commits wait rather than
   * falling back to asynchronous (no acknowledged commit is ever only on one node). Only with
   * `synchronousReplicas ≥ 1`.
   * @default false
   */
  readonly strictSynchronous?: boolean;
  /**
   * Seconds the leader lock lives without renewal: a crashed leader is replaced after at most
   * about `ttl + loopWait` seconds. `loopWait + 2 * retryTimeout` must not exceed it.
   * @default 20
   */
  readonly ttl?: number;
  /** Seconds between Patroni's HA loops. @default 5 */
  readonly loopWait?: number;
  /** Seconds Patroni retries the Kubernetes API and PostgreSQL before demoting. @default 5 */
  readonly retryTimeout?: number;
}
