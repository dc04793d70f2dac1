import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { Profile, assertKnownProps, propNames } from '../profiles';
import { Credentials, ServerTls, ServerTlsBinding } from '../secrets';
import {
  ClaimRetention, ContainerResources, ContainerSpec, IPeerable, NetworkFlows, Probe, SpreadMode, StatefulWorkload,
  UpdateStrategy, VolumeClaimTemplateSpec, WorkloadPeer, WorkloadService,
} from '../stateful';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import { sqlalchemyUrl } from './connection-url';
import { AddDatabaseOptions, DatabaseFamily, DatabaseGrant, IDatabase } from './database';
import { DatabaseEngine } from './database-engine';
import { DatabaseClientTls } from './database-tls';
import { HighAvailability } from './high-availability';
import { PATRONI_PORT, PRIMARY_ROLE, REPLICA_ROLE, ROLE_LABEL, renderPatroniConfig } from './patroni-config';
import { innodbShutdownSeconds, managedParameterProblems, renderPgHba, renderServerConfig, serverSettings } from './server-config';

/** Where a database keeps its data. */
export interface DatabaseStorage {
  /** Storage tier of a StorageClassPack; must be ReadWriteOnce (block storage). */
  readonly tier: StorageTier;
  /** Size of each pod's data volume, a Kubernetes quantity (`20Gi`). */
  readonly size: string;
}

/** Prometheus exporter sidecar. */
export interface DatabaseMetricsOptions {
  /** @default - the engine's pinned exporter image */
  readonly image?: string;
  /** @default - cpu 50m, memory 64Mi */
  readonly resources?: ContainerResources;
}

/** Props of `StatefulDatabase`. */
export interface StatefulDatabaseProps {
  /** Engine and pinned version: `DatabaseEngine.postgres('16.4')`, `.mysql(...)`, `.mariadb(...)`. */
  readonly engine: DatabaseEngine;
  /** Namespace of the server, its Services and the bound credentials. */
  readonly namespace: string;
  /** Data volume of every pod: one claim per pod on `tier`. */
  readonly storage: DatabaseStorage;
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
  readonly allowFrom?: ReadonlyArray<IPeerable | WorkloadPeer>;
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
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
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

/** The namespaced RBAC objects Patroni runs with. */
export interface PatroniRbac {
  /** `<name>-patroni`, its token mounted in the database pods only. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** DCS ConfigMaps and the cluster's own pods, in the database namespace. */
  readonly role: k8s.KubeRole;
  /** Binds the Role to the ServiceAccount. */
  readonly roleBinding: k8s.KubeRoleBinding;
}

/** Role name of the streaming-replication / binlog-replication user. */
export const REPLICATION_USER = 'replicator';
/** PostgreSQL role of the metrics exporter: `pg_monitor` only, no password, unix socket only. */
export const MONITOR_USER = 'metrics_exporter';
/** PostgreSQL role of the logical backups: `pg_read_all_data`, not a superuser. */
export const BACKUP_USER = 'backup';
/** Name of the data volume claim template. */
export const DATA_VOLUME = 'data';

const CONFIG_DIR = '/etc/db/config';
const SECRETS_DIR = '/etc/db/secrets';
/** emptyDir holding the replicas' pgpass file (libpq needs it writable by the server's uid, mode 0600). */
const PASSFILE_DIR = '/var/run/postgresql-auth';
/** PostgreSQL's data directory: a subdirectory, as the volume's root may hold lost+found and initdb wants an empty directory. */
const PGDATA = '/var/lib/postgresql/data/pgdata';
const PGSOCKET = '/var/run/postgresql';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const MAX_IDENTIFIER = { postgres: 63, mysql: 32, mariadb: 64 } as const;

/** File layout and tools of an engine inside its official image. */
interface EngineLayout {
  readonly dataMount: string;
  readonly env: k8s.EnvVar[];
  readonly writablePaths: string[];
  readonly configFile: string;
  readonly readiness: readonly string[];
  readonly liveness: readonly string[];
  readonly preStop?: readonly string[];
  readonly scripts: { readonly bootstrap: string; readonly run: string; readonly stop?: string };
}

/**
 * PostgreSQL, MySQL or MariaDB on a StatefulSet. PostgreSQL with `HighAvailability.patroni()`
 * fails over by itself (Patroni, Kubernetes DCS); in manual mode, and always for MySQL and
 * MariaDB, ordinal 0 is the primary and every other ordinal a replica bootstrapped from it:
 * **MySQL and MariaDB have no automatic failover** (a replica is promoted by hand,
 * docs/database-operations.md). Readiness means "can serve its role now" in every mode.
 * Credentials by reference only; consumers get their own database and user with `addDatabase()`.
 */
export class StatefulDatabase extends Construct implements IDatabase {
  public readonly engine: DatabaseEngine;
  public readonly family: DatabaseFamily;
  public readonly name: string;
  public readonly namespace: string;
  public readonly replicas: number;
  public readonly synchronousReplicas: number;
  public readonly port: number;
  public readonly credentials: Credentials;
  public readonly replicationCredentials: Credentials;
  /** The StatefulSet, headless Service and PDB underneath. */
  public readonly workload: StatefulWorkload;
  /**
   * Selects the primary: with Patroni the pod labelled `role: primary` (the current leader),
   * in manual mode pod 0.
   */
  public readonly readWriteService: WorkloadService;
  /**
   * Reads. With Patroni only the replicas (`role: replica`), each Ready only while it streams
   * within `maxReadyLag`. In manual mode every pod **including the primary**: no label tells
   * the replicas apart, so clients that must not load the primary connect to `podHost(i)` for
   * a replica `i ≥ 1`. Present when there are replicas.
   */
  public readonly readOnlyService?: WorkloadService;
  /** How the primary is kept (PostgreSQL: Patroni or manual). */
  public readonly highAvailability: HighAvailability;
  /** Patroni's ServiceAccount, Role and RoleBinding (Patroni mode only). */
  public readonly patroniRbac?: PatroniRbac;
  /** The generated configuration and scripts. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The generated engine configuration file (`postgresql.conf` or `my.cnf`). */
  public readonly serverConfig: string;
  /** `max_connections` of the server (IDatabase: consumers check their pools fit). */
  public readonly maxConnections: number;
  /** The server's certificate, key and CA (with `tls`). */
  public readonly tls?: ServerTlsBinding;
  /** What clients mount and set to verify the server (with `tls`). */
  public readonly clientTls?: DatabaseClientTls;
  private readonly grants = new Map<string, DatabaseGrant>();
  private backup?: { readonly user: string; readonly credentials: Credentials };
  private readonly profile: Profile;
  private readonly metricsPort?: number;
  private readonly clusterDomain: string;

