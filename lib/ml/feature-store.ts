import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { Profile, assertKnownProps, propNames } from '../profiles';
import { ServerTls } from '../secrets';
import {
  ContainerResources, IngressAllowList, IPeerable, IServesTraffic, NetworkFlows, PeerLike, Probe, StatefulServiceProps, WorkloadIdentity, WorkloadPeer,
  buildPodSpec, serviceProfile, tierProfileProblem,
} from '../stateful';
import { feastProjectProblem, renderFeatureStoreYaml } from './feast-config';
import { Registry } from './feast-registry';
import { RedisServer, RedisServerProps, hashOf } from './redis';
import { RedisUserKeys, RedisUsers, feastRedisUser } from './redis-acl';
import { MANAGED_BY_LABELS } from '../names';
import { addProblems, describeConstruct, propsError } from '../private/errors';

/** Feast's Python feature server image. Pinned with the Feast version feature_store.yaml targets. */
export const DEFAULT_FEATURE_SERVER_IMAGE = 'feastdev/feature-server:0.40.1';
export const FEATURE_SERVER_PORT = 6566;
const CONFIG_DIR = '/etc/feast';

/** The online store: Redis on persistent claims (every RedisServer setting but its identity). */
export interface OnlineStoreOptions extends Omit<RedisServerProps, 'name' | 'namespace' | 'users' | 'clients' | 'profile' | 'clusterDomain' | 'tls'> {
  /**
   * Secret with one password per Redis ACL user: `feast-password` (read by the feature server) and
   * `admin-password`, `replication-password`, `sentinel-password`, `probe-password` (see
   * docs/credentials.md). Passwords must not contain `,`, `'` or line breaks (Feast's connection
   * string is comma-separated).
   * @default '<name>-redis'
   */
  readonly secretName?: string;
  /** Secret keys of the built-in users. @default - '<user>-password' */
  readonly userKeys?: RedisUserKeys;
  /** Secret key of the Feast user's password. @default 'feast-password' */
  readonly feastPasswordKey?: string;
  /**
   * Expire entity rows this many seconds after they were last written (Feast `key_ttl_seconds`).
   * @default - rows never expire
   */
  readonly keyTtlSeconds?: number;
}

/** The `feast serve` Deployment. */
export interface FeatureServerOptions {
  /** Feature server pods. @default 2 (1 with a file registry on a ReadWriteOnce tier) */
  readonly replicas?: number;
  /** Pinned Feast feature server image. @default DEFAULT_FEATURE_SERVER_IMAGE */
  readonly image?: string;
  /** CPU and memory of each feature server. @default - the profile's default sizing */
  readonly resources?: ContainerResources;
  /** How often the server reloads the registry. @default 60 */
  readonly registryTtlSeconds?: number;
}

/** Props of `FeatureStore`. */
export interface FeatureStoreProps extends Omit<StatefulServiceProps, 'resources' | 'claimRetention' | 'updateStrategy'> {
  /** Prefix of every object name: `<name>-redis`, `<name>-server`. @default 'feast' */
  readonly name?: string;
  /** Namespace of Redis, the feature server and their Services. */
  readonly namespace: string;
  /** Feast project (letters, digits, underscores; not starting with an underscore). */
  readonly project: string;
  /** The online store: Redis mode, storage, resources, claim retention and update strategy. */
  readonly online: OnlineStoreOptions;
  /** `Registry.sql(db)` or `Registry.file({ tier, size })`. */
  readonly registry: Registry;
  /** The `feast serve` Deployment: replicas, image, sizing. @default - 2 replicas, profile sizing */
  readonly featureServer?: FeatureServerOptions;
  /** Target cluster. @default - the online storage tier's profile */
  readonly profile?: Profile;
  /**
   * TLS on Redis and its Sentinels; the feature server verifies them with the CA (`ssl=true`).
   * @default - no TLS
   */
  readonly tls?: ServerTls;
}

/**
 * A Feast feature store: the online store on persistent Redis (standalone, primary + replicas, or
 * with Sentinel failover), the `feast serve` feature server with a generated feature_store.yaml
 * (the Redis primary, or the Sentinels that name it) and its own ACL user, and the registry (SQL on a database server, or a file on a claim). NetworkPolicies
 * admit only the feature server to Redis and to the registry database.
 */
export class FeatureStore extends Construct implements IPeerable, IServesTraffic {
  public readonly name: string;
  public readonly namespace: string;
  public readonly project: string;
  public readonly redis: RedisServer;
  public readonly registry: Registry;
  /** The rendered feature_store.yaml (also in the ConfigMap). */
  public readonly featureStoreYaml: string;
  public readonly deployment: k8s.KubeDeployment;
  public readonly service: k8s.KubeService;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly port = FEATURE_SERVER_PORT;
  /** Labels the Deployment, Service and PDB select feature server pods by. */
  public readonly serverSelector: Readonly<Record<string, string>>;
  public readonly serverReplicas: number;
  private readonly clusterDomain: string;
  private readonly serverIdentity: WorkloadIdentity;
  private ingress?: IngressAllowList;

  constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    assertKnownProps(describeConstruct(this, 'FeatureStore'), props, FEATURE_STORE_PROPS);
    if (!props.registry) throw propsError(this, 'FeatureStore', `registry is required; pass registry: Registry.sql(database) (or a file registry), see FeatureStoreProps.registry.`);
    this.name = props.name ?? 'feast';
    this.namespace = props.namespace;
    this.project = props.project;
    this.registry = props.registry;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    const profile = serviceProfile(this, props.profile, props.online.storage.tier);
    // The online tier is checked by the RedisServer this profile is passed to.
    const registryProblem = this.registry.tier && tierProfileProblem(this.registry.tier, profile, 'registry tier');
    if (registryProblem) throw propsError(this, 'FeatureStore', registryProblem);
    const online = props.online;
    const server = props.featureServer ?? {};

    const users = RedisUsers.fromSecret(online.secretName ?? `${this.name}-redis`, online.userKeys);
    const feast = feastRedisUser(this.project, online.feastPasswordKey);
    const { keyTtlSeconds: _ttl, secretName: _secret, userKeys: _keys, feastPasswordKey: _feastKey, ...redisOptions } = online;
    this.redis = new RedisServer(this, 'Redis', {
      ...redisOptions,
      name: `${this.name}-redis`,
      namespace: this.namespace,
      users,
      clients: [feast],
      profile,
      clusterDomain: this.clusterDomain,
      tls: props.tls,
    });
    const tls = this.redis.tls;

    const serverName = `${this.name}-server`;
    this.serverIdentity = WorkloadIdentity.of({ name: serverName, namespace: this.namespace, clusterDomain: this.clusterDomain, appName: 'feast-feature-server' });
    this.serverSelector = this.serverIdentity.selectorLabels;
    const labels = { ...this.serverSelector, 'app.kubernetes.io/component': 'feature-server', ...MANAGED_BY_LABELS };

    const registryTtl = server.registryTtlSeconds ?? 60;
    const binding = this.registry.bind({ scope: this, namespace: this.namespace, name: this.name, peer: this.asPeer(), labels }, registryTtl);
    this.serverReplicas = server.replicas ?? (binding.allowsManyReplicas ? 2 : 1);
    this.redis.allowFrom(this);
    // In a default-deny namespace the feature server admits only its declared clients.
    NetworkFlows.of(this).serve(this.asPeer(), () => this.restrictServerIngress());

    this.featureStoreYaml = renderFeatureStoreYaml({
      project: this.project,
      registry: binding.config,
      // With Sentinel the hosts are the Sentinels' discovery ports, which name the current primary.
      // Feast 0.40 sends user, password and TLS settings only to the servers the Sentinels name
      // (redis-py Sentinel without sentinel_kwargs), so discovery is anonymous and plain.
      redisConnectionString: [
        ...(this.redis.sentinels ? this.redis.sentinelAddresses : [`${this.redis.primaryHost}:${this.redis.port}`]),
        `username=${feast.name}`,
        'password=${REDIS_PASSWORD}',
        ...(tls ? ['ssl=true', `ssl_ca_certs=${tls.caFile}`] : []),
      ].join(','),
      sentinelMaster: this.redis.sentinels ? this.redis.mode.masterName : undefined,
      keyTtlSeconds: online.keyTtlSeconds,
      owner: this.node.path,
    });
    const configName = `${serverName}-config`;
    const configData = { 'feature_store.yaml': this.featureStoreYaml };
    new k8s.KubeConfigMap(this, 'ServerConfig', {
      metadata: { name: configName, namespace: this.namespace, labels: { ...labels } },
      data: configData,
    });

