import { k8s } from '../../k8s';
import type { Profile } from '../../profiles';
import type { Credentials, ServerTlsBinding } from '../../secrets';
import type { ContainerPortSpec, ContainerSpec, Probe, RunAs, WorkloadIdentity } from '../../stateful';
import type { DatabaseFamily } from '../database';
import type { HighAvailability } from '../high-availability';

/**
 * Everything the library knows about one database engine: how its versions are named, how its image lays out data and
 * configuration, which settings it gets, how it is probed, scraped and backed up, and which props it supports.
 * `ENGINE_DRIVERS` holds one per `DatabaseFamily`; StatefulDatabase, LogicalBackup, the SQLAlchemy URLs and the props
 * validation read the engine from here, never by comparing family names, so a new engine is one driver (and its
 * scripts) and the compiler names every member it lacks.
 */
export interface EngineDriver {
  /** The family the driver serves (what `DatabaseGrant.family` reports to consumers). */
  readonly family: DatabaseFamily;
  /** `PostgreSQL`: how messages and titles name the engine. */
  readonly title: string;

  // Releases and image
  /** Release lines the scripts and configuration are written for. */
  readonly supportedLines: readonly SupportedLine[];
  /** A release messages suggest, e.g. `16.4`. */
  readonly exampleVersion: string;
  /** A pinned release of the engine (`16.4`, `8.4.3`); the capture groups are major, minor[, patch]. */
  readonly pinnedVersion: RegExp;
  /** The release line of `version`: `16` for PostgreSQL 16.4, `8.4` for MySQL 8.4.3. */
  line(version: string): string;
  /** The official image of `version`, pinned by tag. */
  image(version: string): string;
  /** uid/gid the image's server runs as (the pod's fsGroup too). */
  readonly runAs: RunAs;
  /** The server's port. */
  readonly port: number;
  /** Prometheus exporter sidecar image, pinned. */
  readonly exporterImage: string;
  /** The exporter's metrics port. */
  readonly metricsPort: number;

  // SQL dialect
  /** Longest database or user name the engine accepts. */
  readonly maxIdentifierLength: number;
  /**
   * SQLAlchemy dialect+driver of the clients: `default` what MLflow ships and every grant's URL names (psycopg2,
   * PyMySQL); `feast` what Feast's extra for the engine installs (psycopg 3 for PostgreSQL).
   */
  readonly sqlalchemySchemes: { readonly default: string; readonly feast: string };

  // Which props the engine supports (validate-database-props.ts reads these)
  readonly supports: EngineSupport;

  // Server settings
  /** The settings derived from the input, in file order (keys are the engine's parameter names). */
  settings(input: EngineSettingsInput): Array<[string, string]>;
  /** Section header the settings are written under (`[mysqld]`), if the file format has sections. */
  readonly configSection?: string;
  /**
   * Settings the construct manages because Services, probes, replication or clients depend on them: the prop that
   * sets each (or none) and why. `parameters` cannot override them.
   */
  readonly managedParameters: Readonly<Record<string, readonly [prop: string | undefined, why: string]>>;
  /** A `parameters` key as the engine compares it (case-insensitively; MySQL treats '-' and '_' alike). */
  parameterKey(key: string): string;

  // The pod
  /** Image, env, files, probes and volumes of the server pod, for the database's HA mode. */
  pod(context: EngineContext): EnginePod;
  /** The exporter sidecar's connection to the server (env, args, shared paths). */
  exporter(context: EngineContext): Pick<ContainerSpec, 'args' | 'env' | 'writablePaths'>;
  /** Seconds a pod gets to stop cleanly when `terminationGracePeriodSeconds` is not set. */
  terminationGracePeriodSeconds(memoryLimitBytes: number): number;

  // Logical backups
  /** The dump script (in lib/databases/scripts) and how it connects to the server. */
  readonly backup: EngineBackup;
}

/** A release line of an engine the library generates configuration and scripts for. */
export interface SupportedLine {
  /** `16` for PostgreSQL, `8.4` for MySQL, `11.4` for MariaDB. */
  readonly line: string;
  /** Lowest patch release the scripts and configuration work with. @default 0 */
  readonly minPatch?: number;
}

/** Props and modes an engine supports; StatefulDatabase refuses the rest with a message naming the engine. */
export interface EngineSupport {
  /** `HighAvailability` modes (`manual` always, `patroni` for automatic failover). */
  readonly haModes: ReadonlyArray<HighAvailability['mode']>;
  /** Server TLS (`tls`). */
  readonly tls: boolean;
  /** Rebuilding a lost primary from a replica (`recoverPrimaryFrom`). */
  readonly recoverPrimaryFrom: boolean;
  /** The prop that bounds a Ready replica's lag: bytes (`maxReadyLag`) or seconds (`maxReadyLagSeconds`). */
  readonly readyLag: 'maxReadyLag' | 'maxReadyLagSeconds';
  /**
   * Synchronous commits wait without a timeout, so `synchronousReplicas` needs a spare standby
   * (`replicas ≥ synchronousReplicas + 2`); engines whose semi-sync falls back to asynchronous do not.
   */
  readonly synchronousWaitsForever: boolean;
  /** Most replicas a commit can wait for, and why. @default - no limit below `replicas` */
  readonly maxSynchronousReplicas?: { readonly count: number; readonly why: string };
  /** A read-only role for logical backups (`backupRole()`); without it backups use the superuser. */
  readonly backupRole: boolean;
}

