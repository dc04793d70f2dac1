import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { Credentials, ServerTls } from '../secrets';
import { ClaimRetention, ContainerResources, PeerLike, ServiceStorage, SpreadMode, StatefulServiceProps, UpdateStrategy } from '../stateful';
import { DatabaseEngine } from './database-engine';
import { HighAvailability } from './high-availability';

/** Prometheus exporter sidecar. */
export interface DatabaseMetricsOptions {
  /** @default - the engine's pinned exporter image */
  readonly image?: string;
  /** @default - cpu 50m, memory 64Mi */
  readonly resources?: ContainerResources;
}

/** Props of `StatefulDatabase`. */
export interface StatefulDatabaseProps extends StatefulServiceProps {
  /** Engine and pinned version: `DatabaseEngine.postgres('16.4')`, `.mysql(...)`, `.mariadb(...)`. */
  readonly engine: DatabaseEngine;
  /** Namespace of the server, its Services and the bound credentials. */
  readonly namespace: string;
  /** Data volume of every pod: one claim per pod on `tier`. */
  readonly storage: ServiceStorage;
  /** Superuser credentials (Secret keys username/password by default); never written out. */
  readonly credentials: Credentials;
  /** StatefulSet name: pods are `<name>-<i>`, Services `<name>-headless`, `<name>-rw`, `<name>-ro`. @default - the construct id */
  readonly name?: string;
  /** Pods: ordinal 0 is the primary, ordinals ≥ 1 replicas. @default 1 */
  readonly replicas?: number;
  /**
   * Replicas that must confirm every commit before it returns (PostgreSQL quorum commit
   * `ANY n`, MySQL semi-synchronous `wait_for_replica_count`, MariaDB semi-sync: at most 1).
   * Must be less than `replicas`. PostgreSQL waits for confirmation without a timeout, so it
   * needs `replicas ≥ synchronousReplicas + 2`: one spare standby, or every restart of a
   * synchronous standby (a rollout, a node drain) blocks all commits. (MySQL and MariaDB
   * semi-sync fall back to asynchronous after `rpl_semi_sync_*_timeout`, 10 s.)
   * @default 0 (asynchronous replication)
   */
  readonly synchronousReplicas?: number;
  /**
   * Password of the replication user `replicator` (its password key only is read).
   * @default - the superuser Secret's password
   */
  readonly replicationCredentials?: Credentials;
  /** Server container sizing; the memory limit sizes the engine's buffers. @default - the profile's default sizing */
  readonly resources?: ContainerResources;
  /** @default 200 */
  readonly maxConnections?: number;
  /**
   * PostgreSQL: how the primary is kept. `HighAvailability.patroni()`: Patroni in every pod with
   * the Kubernetes DCS fails over by itself and labels the leader, which `-rw` selects.
   * `HighAvailability.manual()`: ordinal 0 is the primary, failover is a runbook.
   * MySQL and MariaDB have no automatic failover: only `manual()` (the default) applies.
   * @default HighAvailability.manual()
   */
  readonly highAvailability?: HighAvailability;
  /**
   * PostgreSQL: replay lag (bytes, a Kubernetes quantity such as `16Mi`) above which a standby
   * is not Ready (its readiness probe fails; liveness never looks at lag). Patroni never promotes
   * a replica further behind than this either.
   * @default '16Mi'
   */
  readonly maxReadyLag?: string;
  /**
   * MySQL/MariaDB: seconds a replica may be behind (`Seconds_Behind_Source`) and still be Ready;
   * it is also not Ready while a replication thread is stopped. Liveness never looks at lag.
   * @default 30
   */
  readonly maxReadyLagSeconds?: number;
  /**
   * PostgreSQL: size of the memory-backed `/dev/shm` (parallel queries' dynamic shared memory;
   * the container runtime's default is 64 MiB). Counts towards the pod's memory.
   * @default - a quarter of the memory limit
   */
  readonly sharedMemorySize?: string;
  /** Extra engine settings (`postgresql.conf` / `my.cnf` `[mysqld]`), written after the generated ones. @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Run the engine's Prometheus exporter as a sidecar (port `metrics`). @default false */
  readonly metrics?: boolean | DatabaseMetricsOptions;
  /** Clients admitted by a NetworkPolicy that denies everything else (more with `allowFrom()`). @default - no NetworkPolicy until `allowFrom()` */
  readonly allowFrom?: ReadonlyArray<PeerLike>;
  /** @default 'soft' */
  readonly spread?: SpreadMode;
  /** What happens to the data claims on delete and scale-down. @default Retain/Retain */
  readonly claimRetention?: ClaimRetention;
  /**
   * Rollout of pod template changes; `UpdateStrategy.rollingUpdate({ partition: n })` updates
   * only ordinals ≥ n first (a canary on the replicas before the primary).
   * @default UpdateStrategy.rollingUpdate()
   */
  readonly updateStrategy?: UpdateStrategy;
  /**
   * Populate new data claims from this source, e.g. a VolumeSnapshot
   * (`{ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name }`). Only with one
   * replica: the template would copy the primary's data into every replica's claim, and a copy that
   * is not a standby would start as a second primary. With replicas, restore ordinal 0 with
   * `RestoredClaim.forWorkload` and let the replicas clone it.
   * @default - none: empty volumes
   */
  readonly restoreFrom?: k8s.TypedLocalObjectReference;
  /**
   * Seconds a pod gets to stop cleanly (the preStop hook stops the server: PostgreSQL a fast
   * shutdown, MySQL/MariaDB `mysqladmin shutdown`, which flushes the InnoDB buffer pool).
   * @default - PostgreSQL 60; MySQL/MariaDB 30 s + 10 s per GiB of buffer pool (half the
   *   memory limit), at least 60
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * PostgreSQL: let ordinal 0 initialize an empty database although replicas are running. By
   * default the primary's bootstrap refuses when its data directory is empty and a replica
   * answers (its data claim was lost: an empty primary would strand every replica and block
   * synchronous commits). Set it only to discard all data on purpose, and delete the replicas'
   * data claims so they clone the new primary (docs/database-operations.md).
   * @default false
   */
  readonly allowEmptyPrimary?: boolean;
  /**
   * PostgreSQL: ordinal (≥ 1) of the replica to rebuild a lost primary from. When ordinal 0
   * starts with an empty data directory, it clones this replica and promotes the copy onto a new
   * timeline that the other replicas follow; ignored while ordinal 0 has data. Pick the most
   * advanced replica; remove the setting once the primary is back
   * (runbook in docs/database-operations.md).
   * @default - none: an empty primary initializes, or refuses while replicas answer
   */
  readonly recoverPrimaryFrom?: number;
  /**
   * Target cluster; must be the profile of `storage.tier`'s pack.
   * @default - the profile of `storage.tier`'s pack
   */
  readonly profile?: Profile;
  /**
   * PostgreSQL: TLS (`ServerTls.certManager(...)` or `.existingSecret(...)`), for the -rw, -ro and
   * headless Services and every pod's name. The server then accepts TCP connections over TLS only
   * (`hostssl`), replicas stream over TLS, and every client the library wires (MLflow, Feast's
   * registry, logical backups) connects with `sslmode=verify-full` and the CA mounted. MySQL and
   * MariaDB do not support it yet.
   * @default - no TLS
   */
  readonly tls?: ServerTls;
}
