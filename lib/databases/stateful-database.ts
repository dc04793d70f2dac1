import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { MANAGED_BY_LABELS } from '../names';
import { Profile, assertKnownProps, propNames } from '../profiles';
import { describeConstruct, propsError } from '../private/errors';
import { Credentials, ServerTls, ServerTlsBinding } from '../secrets';
import {
  IServesTraffic, PeerLike, StatefulWorkload, VolumeClaimTemplateSpec, WorkloadIdentity, WorkloadPeer, WorkloadService, serviceProfile,
} from '../stateful';
import { Quantity } from '../storage/quantity';
import { sqlalchemyUrl } from './connection-url';
import { AddDatabaseOptions, DatabaseFamily, DatabaseGrant, IDatabase } from './database';
import { DatabaseEngine } from './database-engine';
import { DATA_VOLUME, databasePod } from './database-pod';
import { BACKUP_USER, REPLICATION_USER } from './database-roles';
import { DatabaseClientTls } from './database-tls';
import { DatabaseSizing, EngineContext, EngineDriver, EnginePod, EngineSettingsInput } from './engines';
import { HighAvailability } from './high-availability';
import { PRIMARY_ROLE, REPLICA_ROLE, ROLE_LABEL } from './patroni-config';
import { PatroniRbac, createPatroniRbac, patroniAccountName } from './patroni-rbac';
import { renderEngineConfig } from './server-config';
import { StatefulDatabaseProps } from './stateful-database-props';
import { validateDatabaseProps } from './validate-database-props';

export { DATA_VOLUME } from './database-pod';
export type { PatroniRbac } from './patroni-rbac';

const CONFIG_DIR = '/etc/db/config';
const SECRETS_DIR = '/etc/db/secrets';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * PostgreSQL, MySQL or MariaDB on a StatefulSet. PostgreSQL with `HighAvailability.patroni()`
 * fails over by itself (Patroni, Kubernetes DCS); in manual mode, and always for MySQL and
 * MariaDB, ordinal 0 is the primary and every other ordinal a replica bootstrapped from it:
 * **MySQL and MariaDB have no automatic failover** (a replica is promoted by hand,
 * docs/database-operations.md). Readiness means "can serve its role now" in every mode.
 * Credentials by reference only; consumers get their own database and user with `addDatabase()`.
 */
export class StatefulDatabase extends Construct implements IDatabase, IServesTraffic {
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
  /** Names and DNS names of the pods and Services, known before the workload exists. */
  public readonly identity: WorkloadIdentity;
  private readonly grants = new Map<string, DatabaseGrant>();
  private backup?: { readonly user: string; readonly credentials: Credentials };
  private readonly driver: EngineDriver;
  private readonly profile: Profile;
  private readonly metricsPort?: number;