  constructor(scope: Construct, id: string, props: StatefulDatabaseProps) {
    super(scope, id);
    const where = `StatefulDatabase '${this.node.path}'`;
    assertKnownProps(where, props, STATEFUL_DATABASE_PROPS);
    this.engine = props.engine;
    this.family = props.engine.family;
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.replicas = props.replicas ?? 1;
    this.synchronousReplicas = props.synchronousReplicas ?? 0;
    this.port = props.engine.port;
    this.credentials = props.credentials;
    this.replicationCredentials = props.replicationCredentials ?? props.credentials;
    this.profile = props.profile ?? props.storage.tier.profile;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.highAvailability = props.highAvailability ?? HighAvailability.manual();
    const patroni = this.highAvailability.mode === 'patroni';

    // Input that makes names, config or sizes meaningless fails at once.
    const versionProblem = this.engine.versionProblem();
    if (versionProblem) throw new Error(`${where}: ${versionProblem}.`);
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw new Error(`${where}: replicas must be a whole number ≥ 1 (1 primary, the rest replicas), got ${props.replicas}.`);
    }
    if (!Number.isInteger(this.synchronousReplicas) || this.synchronousReplicas < 0) {
      throw new Error(`${where}: synchronousReplicas ${props.synchronousReplicas} must be a whole number ≥ 0 (0: asynchronous replication); set 0 or a positive count.`);
    }
    if (this.synchronousReplicas >= this.replicas) {
      throw new Error(`${where}: synchronousReplicas ${props.synchronousReplicas} must be a whole number below replicas (${this.replicas}): ` +
        `only the ${this.replicas - 1} replica(s) can confirm commits, and waiting for more would block every write. ` +
        `Lower synchronousReplicas or raise replicas to at least ${this.synchronousReplicas + 1}.`);
    }
    if (this.family === 'postgres' && this.synchronousReplicas > 0 && this.replicas < this.synchronousReplicas + 2) {
      throw new Error(`${where}: synchronousReplicas ${this.synchronousReplicas} needs replicas ≥ ${this.synchronousReplicas + 2}, got ${this.replicas}: ` +
        `PostgreSQL waits for ${this.synchronousReplicas} standby confirmation(s) without a timeout, so with no spare standby every restart ` +
        `of a synchronous one (a rollout, a node drain) blocks all commits. Raise replicas to ${this.synchronousReplicas + 2}, or lower synchronousReplicas ` +
        `to ${Math.max(0, this.replicas - 2)}${this.replicas - 2 <= 0 ? ' (asynchronous replication)' : ''}.`);
    }
    if (this.family !== 'postgres' && props.recoverPrimaryFrom !== undefined) {
      throw new Error(`${where}: recoverPrimaryFrom applies to PostgreSQL only; remove it for ${this.engine.title} and promote a replica by hand (docs/database-operations.md).`);
    }
    if (this.family === 'postgres' && props.maxReadyLagSeconds !== undefined) {
      throw new Error(`${where}: maxReadyLagSeconds applies to MySQL/MariaDB; PostgreSQL bounds replay lag in bytes with maxReadyLag.`);
    }
    if (this.family !== 'postgres' && props.maxReadyLag !== undefined) {
      throw new Error(`${where}: maxReadyLag (bytes) applies to PostgreSQL; bound ${this.engine.title} replicas with maxReadyLagSeconds.`);
    }
    const maxReadyLagSeconds = props.maxReadyLagSeconds ?? 30;
    if (!Number.isInteger(maxReadyLagSeconds) || maxReadyLagSeconds < 1) {
      throw new Error(`${where}: maxReadyLagSeconds must be a whole number of seconds ≥ 1, got ${props.maxReadyLagSeconds}.`);
    }
    if (props.recoverPrimaryFrom !== undefined && (!Number.isInteger(props.recoverPrimaryFrom) || props.recoverPrimaryFrom < 1 || props.recoverPrimaryFrom >= this.replicas)) {
      throw new Error(`${where}: recoverPrimaryFrom ${props.recoverPrimaryFrom} must be the ordinal of a replica, 1..${this.replicas - 1}: ` +
        'the most advanced replica, which the empty primary clones and promotes.');
    }
    if (props.recoverPrimaryFrom !== undefined && props.allowEmptyPrimary) {
      throw new Error(`${where}: recoverPrimaryFrom and allowEmptyPrimary contradict each other (recover the lost primary's data from a replica, ` +
        'or discard it and start empty): set one of them.');
    }
    if (props.tls && this.family !== 'postgres') {
      throw new Error(`${where}: tls is supported for PostgreSQL only; ${this.engine.title} would still accept and replicate in plaintext. ` +
        'Remove tls (and keep the database on a default-deny network), or use DatabaseEngine.postgres(...).');
    }
    if (patroni && this.family !== 'postgres') {
      throw new Error(`${where}: HighAvailability.patroni() is PostgreSQL's automatic failover; ${this.engine.title} has none: ` +
        'use HighAvailability.manual() (the default) and fail over by the runbook in docs/database-operations.md.');
    }
    if (patroni && (props.allowEmptyPrimary !== undefined || props.recoverPrimaryFrom !== undefined)) {
      throw new Error(`${where}: allowEmptyPrimary and recoverPrimaryFrom belong to HighAvailability.manual(); with Patroni a lost leader ` +
        'is replaced by a replica and re-cloned by Patroni: remove them.');
    }
    const patroniOptions = this.highAvailability.patroniOptions;
    if (patroniOptions.strictSynchronous && this.synchronousReplicas === 0) {
      throw new Error(`${where}: strictSynchronous needs synchronousReplicas ≥ 1 (there is no synchronous standby to wait for): set synchronousReplicas or drop strictSynchronous.`);
    }
    const ttl = patroniOptions.ttl ?? 20;
    const loopWait = patroniOptions.loopWait ?? 5;
    const retryTimeout = patroniOptions.retryTimeout ?? 5;
    if (patroni && loopWait + 2 * retryTimeout > ttl) {
      throw new Error(`${where}: Patroni ttl ${ttl} must be at least loopWait + 2 × retryTimeout (${loopWait + 2 * retryTimeout}): ` +
        'a leader could lose its lock while still retrying. Raise ttl or lower loopWait/retryTimeout.');
    }
    if (patroni && !patroniOptions.image && !['14', '15', '16'].includes(this.engine.line)) {
      throw new Error(`${where}: no default Patroni image for ${this.engine.title} (Spilo 3.2 ships PostgreSQL 14–16): ` +
        "pass HighAvailability.patroni({ image: '<registry>/<image>:<tag>' }) with PostgreSQL and Patroni, pinned by tag.");
    }
    if (this.family === 'mariadb' && this.synchronousReplicas > 1) {
      throw new Error(`${where}: synchronousReplicas ${this.synchronousReplicas}: MariaDB semi-synchronous replication waits for exactly one replica; use 1 (or 0).`);
    }
    const size = Quantity.parse(props.storage.size, `storage size of ${where}`);
    if (props.storage.tier.accessMode !== 'ReadWriteOnce') {
      throw new Error(`${where}: storage tier '${props.storage.tier.name}' is ${props.storage.tier.accessMode} (a network file system); ` +
        "a database needs a ReadWriteOnce block-storage tier such as pack.fast or pack.standard.");
    }
    if (props.storage.tier.profile !== this.profile) {
      throw new Error(`${where}: storage tier '${props.storage.tier.name}' belongs to a StorageClassPack of profile '${props.storage.tier.profile.name}', ` +
        `not '${this.profile.name}': take the tier from the pack built for this profile.`);
    }
    const maxConnections = props.maxConnections ?? 200;
    if (!Number.isInteger(maxConnections) || maxConnections < 10) {
      throw new Error(`${where}: maxConnections must be a whole number ≥ 10, got ${props.maxConnections}.`);
    }
    this.maxConnections = maxConnections;
    const managed = managedParameterProblems(this.engine.family, props.parameters ?? {});
    if (managed.length) throw new Error(`${where}: ${managed.join('; ')}.`);
    if (props.restoreFrom && this.replicas > 1) {
      throw new Error(`${where}: restoreFrom would copy '${props.restoreFrom.name}' into all ${this.replicas} data claims, and a replica holding a copy ` +
        "of the primary's data would start as a second primary. Restore only ordinal 0 with RestoredClaim.forWorkload(scope, id, " +
        "{ target: db, template: 'data', snapshots: [SnapshotRef.named(...)] }) and let the replicas clone it, or restore with replicas: 1 and scale up after.");
    }