/** What the engine's settings are derived from (`serverSettings`, `renderServerConfig`). */
export interface EngineSettingsInput {
  /** Engine and version the configuration is written for. */
  readonly engine: EngineRelease;
  /** Memory limit of the server container, in bytes. */
  readonly memoryLimitBytes: number;
  /** Size of the data volume, in bytes. */
  readonly storageBytes: number;
  /** Client connection limit (`max_connections`). */
  readonly maxConnections: number;
  /** Pod names of the replicas (ordinals ≥ 1), in ordinal order. */
  readonly replicaNames: readonly string[];
  /** Replicas that must confirm a commit before it returns (0: asynchronous). */
  readonly synchronousReplicas: number;
  /** Extra or overriding settings, written last (later settings win in every engine). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Server certificate, key and CA files (mounted from the TLS Secret). @default - no TLS */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
}

/** An engine at one version (`DatabaseEngine` is one). */
export interface EngineRelease {
  readonly family: DatabaseFamily;
  /** The version as given, e.g. `16.4`. */
  readonly version: string;
  /** The release line, e.g. `16`. */
  readonly line: string;
  /** `PostgreSQL 16.4` */
  readonly title: string;
  /** The pinned official image. */
  readonly image: string;
  /** The server's port. */
  readonly port: number;
  /** uid/gid the image's server runs as. */
  readonly runAs: RunAs;
}

/** Sizes a StatefulDatabase derived from its props (after validation). */
export interface DatabaseSizing {
  /** Memory limit of the server container, bytes. */
  readonly memoryLimitBytes: number;
  /** Data volume of each pod, bytes. */
  readonly storageBytes: number;
  /** `max_connections`. */
  readonly maxConnections: number;
  /** `maxReadyLag` in bytes. */
  readonly maxReadyLagBytes: number;
  /** `maxReadyLagSeconds`. */
  readonly maxReadyLagSeconds: number;
}

/** What a driver builds the pod from: the database's identity, props and derived values. */
export interface EngineContext {
  /** `StatefulDatabase '<path>'`, for messages. */
  readonly where: string;
  readonly engine: EngineRelease;
  /** The StatefulDatabase props drivers read (StatefulDatabaseProps has them, with their docs). */
  readonly props: EngineProps;
  /** Names and DNS names of the pods and Services. */
  readonly identity: WorkloadIdentity;
  /** Name of the Service that selects the primary (`<name>-rw`). */
  readonly readWriteServiceName: string;
  readonly profile: Profile;
  readonly replicas: number;
  readonly synchronousReplicas: number;
  readonly highAvailability: HighAvailability;
  readonly credentials: Credentials;
  readonly replicationCredentials: Credentials;
  readonly sizing: DatabaseSizing;
  /** The server's certificate binding, with `tls`. */
  readonly tls?: ServerTlsBinding;
  /** The generated settings file (`renderServerConfig`). */
  readonly serverConfig: string;
  /** The settings before `parameters` are appended, with TLS (Patroni writes them itself). */
  readonly settingsInput: EngineSettingsInput;
  /** The `databases.list` file (resolved at synth, after every `addDatabase()`). */
  readonly grantsList: string;
  /** Where the ConfigMap is mounted. */
  readonly configDir: string;
  /** Where the projected Secrets are mounted. */
  readonly secretsDir: string;
}

/** The props of a StatefulDatabase that only some engines read. */
export interface EngineProps {
  readonly allowEmptyPrimary?: boolean;
  readonly recoverPrimaryFrom?: number;
  readonly metrics?: unknown;
  readonly sharedMemorySize?: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The engine's part of the server pod. */
export interface EnginePod {
  /** Server image. */
  readonly image: string;
  /** uid/gid of the pod. */
  readonly runAs: RunAs;
  /** Where the data claim is mounted. */
  readonly dataMount: string;
  /** Env of the server (and bootstrap) container. */
  readonly env: k8s.EnvVar[];
  /** Paths the server writes besides its volumes (emptyDirs). */
  readonly writablePaths: string[];
  /** Ports of the server container; the first is the database port `db`. */
  readonly ports: ContainerPortSpec[];
  readonly startupProbe: Probe;
  readonly readinessProbe: Probe;
  readonly livenessProbe: Probe;
  /** Clean stop before SIGTERM. @default - none */
  readonly preStop?: readonly string[];
  /** Whether an init container runs `bootstrap.sh` from the engine image first. */
  readonly bootstrap: boolean;
  /** Volumes only the server container mounts (e.g. PostgreSQL's `/dev/shm`). */
  readonly serverVolumes: ReadonlyArray<{ readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount }>;
  /** Name of the ConfigMap holding `configFiles`. */
  readonly configMapName: string;
  /** Configuration (the server's settings file, `serverConfig`) and scripts, mounted at `configDir` (insertion order is the checksum's). */
  readonly configFiles: Record<string, string>;
}

/** How the logical backup of an engine dumps it. */
export interface EngineBackup {
  /** Script file in lib/databases/scripts. */
  readonly scriptFile: string;
  /** Env of the dump container that points the script at the server. */
  connectionEnv(target: BackupConnection): k8s.EnvVar[];
}

/** The server a logical backup connects to. */
export interface BackupConnection {
  /** The read-write Service's DNS name. */
  readonly host: string;
  readonly port: number;
  /** The server's superuser. */
  readonly superuser: Credentials;
  /** The read-only backup role (engines that support one), bound on first call. */
  backupRole(): { readonly user: string; readonly credentials: Credentials };
  /** Env that makes the client verify the server's certificate (TLS databases). */
  readonly tlsEnv: readonly k8s.EnvVar[];
}