  constructor(scope: Construct, id: string, props: StatefulDatabaseProps) {
    super(scope, id);
    const where = describeConstruct(this, 'StatefulDatabase');
    assertKnownProps(where, props, STATEFUL_DATABASE_PROPS);
    this.engine = props.engine;
    this.driver = props.engine.driver;
    this.family = this.driver.family;
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.replicas = props.replicas ?? 1;
    this.synchronousReplicas = props.synchronousReplicas ?? 0;
    this.port = props.engine.port;
    this.credentials = props.credentials;
    this.replicationCredentials = props.replicationCredentials ?? props.credentials;
    this.profile = serviceProfile(this, props.profile, props.storage.tier);
    this.highAvailability = props.highAvailability ?? HighAvailability.manual();
    validateDatabaseProps(this, {
      props, driver: this.driver, title: this.engine.title, replicas: this.replicas, synchronousReplicas: this.synchronousReplicas,
      highAvailability: this.highAvailability, profile: this.profile, where,
    });
    this.identity = WorkloadIdentity.of({ name: this.name, namespace: this.namespace, clusterDomain: props.clusterDomain, appName: this.family });

    // Settings and configuration: the engine's files for this database's HA mode.
    const sizing = this.sizing(props, where);
    this.maxConnections = sizing.maxConnections;
    if (props.tls) {
      this.tls = this.bindTls(props.tls);
      this.clientTls = new DatabaseClientTls(props.tls, this.tls, this.namespace, this.name);
    }
    const context = this.engineContext(props, sizing, where);
    this.serverConfig = context.serverConfig;
    const pod = this.driver.pod(context);
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: pod.configMapName, namespace: this.namespace, labels: { ...this.identity.selectorLabels } },
      data: pod.configFiles,
    });

    // Credentials, Patroni's RBAC, the workload.
    this.credentials.bind(this, this.namespace);
    this.replicationCredentials.bind(this, this.namespace);
    if (props.metrics) this.metricsPort = this.engine.metricsPort;
    if (this.patroni) this.patroniRbac = createPatroniRbac(this, this.identity, this.replicas, this.profile);
    this.workload = this.createWorkload(props, context, pod);

    // Services and network policy.
    const { readWrite, readOnly } = this.createClientServices();
    this.readWriteService = readWrite;
    this.readOnlyService = readOnly;
    for (const peer of props.allowFrom ?? []) this.allowFrom(peer);
    // The cluster's scraper, when the profile names one, may read the exporter.
    const scraper = this.workload.profile.network.metricsScraper;
    if (scraper && this.metricsPort !== undefined) this.allowMetricsFrom(scraper);
  }

  private get patroni(): boolean {
    return this.highAvailability.mode === 'patroni';
  }

  private get readWriteServiceName(): string {
    return `${this.name}-rw`;
  }

  /** The server's certificate for every name clients and peers use: the 4 forms of each Service's name, and every pod's DNS name. */
  private bindTls(tls: ServerTls): ServerTlsBinding {
    const id = this.identity;
    return tls.bind(this, {
      name: this.name,
      namespace: this.namespace,
      dnsNames: [
        ...id.serviceNames(this.readWriteServiceName), ...(this.replicas > 1 ? id.serviceNames(this.readOnlyServiceName) : []),
        ...id.serviceNames(id.headlessServiceName), ...id.podHosts(this.replicas),
      ],
      labels: { ...id.selectorLabels, ...MANAGED_BY_LABELS },
    });
  }

  /** The StatefulSet (with its headless Service and PDB): the engine's pod, one data claim per pod. */
  private createWorkload(props: StatefulDatabaseProps, context: EngineContext, pod: EnginePod): StatefulWorkload {
    const patroni = this.patroni;
    const { volumes, initContainers, containers, sidecars } = databasePod({
      engine: this.engine,
      context,
      pod,
      resources: { ...props.resources ?? {} },
      secretSources: Lazy.any({ produce: () => this.secretSources() }) as unknown as k8s.VolumeProjection[],
      tls: this.tls,
      metrics: props.metrics === true ? {} : props.metrics || undefined,
    });
    // Changing the configuration, the scripts or the grants rolls the pods.
    const checksum = Lazy.any({
      produce: () => createHash('sha256')
        .update(JSON.stringify({ ...pod.configFiles, 'databases.list': this.renderGrantsList() }))
        .digest('hex'),
    }) as unknown as string;
    const claim: VolumeClaimTemplateSpec = {
      name: DATA_VOLUME,
      tier: props.storage.tier,
      size: Quantity.parse(props.storage.size).text,
      ...(props.restoreFrom ? { dataSource: props.restoreFrom } : {}),
    };
    return new StatefulWorkload(this, 'Workload', {
      name: this.name,
      namespace: this.namespace,
      profile: this.profile,
      appName: this.family,
      component: 'database',
      replicas: this.replicas,
      runAs: pod.runAs,
      volumeClaims: [claim],
      ...(patroni ? { serviceAccountName: patroniAccountName(this.identity), automountServiceAccountToken: true } : {}),
      claimRetention: props.claimRetention,
      updateStrategy: props.updateStrategy,
      // Replicas resolve the primary by its pod DNS name while it is still starting.
      publishNotReadyAddresses: true,
      spread: props.spread,
      initContainers,
      containers,
      sidecars,
      volumes,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? this.driver.terminationGracePeriodSeconds(context.sizing.memoryLimitBytes),
      podAnnotations: {
        'ml.cdk8s.io/config-checksum': checksum,
        // Patroni labels each pod with its role; the -rw/-ro Services select those labels
        // (read by the synth gates, which otherwise see Services that select no template).
        ...(patroni ? { 'ml.cdk8s.io/runtime-labels': `${ROLE_LABEL}=${PRIMARY_ROLE},${ROLE_LABEL}=${REPLICA_ROLE}` } : {}),
      },
      clusterDomain: this.identity.clusterDomain,
    });
  }

  /** `-rw` selects the primary; `-ro`, with replicas, the pods that serve reads. */
  private createClientServices(): { readonly readWrite: WorkloadService; readonly readOnly?: WorkloadService } {
    const patroni = this.patroni;
    const ports: k8s.ServicePort[] = [{ name: 'db', port: this.port, targetPort: k8s.IntOrString.fromString('db'), protocol: 'TCP' }];
    // Patroni labels the leader `role: primary` and every streaming member `role: replica`.
    const readWrite = this.workload.addClientService({
      name: this.readWriteServiceName, extraSelector: patroni ? { [ROLE_LABEL]: PRIMARY_ROLE } : this.workload.podSelector(0), ports,
    });
    // Replicas are interchangeable for reads: keep them in the client's zone where the version allows.
    const readOnly = this.replicas > 1 ? this.workload.addClientService({
      name: this.readOnlyServiceName, ...(patroni ? { extraSelector: { [ROLE_LABEL]: REPLICA_ROLE } } : {}), ports, preferClose: true,
    }) : undefined;
    return { readWrite, readOnly };
  }

  private get readOnlyServiceName(): string {
    return `${this.name}-ro`;
  }

  /** Sizes from the props, checked (the memory limit sizes the engine's buffers). */
  private sizing(props: StatefulDatabaseProps, where: string): DatabaseSizing {
    const resources = props.resources ?? {};
    const memoryLimit = resources.memoryLimit ?? resources.memory ?? this.profile.defaultResources.memory;
    return {
      memoryLimitBytes: Quantity.parse(memoryLimit, `memory limit of ${where}`).value,
      storageBytes: Quantity.parse(props.storage.size).value,
      maxConnections: props.maxConnections ?? 200,
      maxReadyLagBytes: Quantity.parse(props.maxReadyLag ?? '16Mi', `maxReadyLag of ${where}`).value,
      maxReadyLagSeconds: props.maxReadyLagSeconds ?? 30,
    };
  }

  /** What the engine's driver builds the pod from. */
  private engineContext(props: StatefulDatabaseProps, sizing: DatabaseSizing, where: string): EngineContext {
    const tls = this.tls;
    const settingsInput: EngineSettingsInput = {
      engine: this.engine,
      memoryLimitBytes: sizing.memoryLimitBytes,
      storageBytes: sizing.storageBytes,
      maxConnections: sizing.maxConnections,
      replicaNames: Array.from({ length: this.replicas - 1 }, (_, i) => this.identity.podName(i + 1)),
      synchronousReplicas: this.synchronousReplicas,
      parameters: props.parameters ?? {},
      tls: tls ? { certFile: tls.certFile, keyFile: tls.keyFile, caFile: tls.caFile } : undefined,
    };
    return {
      where,
      engine: this.engine,
      props,
      identity: this.identity,
      readWriteServiceName: this.readWriteServiceName,
      profile: this.profile,
      replicas: this.replicas,
      synchronousReplicas: this.synchronousReplicas,
      highAvailability: this.highAvailability,
      credentials: this.credentials,
      replicationCredentials: this.replicationCredentials,
      sizing,
      tls,
      serverConfig: renderEngineConfig(this.driver, settingsInput),
      settingsInput,
      grantsList: Lazy.any({ produce: () => this.renderGrantsList() }) as unknown as string,
      configDir: CONFIG_DIR,
      secretsDir: SECRETS_DIR,
    };
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

  public allowFrom(peer: PeerLike): void {
    this.workload.allowFrom(peer, [this.port]);
  }

  /** Admits `peer` (a Prometheus) to the exporter's metrics port. */
  public allowMetricsFrom(peer: PeerLike): void {
    if (this.metricsPort === undefined) {
      throw new Error(`${describeConstruct(this, 'StatefulDatabase')} has no metrics exporter: set metrics: true to scrape it.`);
    }
    this.workload.allowFrom(peer, [this.metricsPort]);
  }

  /**
   * Creates database `name` and a user owning it (created or updated at every start of the
   * primary, so it is idempotent and picks up a rotated password). The password is read from
   * the consumer's Secret, which must exist in the database's namespace too (bound here).
   */
  public addDatabase(name: string, options: AddDatabaseOptions = {}): DatabaseGrant {
    const user = options.user ?? name;
    const max = this.driver.maxIdentifierLength;
    for (const [what, value] of [['database', name], ['user', user]] as const) {
      if (!IDENTIFIER.test(value) || value.length > max) {
        throw propsError(this, 'StatefulDatabase', `invalid ${what} name '${value}': use lower-case letters, digits and '_' (not first), at most ${max} characters.`);
      }
    }
    if (this.grants.has(name)) {
      throw propsError(this, 'StatefulDatabase', `database '${name}' was already added; share the DatabaseGrant it returned.`);
    }
    if (user === REPLICATION_USER) {
      throw propsError(this, 'StatefulDatabase', `user '${user}' is the replication user; choose another user name for database '${name}'.`);
    }
    const credentials = options.credentials ?? Credentials.existingSecret(`${this.name}-${name.replace(/_/g, '-')}`);
    credentials.bind(this, this.namespace);
    const family = this.family;
    const host = this.readWriteService.host;
    const port = this.port;
    const clientTls = this.clientTls;
    const grant: DatabaseGrant = {
      family, database: name, user, credentials, host, port,
      sqlalchemyUrl: (passwordEnv: string) => sqlalchemyUrl(this.driver, user, passwordEnv, host, port, name) + (clientTls ? clientTls.urlQuery : ''),
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
    if (!this.driver.supports.backupRole) {
      throw propsError(this, 'StatefulDatabase', `backupRole() is PostgreSQL's pg_read_all_data role; ${this.engine.title} backups use the superuser.`);
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
}

/** Keys of StatefulDatabaseProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const STATEFUL_DATABASE_PROPS = propNames<StatefulDatabaseProps>({ engine: true, namespace: true, storage: true, credentials: true, name: true, replicas: true, synchronousReplicas: true, replicationCredentials: true, resources: true, maxConnections: true, parameters: true, metrics: true, allowFrom: true, spread: true, claimRetention: true, updateStrategy: true, restoreFrom: true, tls: true, terminationGracePeriodSeconds: true, allowEmptyPrimary: true, recoverPrimaryFrom: true, profile: true, clusterDomain: true, highAvailability: true, maxReadyLag: true, maxReadyLagSeconds: true, sharedMemorySize: true });