    const resources = props.resources ?? {};
    const memoryLimit = resources.memoryLimit ?? resources.memory ?? this.profile.defaultResources.memory;
    const memoryLimitBytes = Quantity.parse(memoryLimit, `memory limit of ${where}`).value;
    const replicaNames = Array.from({ length: this.replicas - 1 }, (_, i) => `${this.name}-${i + 1}`);
    if (props.tls) {
      const svc = (n: string) => [n, `${n}.${this.namespace}`, `${n}.${this.namespace}.svc`, `${n}.${this.namespace}.svc.${this.clusterDomain}`];
      this.tls = props.tls.bind(this, {
        name: this.name,
        namespace: this.namespace,
        dnsNames: [
          ...svc(`${this.name}-rw`), ...(this.replicas > 1 ? svc(`${this.name}-ro`) : []), ...svc(`${this.name}-headless`),
          ...Array.from({ length: this.replicas }, (_, i) => this.podHostName(i)),
        ],
        labels: { 'app.kubernetes.io/name': this.family, 'app.kubernetes.io/instance': this.name, 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' },
      });
      this.clientTls = new DatabaseClientTls(props.tls, this.tls, this.namespace, this.name);
    }
    const tlsFiles = this.tls ? { certFile: this.tls.certFile, keyFile: this.tls.keyFile, caFile: this.tls.caFile } : undefined;
    this.serverConfig = renderServerConfig({
      engine: this.engine,
      memoryLimitBytes,
      storageBytes: size.value,
      maxConnections,
      replicaNames,
      synchronousReplicas: this.synchronousReplicas,
      parameters: props.parameters ?? {},
      tls: tlsFiles,
    });

    const maxReadyLag = Quantity.parse(props.maxReadyLag ?? '16Mi', `maxReadyLag of ${where}`).value;
    const layout = this.layout(props, maxReadyLag, maxReadyLagSeconds);
    const grantsList = Lazy.any({ produce: () => this.renderGrantsList() }) as unknown as string;
    const configData: Record<string, string> = patroni ? {
      'patroni.yml': renderPatroniConfig({
        scope: this.name,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/name': this.family },
        scopeLabel: 'app.kubernetes.io/instance',
        port: this.port,
        dataDir: PGDATA,
        socketDir: PGSOCKET,
        binDir: patroniOptions.binDir ?? `/usr/lib/postgresql/${this.engine.line}/bin`,
        pgpass: `${PASSFILE_DIR}/patroni.pgpass`,
        settings: serverSettings({
          engine: this.engine, memoryLimitBytes, storageBytes: size.value, maxConnections, replicaNames,
          synchronousReplicas: this.synchronousReplicas, parameters: {}, tls: tlsFiles,
        }).concat(Object.entries(props.parameters ?? {}).sort(([a], [b]) => a.localeCompare(b))),
        pgHba: renderPgHba(REPLICATION_USER, !!this.tls).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\s+/g, ' ')),
        synchronousReplicas: this.synchronousReplicas,
        strictSynchronous: patroniOptions.strictSynchronous ?? false,
        maximumLagOnFailover: maxReadyLag,
        ttl, loopWait, retryTimeout,
        ...(this.tls ? { replicationTls: { sslmode: 'verify-full', sslrootcert: this.tls.caFile } } : {}),
        callback: `sh ${CONFIG_DIR}/patroni-callback.sh`,
      }),
      'databases.list': grantsList,
      'reconcile.sh': readAsset(__dirname, 'scripts/postgres-reconcile.sh'),
      'ready.sh': readAsset(__dirname, 'scripts/postgres-ready.sh'),
      'heal.sh': readAsset(__dirname, 'scripts/postgres-heal.sh'),
      'run.sh': readAsset(__dirname, 'scripts/patroni-run.sh'),
      'patroni-callback.sh': readAsset(__dirname, 'scripts/patroni-callback.sh'),
    } : {
      [layout.configFile]: this.serverConfig,
      ...(this.family === 'postgres' ? { 'pg_hba.conf': renderPgHba(REPLICATION_USER, !!this.tls) } : {}),
      'databases.list': grantsList,
      'bootstrap.sh': layout.scripts.bootstrap,
      'run.sh': layout.scripts.run,
      ...(this.family === 'postgres' ? {
        'reconcile.sh': readAsset(__dirname, 'scripts/postgres-reconcile.sh'),
        'ready.sh': readAsset(__dirname, 'scripts/postgres-ready.sh'),
        'heal.sh': readAsset(__dirname, 'scripts/postgres-heal.sh'),
      } : { 'ready.sh': readAsset(__dirname, 'scripts/mysql-ready.sh') }),
      ...(layout.scripts.stop ? { 'stop.sh': layout.scripts.stop } : {}),
    };
    // Patroni keeps its own DCS ConfigMaps named <scope>-config, -leader, -sync, -failover.
    const configMapName = patroni ? `${this.name}-patroni` : `${this.name}-config`;
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: configMapName, namespace: this.namespace, labels: { 'app.kubernetes.io/name': this.family, 'app.kubernetes.io/instance': this.name } },
      data: configData,
    });
    // Changing the configuration, the scripts or the grants rolls the pods.
    const checksum = Lazy.any({
      produce: () => createHash('sha256')
        .update(JSON.stringify({ ...configData, 'databases.list': this.renderGrantsList() }))
        .digest('hex'),
    }) as unknown as string;

    this.credentials.bind(this, this.namespace);
    this.replicationCredentials.bind(this, this.namespace);
    const volumes: k8s.Volume[] = [
      { name: 'config', configMap: { name: configMapName, defaultMode: 0o444 } },
      {
        name: 'secrets',
        projected: {
          // Group-readable: the files belong to the pod's fsGroup, the server's gid.
          defaultMode: 0o440,
          sources: Lazy.any({ produce: () => this.secretSources() }) as unknown as k8s.VolumeProjection[],
        },
      },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: DATA_VOLUME, mountPath: layout.dataMount },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'secrets', mountPath: SECRETS_DIR, readOnly: true },
    ];
    if (this.tls) {
      // Certificate and key for the server (and the bootstrap's temporary server); the CA verifies
      // the primary when a replica clones or streams from it.
      volumes.push(this.tls.volume('tls'));
      mounts.push(this.tls.volumeMount('tls'));
    }
    const serverMounts = [...mounts];
    if (this.family === 'postgres') {
      // Parallel queries allocate dynamic shared memory in /dev/shm (64 MiB by default).
      const shm = Quantity.parse(props.sharedMemorySize ?? `${Math.max(64, Math.floor(memoryLimitBytes / 4 / 2 ** 20))}Mi`, `sharedMemorySize of ${where}`);
      volumes.push({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(shm.text) } });
      serverMounts.push({ name: 'shm', mountPath: '/dev/shm' });
    }
    const serverResources = { ...resources };
    const server: ContainerSpec = {
      name: this.family,
      image: patroni ? (patroniOptions.image ?? `ghcr.io/zalando/spilo-16:3.2-p3`) : this.engine.image,
      command: ['sh', `${CONFIG_DIR}/run.sh`],
      env: layout.env,
      ports: patroni ? [{ name: 'db', port: this.port }, { name: 'patroni', port: PATRONI_PORT }] : [{ name: 'db', port: this.port }],
      resources: serverResources,
      // Neither engine sizes anything from its CPU count, so CPU resizes in place; buffers are sized from
      // the memory limit at start, so a memory resize restarts the server.
      resizePolicy: { cpu: 'NotRequired', memory: 'RestartContainer' },
      // Recovery after a crash can replay a lot of WAL/redo: allow 10 minutes to start.
      startupProbe: patroni ? Probe.http('/liveness', 'patroni', { failureThreshold: 120 }) : Probe.exec(layout.liveness, { failureThreshold: 120 }),
      readinessProbe: Probe.exec(layout.readiness),
      // Liveness asks only "is the process there" (Patroni's HA loop, or the server answering):
      // never lag, which a restart would not fix.
      livenessProbe: patroni ? Probe.http('/liveness', 'patroni') : Probe.exec(layout.liveness),
      volumeMounts: serverMounts,
      writablePaths: layout.writablePaths,
      ...(layout.preStop ? { preStop: layout.preStop } : {}),
    };
    // The bootstrap runs a temporary server on the same data: it gets the same sizing.
    const bootstrap: ContainerSpec = {
      name: 'bootstrap',
      image: this.engine.image,
      command: ['sh', `${CONFIG_DIR}/bootstrap.sh`],
      env: layout.env,
      resources: serverResources,
      volumeMounts: mounts,
      writablePaths: layout.writablePaths,
    };
    const containers: ContainerSpec[] = [server];
    if (patroni) {
      // Patroni reads and writes its DCS objects and labels its own pod; nothing else, and only
      // in this namespace (no pods/exec, no Secrets, no Endpoints or Services).
      const meta = (name: string) => ({ name, namespace: this.namespace, labels: { 'app.kubernetes.io/name': this.family, 'app.kubernetes.io/instance': this.name } });
      const accountName = `${this.name}-patroni`;
      const serviceAccount = new k8s.KubeServiceAccount(this, 'PatroniServiceAccount', { metadata: meta(accountName), automountServiceAccountToken: false });
      const dcsObjects = ['config', 'leader', 'sync', 'failover'].map((k) => `${this.name}-${k}`);
      const role = new k8s.KubeRole(this, 'PatroniRole', {
        metadata: meta(accountName),
        rules: [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create'] },
          { apiGroups: [''], resources: ['configmaps'], resourceNames: dcsObjects, verbs: ['update', 'patch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['pods'], resourceNames: Array.from({ length: this.replicas }, (_, i) => `${this.name}-${i}`), verbs: ['patch', 'update'] },
        ],
      });
      const roleBinding = new k8s.KubeRoleBinding(this, 'PatroniRoleBinding', {
        metadata: meta(accountName),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: accountName },
        subjects: [{ kind: 'ServiceAccount', name: accountName, namespace: this.namespace }],
      });
      this.patroniRbac = { serviceAccount, role, roleBinding };
      // Patroni keeps its leader lock in the API server: in a default-deny namespace it must reach it.
      NetworkFlows.of(this).reachApiServer({ namespace: this.namespace, podSelector: { 'app.kubernetes.io/name': this.family, 'app.kubernetes.io/instance': this.name } }, this.profile.network);
    }
    const sidecars: ContainerSpec[] = [];
    if (props.metrics) {
      const options = props.metrics === true ? {} : props.metrics;
      this.metricsPort = this.engine.metricsPort;
      sidecars.push(this.exporter(options));
    }

    const claim: VolumeClaimTemplateSpec = {
      name: DATA_VOLUME,
      tier: props.storage.tier,
      size: size.text,
      ...(props.restoreFrom ? { dataSource: props.restoreFrom } : {}),
    };
    this.workload = new StatefulWorkload(this, 'Workload', {
      name: this.name,
      namespace: this.namespace,
      profile: this.profile,
      appName: this.family,
      component: 'database',
      replicas: this.replicas,
      runAs: patroni ? (patroniOptions.runAs ?? { uid: 101, gid: 103 }) : this.engine.runAs,
      volumeClaims: [claim],
      ...(patroni ? { serviceAccountName: `${this.name}-patroni`, automountServiceAccountToken: true } : {}),
      claimRetention: props.claimRetention,
      updateStrategy: props.updateStrategy,
      // Replicas resolve the primary by its pod DNS name while it is still starting.
      publishNotReadyAddresses: true,
      spread: props.spread,
      initContainers: patroni ? [] : [bootstrap],
      containers,
      sidecars,
      volumes,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ??
        (this.engine.isMysqlFamily ? innodbShutdownSeconds(memoryLimitBytes) : 60),
      podAnnotations: {
        'ml.cdk8s.io/config-checksum': checksum,
        // Patroni labels each pod with its role; the -rw/-ro Services select those labels
        // (read by the synth gates, which otherwise see Services that select no template).
        ...(patroni ? { 'ml.cdk8s.io/runtime-labels': `${ROLE_LABEL}=${PRIMARY_ROLE},${ROLE_LABEL}=${REPLICA_ROLE}` } : {}),
      },
      clusterDomain: this.clusterDomain,
    });

    const dbPorts: k8s.ServicePort[] = [{ name: 'db', port: this.port, targetPort: k8s.IntOrString.fromString('db'), protocol: 'TCP' }];
    // Patroni labels the leader `role: primary` and every streaming member `role: replica`.
    this.readWriteService = this.workload.addClientService({
      name: `${this.name}-rw`, extraSelector: patroni ? { [ROLE_LABEL]: PRIMARY_ROLE } : this.workload.podSelector(0), ports: dbPorts,
    });
    if (this.replicas > 1) {
      // Replicas are interchangeable for reads: keep them in the client's zone where the version allows.
      this.readOnlyService = this.workload.addClientService({
        name: `${this.name}-ro`, ...(patroni ? { extraSelector: { [ROLE_LABEL]: REPLICA_ROLE } } : {}), ports: dbPorts, preferClose: true,
      });
    }
    for (const peer of props.allowFrom ?? []) this.allowFrom(peer);
    // The cluster's scraper, when the profile names one, may read the exporter.
    const scraper = this.workload.profile.network.metricsScraper;
    if (scraper && this.metricsPort !== undefined) this.allowMetricsFrom(scraper);
  }

  /** Stable DNS name of the primary (pod 0): `<name>-0.<name>-headless.<ns>.svc.<domain>`. */
  public get primaryHost(): string {
    return this.workload.podHost(0);
  }

  /** Stable DNS name of pod `i`. */
  public podHost(ordinal: number): string {
    return this.workload.podHost(ordinal);
  }

  /** Name of the data claim of pod `i` (`data-<name>-<i>`). */
  public claimName(ordinal: number): string {
    return this.workload.claimName(DATA_VOLUME, ordinal);
  }

  /** The headless governing Service. */
  public get headlessService(): WorkloadService {
    return this.workload.headlessService;
  }

  /** Every database added with `addDatabase()`, in the order added. */
  public get databases(): DatabaseGrant[] {
    return [...this.grants.values()];
  }

  public asPeer(): WorkloadPeer {
    return this.workload.asPeer();
  }

  public allowFrom(peer: IPeerable | WorkloadPeer): void {
    this.workload.allowFrom(peer, [this.port]);
  }

  /** Admits `peer` (a Prometheus) to the exporter's metrics port. */
  public allowMetricsFrom(peer: IPeerable | WorkloadPeer): void {
    if (this.metricsPort === undefined) {
      throw new Error(`StatefulDatabase '${this.node.path}' has no metrics exporter: set metrics: true to scrape it.`);
    }
    this.workload.allowFrom(peer, [this.metricsPort]);
  }

  /**
   * Creates database `name` and a user owning it (created or updated at every start of the
   * primary, so it is idempotent and picks up a rotated password). The password is read from
   * the consumer's Secret, which must exist in the database's namespace too (bound here).
   */
  public addDatabase(name: string, options: AddDatabaseOptions = {}): DatabaseGrant {
    const where = `StatefulDatabase '${this.node.path}'`;
    const user = options.user ?? name;
    const max = MAX_IDENTIFIER[this.family];
    for (const [what, value] of [['database', name], ['user', user]] as const) {
      if (!IDENTIFIER.test(value) || value.length > max) {
        throw new Error(`${where}: invalid ${what} name '${value}': use lower-case letters, digits and '_' (not first), at most ${max} characters.`);
      }
    }
    if (this.grants.has(name)) {
      throw new Error(`${where}: database '${name}' was already added; share the DatabaseGrant it returned.`);
    }
    if (user === REPLICATION_USER) {
      throw new Error(`${where}: user '${user}' is the replication user; choose another user name for database '${name}'.`);
    }
    const credentials = options.credentials ?? Credentials.existingSecret(`${this.name}-${name.replace(/_/g, '-')}`);
    credentials.bind(this, this.namespace);
    const family = this.family;
    const host = this.readWriteService.host;
    const port = this.port;
    const clientTls = this.clientTls;
    const grant: DatabaseGrant = {
      family, database: name, user, credentials, host, port,
      sqlalchemyUrl: (passwordEnv: string) => sqlalchemyUrl(family, user, passwordEnv, host, port, name) + (clientTls ? clientTls.urlQuery : ''),
      ...(clientTls ? { tls: clientTls } : {}),
    };
    this.grants.set(name, grant);
    return grant;
  }

  /**
   * PostgreSQL: the role logical backups connect as, `BACKUP_USER` with `pg_read_all_data` (reads
   * every table, owns nothing, not a superuser), created or updated by the primary at every start
   * with the password of `credentials`, which must exist in the database's namespace.
   * Idempotent: later calls return the first role.
   */
  public backupRole(credentials: Credentials = Credentials.existingSecret(`${this.name}-backup`)): { readonly user: string; readonly credentials: Credentials } {
    if (this.family !== 'postgres') {
      throw new Error(`StatefulDatabase '${this.node.path}': backupRole() is PostgreSQL's pg_read_all_data role; ${this.engine.title} backups use the superuser.`);
    }
    if (!this.backup) {
      credentials.bind(this, this.namespace);
      this.backup = { user: BACKUP_USER, credentials };
    }
    return this.backup;
  }

  private renderGrantsList(): string {
    const lines = [...this.grants.values()].map((g) => `${g.database} ${g.user}`);
    const backup = this.backup
      ? ['# @backup user: the pg_read_all_data role of the logical backups (password: the file backup/password)', `@backup ${this.backup.user}`]
      : [];
    return ['# database user (the password is the file grants/<database>/password)', ...lines, ...backup, ''].join('\n');
  }

  private secretSources(): k8s.VolumeProjection[] {
    return [
      this.credentials.projection({ password: 'superuser/password' }),
      this.replicationCredentials.projection({ password: 'replication/password' }),
      ...[...this.grants.values()].map((g) => g.credentials.projection({ password: `grants/${g.database}/password` })),
      ...(this.backup ? [this.backup.credentials.projection({ password: 'backup/password' })] : []),
    ];
  }

  private layout(props: StatefulDatabaseProps, maxReadyLagBytes: number, maxReadyLagSeconds: number): EngineLayout {
    const common: k8s.EnvVar[] = [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      // The ordinal from the controller's label where the version sets it; the scripts fall
      // back to the pod name's suffix elsewhere.
      ...(this.profile.kubeVersion.hasPodIndexLabel
        ? [{ name: 'POD_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } } }]
        : []),
      this.credentials.envVar('DB_SUPERUSER', 'username'),
      { name: 'DB_CONFIG_DIR', value: CONFIG_DIR },
      { name: 'DB_SECRETS_DIR', value: SECRETS_DIR },
      { name: 'PRIMARY_HOST', value: this.primaryHostName() },
      { name: 'PRIMARY_PORT', value: String(this.port) },
      { name: 'REPLICATION_USER', value: REPLICATION_USER },
    ];
    if (this.family === 'postgres' && this.highAvailability.mode === 'patroni') {
      return {
        dataMount: '/var/lib/postgresql/data',
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'PATRONI_NAME', value: '$(POD_NAME)' },
          { name: 'PATRONI_KUBERNETES_POD_IP', value: '$(POD_IP)' },
          { name: 'PATRONI_RESTAPI_CONNECT_ADDRESS', value: `$(POD_IP):${PATRONI_PORT}` },
          // With TLS, replicas reach the leader by its pod name, which its certificate holds (not its IP).
          { name: 'PATRONI_POSTGRESQL_CONNECT_ADDRESS', value: this.tls ? `$(POD_NAME).${this.name}-headless.${this.namespace}.svc.${this.clusterDomain}:${this.port}` : `$(POD_IP):${this.port}` },
          this.credentials.envVar('PATRONI_SUPERUSER_USERNAME', 'username'),
          this.credentials.envVar('PATRONI_SUPERUSER_PASSWORD', 'password'),
          { name: 'PATRONI_REPLICATION_USERNAME', value: REPLICATION_USER },
          this.replicationCredentials.envVar('PATRONI_REPLICATION_PASSWORD', 'password'),
          // pg_rewind of a former leader connects as the superuser.
          this.credentials.envVar('PATRONI_REWIND_USERNAME', 'username'),
          this.credentials.envVar('PATRONI_REWIND_PASSWORD', 'password'),
          // The REST API's unsafe endpoints (switchover, restart, reinitialize) need the superuser's
          // credentials; health checks stay open to the kubelet.
          this.credentials.envVar('PATRONI_RESTAPI_USERNAME', 'username'),
          this.credentials.envVar('PATRONI_RESTAPI_PASSWORD', 'password'),
          this.credentials.envVar('DB_SUPERUSER', 'username'),
          { name: 'DB_CONFIG_DIR', value: CONFIG_DIR },
          { name: 'DB_SECRETS_DIR', value: SECRETS_DIR },
          { name: 'REPLICATION_USER', value: REPLICATION_USER },
          { name: 'PGHOST', value: PGSOCKET },
          { name: 'PGPORT', value: String(this.port) },
          { name: 'PGUSER', value: '$(DB_SUPERUSER)' },
          { name: 'DB_READY_MAX_LAG_BYTES', value: String(maxReadyLagBytes) },
          ...(props.metrics ? [{ name: 'DB_MONITOR_USER', value: MONITOR_USER }] : []),
          // run.sh checks leftover data against the leader behind the -rw Service.
          { name: 'PGDATA', value: PGDATA },
          { name: 'DB_LEADER_HOST', value: `${this.name}-rw.${this.namespace}.svc.${this.clusterDomain}` },
          ...this.libpqTlsEnv(),
          { name: 'PATH', value: `${this.highAvailability.patroniOptions.binDir ?? `/usr/lib/postgresql/${this.engine.line}/bin`}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
        ],
        writablePaths: [PGSOCKET, PASSFILE_DIR, '/tmp'],
        configFile: 'patroni.yml',
        readiness: ['sh', `${CONFIG_DIR}/ready.sh`],
        liveness: ['pg_isready', '-q', '-h', PGSOCKET, '-p', String(this.port)],
        scripts: { bootstrap: '', run: '' },
      };
    }
    if (this.family === 'postgres') {
      return {
        dataMount: '/var/lib/postgresql/data',
        env: [
          ...common,
          // A subdirectory: the volume's root may hold lost+found, and initdb wants an empty directory.
          { name: 'PGDATA', value: PGDATA },
          { name: 'PGHOST', value: '/var/run/postgresql' },
          { name: 'PGPORT', value: String(this.port) },
          { name: 'PGUSER', value: '$(DB_SUPERUSER)' },
          // The primary keeps a replication slot per replica ordinal.
          { name: 'DB_REPLICAS', value: String(this.replicas) },
          // The primary's bootstrap refuses to initialize an empty database while one of these answers.
          { name: 'REPLICA_HOSTS', value: Array.from({ length: this.replicas - 1 }, (_, i) => this.podHostName(i + 1)).join(' ') },
          // Replicas connect with this pgpass file, written from the Secret on every start.
          { name: 'DB_PASSFILE', value: `${PASSFILE_DIR}/replication.pgpass` },
          ...(props.allowEmptyPrimary ? [{ name: 'DB_ALLOW_INITDB_WITH_REPLICAS', value: '1' }] : []),
          ...(props.recoverPrimaryFrom !== undefined ? [{ name: 'DB_RECOVER_PRIMARY_FROM', value: this.podHostName(props.recoverPrimaryFrom) }] : []),
          // Replicas clone, rewind and stream from the primary with verify-full.
          ...this.libpqTlsEnv(),
          // ready.sh: a standby further behind than this is not Ready.
          { name: 'DB_READY_MAX_LAG_BYTES', value: String(maxReadyLagBytes) },
          // reconcile.sh: the exporter's pg_monitor role.
          ...(props.metrics ? [{ name: 'DB_MONITOR_USER', value: MONITOR_USER }] : []),
        ],
        writablePaths: ['/var/run/postgresql', PASSFILE_DIR, '/tmp'],
        configFile: 'postgresql.conf',
        readiness: ['sh', `${CONFIG_DIR}/ready.sh`],
        liveness: ['pg_isready', '-q', '-h', PGSOCKET, '-p', String(this.port)],
        // SIGTERM is a "smart" shutdown that waits for every client: stop fast instead.
        preStop: ['sh', '-c', 'pg_ctl -D "$PGDATA" -m fast -w -t 50 stop'],
        scripts: {
          bootstrap: readAsset(__dirname, 'scripts/postgres-bootstrap.sh'),
          run: readAsset(__dirname, 'scripts/postgres-run.sh'),
        },
      };
    }
    const admin = this.family === 'mysql' ? 'mysqladmin' : 'mariadb-admin';
    return {
      dataMount: '/var/lib/mysql',
      env: [
        ...common,
        { name: 'DB_ENGINE', value: this.family },
        { name: 'DB_DATA_DIR', value: '/var/lib/mysql/data' },
        { name: 'DB_SOCKET', value: '/var/run/mysqld/mysqld.sock' },
        { name: 'DB_PORT', value: String(this.port) },
        { name: 'DB_TMP_DIR', value: '/tmp' },
        // The primary's bootstrap refuses to initialize an empty data directory while one of these answers.
        { name: 'REPLICA_HOSTS', value: Array.from({ length: this.replicas - 1 }, (_, i) => this.podHostName(i + 1)).join(' ') },
        ...(props.allowEmptyPrimary ? [{ name: 'DB_ALLOW_INITDB_WITH_REPLICAS', value: '1' }] : []),
        // ready.sh authenticates through this option file, which run.sh writes from the Secret.
        { name: 'DB_CLIENT_CNF', value: '/var/run/mysqld/probe.cnf' },
        { name: 'DB_READY_MAX_LAG_SECONDS', value: String(maxReadyLagSeconds) },
      ],
      writablePaths: ['/var/run/mysqld', '/tmp'],
      configFile: 'my.cnf',
      readiness: ['sh', `${CONFIG_DIR}/ready.sh`],
      // ping exits 0 whenever the server answers, even with access denied: no password needed.
      liveness: [admin, '--socket=/var/run/mysqld/mysqld.sock', 'ping'],
      // SIGTERM alone gives no chance to see the shutdown through: stop the server and wait.
      preStop: ['sh', `${CONFIG_DIR}/stop.sh`],
      scripts: {
        bootstrap: readAsset(__dirname, 'scripts/mysql-bootstrap.sh'),
        run: readAsset(__dirname, 'scripts/mysql-run.sh'),
        stop: readAsset(__dirname, 'scripts/mysql-stop.sh'),
      },
    };
  }

  /** libpq defaults of the server container with TLS: TCP connections to peers verify their certificate (sockets are unaffected). */
  private libpqTlsEnv(): k8s.EnvVar[] {
    return this.tls ? [{ name: 'PGSSLMODE', value: 'verify-full' }, { name: 'PGSSLROOTCERT', value: this.tls.caFile }] : [];
  }

  /** The primary's DNS name, before the workload exists (the layout is built first). */
  private primaryHostName(): string {
    return this.podHostName(0);
  }

  /** Pod `i`'s DNS name, before the workload exists. */
  private podHostName(ordinal: number): string {
    return `${this.name}-${ordinal}.${this.name}-headless.${this.namespace}.svc.${this.clusterDomain}`;
  }

  private exporter(options: DatabaseMetricsOptions): ContainerSpec {
    const base = {
      name: 'metrics',
      image: options.image ?? this.engine.exporterImage,
      ports: [{ name: 'metrics', port: this.engine.metricsPort }],
      resources: options.resources ?? { cpu: '50m', memory: '64Mi' },
      readinessProbe: Probe.tcp('metrics'),
    };
    if (this.family === 'postgres') {
      // Not the superuser: a pg_monitor role (created by reconcile.sh) over the server's unix
      // socket, which pg_hba trusts for local users; no password exists for it, over TCP it
      // cannot log in at all.
      return {
        ...base,
        env: [
          { name: 'DATA_SOURCE_NAME', value: `host=${PGSOCKET} port=${this.port} user=${MONITOR_USER} dbname=postgres sslmode=disable` },
        ],
        // The server's socket directory: the same emptyDir (one per writable path in the pod).
        writablePaths: [PGSOCKET],
      };
    }
    return {
      ...base,
      args: [`--mysqld.address=127.0.0.1:${this.port}`, '--mysqld.username=$(DB_SUPERUSER)'],
      env: [
        this.credentials.envVar('DB_SUPERUSER', 'username'),
        this.credentials.envVar('MYSQLD_EXPORTER_PASSWORD', 'password'),
      ],
    };
  }
}

/** Keys of StatefulDatabaseProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const STATEFUL_DATABASE_PROPS = propNames<StatefulDatabaseProps>({ engine: true, namespace: true, storage: true, credentials: true, name: true, replicas: true, synchronousReplicas: true, replicationCredentials: true, resources: true, maxConnections: true, parameters: true, metrics: true, allowFrom: true, spread: true, claimRetention: true, updateStrategy: true, restoreFrom: true, tls: true, terminationGracePeriodSeconds: true, allowEmptyPrimary: true, recoverPrimaryFrom: true, profile: true, clusterDomain: true, highAvailability: true, maxReadyLag: true, maxReadyLagSeconds: true, sharedMemorySize: true });