    const podSpec = buildPodSpec({
      terminationGracePeriodSeconds: 30,
      volumes: [
        { name: 'config', configMap: { name: configName, defaultMode: 0o444 } },
        ...binding.volumes,
        ...(tls ? [tls.caVolume('redis-ca')] : []),
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { labelSelector: { matchLabels: { ...this.serverSelector } }, topologyKey: 'kubernetes.io/hostname' },
          }],
        },
      },
      topologySpreadConstraints: [{
        maxSkew: 1,
        topologyKey: profile.zoneTopologyKey,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...this.serverSelector } },
      }],
      containers: [{
        name: 'feature-server',
        image: server.image ?? DEFAULT_FEATURE_SERVER_IMAGE,
        command: [
          'feast', '--chdir', CONFIG_DIR, 'serve',
          '--host', '0.0.0.0', '--port', String(FEATURE_SERVER_PORT),
          '--registry_ttl_sec', String(registryTtl), '--no-access-log',
        ],
        env: [
          { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: users.secretName, key: feast.passwordKey } } },
          ...binding.env,
          // No usage telemetry from inside the cluster; HOME on the writable /tmp.
          { name: 'FEAST_USAGE', value: 'False' },
          { name: 'HOME', value: '/tmp' },
          { name: 'PYTHONDONTWRITEBYTECODE', value: '1' },
        ],
        ports: [{ name: 'http', port: FEATURE_SERVER_PORT }],
        resources: server.resources,
        startupProbe: Probe.tcp('http'),
        // /health answers 200 only once the registry has been loaded.
        readinessProbe: Probe.http('/health', 'http'),
        // A registry or Redis outage is not fixed by a restart: liveness only checks the socket.
        livenessProbe: Probe.tcp('http'),
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          ...binding.volumeMounts,
          ...(tls ? [tls.volumeMount('redis-ca')] : []),
        ],
        writablePaths: ['/tmp'],
      }],
    }, profile);

    this.deployment = new k8s.KubeDeployment(this, 'Server', {
      metadata: { name: serverName, namespace: this.namespace, labels: { ...labels } },
      spec: {
        replicas: this.serverReplicas,
        selector: { matchLabels: { ...this.serverSelector } },
        // A ReadWriteOnce registry claim cannot be attached to an old and a new pod at once.
        strategy: binding.allowsManyReplicas
          ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } }
          : { type: 'Recreate' },
        template: {
          metadata: { labels: { ...labels }, annotations: { 'ml.cdk8s.io/config-hash': hashOf(configData) } },
          spec: podSpec,
        },
      },
    });

    this.service = new k8s.KubeService(this, 'ServerService', {
      metadata: { name: serverName, namespace: this.namespace, labels: { ...labels } },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.serverSelector },
        ports: [{ name: 'http', port: FEATURE_SERVER_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'ServerDisruption', {
      metadata: { name: serverName, namespace: this.namespace, labels: { ...labels } },
      spec: {
        selector: { matchLabels: { ...this.serverSelector } },
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        ...(profile.kubeVersion.hasUnhealthyPodEvictionPolicy ? { unhealthyPodEvictionPolicy: 'AlwaysAllow' } : {}),
      },
    });

    // Validation messages are prefixed with the construct path (`[app/chart/feast] ...`) already.
    addProblems(this, () => {
      const errors: string[] = [];
      const project = feastProjectProblem(this.project);
      if (project) errors.push(`${project}.`);
      const ttl = online.keyTtlSeconds;
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) {
        errors.push(`online.keyTtlSeconds ${ttl} is invalid: use a whole number of seconds ≥ 1, or leave it unset so rows never expire.`);
      }
      if (!Number.isInteger(this.serverReplicas) || this.serverReplicas < 1) {
        errors.push(`featureServer.replicas ${this.serverReplicas} is invalid: use a whole number ≥ 1.`);
      } else if (this.serverReplicas > 1 && !binding.allowsManyReplicas) {
        errors.push(`featureServer.replicas ${this.serverReplicas} cannot share a file registry on a ReadWriteOnce claim ` +
          '(pods on other nodes cannot attach it): use Registry.sql(db), a ReadWriteMany tier, or 1 replica.');
      }
      if (!Number.isInteger(registryTtl) || registryTtl < 0) {
        errors.push(`featureServer.registryTtlSeconds ${registryTtl} is invalid: use a whole number ≥ 0.`);
      }
      return errors;
    });
  }

  /** Stable DNS name of Redis pod 0 (the primary unless Sentinel failed over; Feast asks the Sentinels then). */
  public get onlineStoreHost(): string {
    return this.redis.primaryHost;
  }

  /** `http://<name>-server.<namespace>.svc.<domain>:6566` */
  public get url(): string {
    return `http://${this.serverIdentity.serviceHost(this.deployment.name)}:${FEATURE_SERVER_PORT}`;
  }

  /** The feature server pods, as a NetworkPolicy peer. */
  public asPeer(): WorkloadPeer {
    return { namespace: this.namespace, podSelector: this.serverSelector };
  }

  /**
   * Admits `peer` (model servers, trainers, a namespace: `NetworkPeer.namespace('ml-serving')`) to the
   * feature server; from the first call on, others are denied.
   */
  public allowFrom(peer: PeerLike): void {
    this.restrictServerIngress().allow(peer, [FEATURE_SERVER_PORT]);
  }

  private restrictServerIngress(): IngressAllowList {
    this.ingress ??= new IngressAllowList(this, 'ServerIngress', {
      name: `${this.name}-server`, namespace: this.namespace, podSelector: this.serverSelector,
    });
    return this.ingress;
  }

  /** Admits `peer` (e.g. a `feast materialize` Job) to write to the Redis primary. */
  public allowOnlineStoreWriter(peer: PeerLike): void {
    this.redis.allowFrom(peer);
  }
}

/** Keys of FeatureStoreProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const FEATURE_STORE_PROPS = propNames<FeatureStoreProps>({ name: true, namespace: true, project: true, online: true, registry: true, featureServer: true, profile: true, clusterDomain: true, tls: true });
