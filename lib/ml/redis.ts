import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { ServerTls, ServerTlsBinding } from '../secrets';
import {
  ClaimRetention, IPeerable, IServesTraffic, PeerLike, PodManagementPolicy, Probe, SpreadMode, StatefulWorkload, UpdateStrategy, WorkloadIdentity, WorkloadPeer,
  ContainerResources, ServiceStorage, StatefulServiceProps, serviceProfile, tierProfileProblem,
} from '../stateful';
import { Quantity } from '../storage/quantity';
import { RedisClientUser, RedisUsers } from './redis-acl';
import {
  DEFAULT_SAVE_POINTS, MaxMemoryPolicy, RedisSavePoint, defaultMaxmemoryBytes, redisBytes, renderRedisConf, renderSentinelConf,
} from './redis-config';
import { RedisMode } from './redis-mode';
import { MANAGED_BY_LABELS } from '../names';
import { describeConstruct, propsError } from '../private/errors';

/** The official Redis image (Debian, runs as redis uid/gid 999). */
export const DEFAULT_REDIS_IMAGE = 'redis:7.4.2';
export const REDIS_PORT = 6379;
/** Sentinel's plain port: primary discovery (anonymous, read-only). */
export const SENTINEL_PORT = 26379;
/** Sentinel's TLS port (with `tls`): Sentinel peers, the start scripts, operators. */
export const SENTINEL_TLS_PORT = 26380;
const REDIS_UID = 999;
const DATA_DIR = '/data';
const CONFIG_DIR = '/etc/redis';
const RUNTIME_DIR = '/run/redis';
const SENTINEL_RUNTIME_DIR = '/run/sentinel';

/** Props of `RedisServer`. */
export interface RedisServerProps extends StatefulServiceProps {
  /** StatefulSet name; pods are `<name>-<i>`. */
  readonly name: string;
  /** Namespace of the servers and their Services. */
  readonly namespace: string;
  /**
   * The Secret with one password per ACL user (admin, replication, sentinel, probe and every client).
   * Never optional: the `default` user is disabled, every connection logs in as a user.
   */
  readonly users: RedisUsers;
  /** Client users (e.g. Feast), each limited to its commands and keys. @default - none */
  readonly clients?: readonly RedisClientUser[];
  /** TLS on the Redis and Sentinel ports (`ServerTls.certManager(...)` or `.existingSecret(...)`). @default - no TLS */
  readonly tls?: ServerTls;
  /** A claim per Redis pod. Keep its size well above the memory limit: AOF rewrites need room for two copies. */
  readonly storage: ServiceStorage;
  /** One server, a primary and replicas, or a primary and replicas with Sentinel failover. @default RedisMode.standalone() */
  readonly mode?: RedisMode;
  /**
   * CPU and memory of each Redis container. The memory limit defaults to the request (Redis must not be the first OOM
   * victim) and bounds `maxmemory`.
   * @default - 1Gi of memory, the profile's CPU
   */
  readonly resources?: ContainerResources;
  /** Dataset limit, a Kubernetes quantity at most the memory limit. @default - 75% of the memory limit */
  readonly maxmemory?: string;
  /**
   * What happens at `maxmemory`.
   * @default MaxMemoryPolicy.noEviction() — evicting would silently serve missing or stale features
   */
  readonly maxmemoryPolicy?: MaxMemoryPolicy;
  /** RDB save points. @default 900 s/1, 300 s/10, 60 s/10000 */
  readonly savePoints?: readonly RedisSavePoint[];
  /** Pinned image of the official `redis` repository (or a compatible one running as uid 999). @default DEFAULT_REDIS_IMAGE */
  readonly image?: string;
  /** Target cluster. @default - the storage tier's profile */
  readonly profile?: Profile;
  /** Claim retention on delete and scale-down. @default Retain/Retain (the AOF and RDB files are the features) */
  readonly claimRetention?: ClaimRetention;
  /**
   * How config and image changes roll out. `rollingUpdate({ partition: n })` updates only ordinals ≥ n
   * first (replicas before the primary, pod 0); lower it to finish.
   * @default UpdateStrategy.rollingUpdate()
   */
  readonly updateStrategy?: UpdateStrategy;
  /** How data pods (and Sentinels) spread over nodes and zones. @default 'soft' */
  readonly spread?: SpreadMode;
}

/**
 * Persistent Redis on a StatefulWorkload: AOF + RDB on a claim per pod, `maxmemory` derived from
 * the memory limit, ACL users from one Secret (the `default` user disabled), and one server, a
 * primary with replicas, or a primary with replicas and Redis Sentinel failover. Every data pod
 * announces its stable DNS name; none starts as an empty primary while another member holds data.
 */
export class RedisServer extends Construct implements IPeerable, IServesTraffic {
  /** How the servers are arranged. */
  public readonly mode: RedisMode;
  /** Redis port of every data pod (the TLS port with `tls`). */
  public readonly port = REDIS_PORT;
  /** The ACL users' Secret and keys. */
  public readonly users: RedisUsers;
  /** Client users beyond the built-in ones. */
  public readonly clients: readonly RedisClientUser[];
  /** The data pods. */
  public readonly workload: StatefulWorkload;
  /** The Sentinels (sentinel mode only). */
  public readonly sentinels?: StatefulWorkload;
  /** redis.conf, sentinel.conf, the users files and the scripts. */
  public readonly configMap: k8s.KubeConfigMap;
  /** TLS files and CA (when `tls` is set). */
  public readonly tls?: ServerTlsBinding;
  /** The rendered static `redis.conf` (also in the ConfigMap). */
  public readonly redisConf: string;
  /** `maxmemory` in bytes. */
  public readonly maxmemoryBytes: number;
  public readonly maxmemoryPolicy: MaxMemoryPolicy;

  constructor(scope: Construct, id: string, props: RedisServerProps) {
    super(scope, id);
    this.mode = props.mode ?? RedisMode.standalone();
    const modeProblem = this.mode.problem();
    if (modeProblem) throw propsError(this, 'RedisServer', `${modeProblem}.`);

    const memory = props.resources?.memory ?? '1Gi';
    const memoryLimit = props.resources?.memoryLimit ?? memory;
    const memoryBytes = Quantity.parse(memoryLimit, `memory of ${describeConstruct(this, 'RedisServer')}`).value;
    this.maxmemoryBytes = props.maxmemory === undefined
      ? defaultMaxmemoryBytes(memoryLimit)
      : Quantity.parse(props.maxmemory, `maxmemory of ${describeConstruct(this, 'RedisServer')}`).value;
    if (this.maxmemoryBytes > memoryBytes) {
      throw propsError(this, 'RedisServer', `maxmemory ${props.maxmemory} is above the container memory limit ${memoryLimit}; ` +
        `the kernel would OOM-kill Redis before it enforces its limit. Leave maxmemory unset (75% of the limit) or raise memory.`);
    }
    if (this.maxmemoryBytes < 1) {
      throw propsError(this, 'RedisServer', `maxmemory ${props.maxmemory ?? redisBytes(this.maxmemoryBytes)} must be positive (0 means unlimited in Redis).`);
    }
    const savePoints = props.savePoints ?? DEFAULT_SAVE_POINTS;
    for (const p of savePoints) {
      if (!Number.isInteger(p.seconds) || p.seconds < 1 || !Number.isInteger(p.changes) || p.changes < 1) {
        throw propsError(this, 'RedisServer', `save point { seconds: ${p.seconds}, changes: ${p.changes} } needs whole numbers ≥ 1.`);
      }
    }
    this.maxmemoryPolicy = props.maxmemoryPolicy ?? MaxMemoryPolicy.noEviction();
    this.users = props.users;
    this.clients = props.clients ?? [];
    const clientProblem = this.users.clientProblem(this.clients);
    if (clientProblem) throw propsError(this, 'RedisServer', `${clientProblem}.`);

    const namespace = props.namespace;
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const profile = serviceProfile(this, props.profile, props.storage.tier);
    const tierProblem = tierProfileProblem(props.storage.tier, profile, 'storage tier');
    if (tierProblem) throw propsError(this, 'RedisServer', tierProblem);
    const sentinelName = `${props.name}-sentinel`;
    // The workloads do not exist yet: their names come from the identities they will be built with.
    const identity = WorkloadIdentity.of({ name: props.name, namespace, clusterDomain, appName: 'redis' });
    const sentinelIdentity = WorkloadIdentity.of({ name: sentinelName, namespace, clusterDomain, appName: 'redis-sentinel' });
    const members = identity.podHosts(this.mode.servers).map((host) => `${host}:${REDIS_PORT}`);
    // Sentinels talk to each other, and the scripts to them, on the TLS port when there is one.
    const sentinelPort = props.tls ? SENTINEL_TLS_PORT : SENTINEL_PORT;
    const sentinelPorts = props.tls ? [SENTINEL_PORT, SENTINEL_TLS_PORT] : [SENTINEL_PORT];
    const sentinelMembers = sentinelIdentity.podHosts(this.mode.sentinels).map((host) => `${host}:${sentinelPort}`);
    const labels = { ...identity.selectorLabels, ...MANAGED_BY_LABELS };

    if (props.tls) {
      // The headless Service's names (without the `<service>.<namespace>` form) and every pod's.
      const names = (id: WorkloadIdentity, count: number) => {
        const [service, , withSvc, fqdn] = id.serviceNames(id.headlessServiceName);
        return [service, withSvc, fqdn, ...id.podHosts(count)];
      };
      this.tls = props.tls.bind(this, {
        name: props.name,
        namespace,
        dnsNames: [...names(identity, this.mode.servers), ...(this.mode.sentinels ? names(sentinelIdentity, this.mode.sentinels) : [])],
        labels,
      });
    }

    const runtimeConf = `${RUNTIME_DIR}/runtime.conf`;
    this.redisConf = renderRedisConf({
      port: REDIS_PORT,
      dataDir: DATA_DIR,
      maxmemoryBytes: this.maxmemoryBytes,
      maxmemoryPolicy: this.maxmemoryPolicy,
      savePoints,
      runtimeConf,
      tls: this.tls,
      owner: this.node.path,
    });
    const data: Record<string, string> = {
      'redis.conf': this.redisConf,
      'users.acl': this.users.serverFile(this.clients),
      'redis-lib.sh': readAsset(__dirname, 'scripts/redis-lib.sh'),
      'redis-start.sh': readAsset(__dirname, 'scripts/redis-start.sh'),
      'redis-probe.sh': readAsset(__dirname, 'scripts/redis-probe.sh'),
    };
    if (this.mode.kind === 'sentinel') {
      data['sentinel.conf'] = renderSentinelConf({
        port: SENTINEL_PORT, tlsPort: this.tls ? SENTINEL_TLS_PORT : undefined, tls: this.tls, owner: this.node.path,
      });
      data['sentinel-users.acl'] = this.users.sentinelFile();
      data['sentinel-start.sh'] = readAsset(__dirname, 'scripts/sentinel-start.sh');
    }
    const configName = `${props.name}-config`;
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: {
        name: configName,
        namespace,
        labels,
      },
      data,
    });

    const probe = (role: 'liveness' | 'readiness' | 'sentinel') => ['sh', `${CONFIG_DIR}/redis-probe.sh`, role];
    const podIndex = (id: WorkloadIdentity) => [id.podIndexEnv('POD_INDEX', profile.kubeVersion)].filter((env): env is k8s.EnvVar => env !== undefined);
    const topologyEnv: k8s.EnvVar[] = [
      { name: 'REDIS_MODE', value: this.mode.kind },
      { name: 'REDIS_MEMBERS', value: members.join(' ') },
      ...(this.mode.kind === 'sentinel' ? [
        { name: 'REDIS_SENTINELS', value: sentinelMembers.join(' ') },
        { name: 'REDIS_MASTER_NAME', value: this.mode.masterName },
      ] : []),
      ...(this.tls ? [{ name: 'REDIS_TLS_CA_FILE', value: this.tls.caFile }] : []),
    ];
    const tlsVolumes = this.tls ? [this.tls.volume('tls')] : [];
    const tlsMounts = this.tls ? [this.tls.volumeMount('tls')] : [];
    const replicated = this.mode.kind !== 'standalone';

    this.workload = new StatefulWorkload(this, 'Workload', {
      name: props.name,
      namespace,
      profile,
      clusterDomain,
      appName: 'redis',
      component: 'online-store',
      replicas: this.mode.servers,
      runAs: { uid: REDIS_UID, gid: REDIS_UID },
      volumeClaims: [{ name: 'data', tier: props.storage.tier, size: props.storage.size }],
      claimRetention: props.claimRetention,
      updateStrategy: props.updateStrategy,
      spread: props.spread,
      // Sentinels and replicas resolve a member's announced name before it is Ready (a replica
      // still syncing); with Sentinel, start order does not matter (the start script finds the primary).
      publishNotReadyAddresses: replicated ? true : undefined,
      podManagementPolicy: this.mode.kind === 'sentinel' ? PodManagementPolicy.PARALLEL : undefined,
      // Roll the pods when the configuration or scripts change.
      podAnnotations: { 'ml.cdk8s.io/config-hash': hashOf(data) },
      // SIGTERM makes Redis fsync the AOF and write a final snapshot: give it time on big datasets.
      terminationGracePeriodSeconds: 120,
      volumes: [{ name: 'config', configMap: { name: configName, defaultMode: 0o444 } }, ...tlsVolumes],
      containers: [{
        name: 'redis',
        image: props.image ?? DEFAULT_REDIS_IMAGE,
        command: ['sh', `${CONFIG_DIR}/redis-start.sh`],
        env: [
          ...this.users.serverEnv(this.clients),
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ...podIndex(identity),
          { name: 'REDIS_PORT', value: String(REDIS_PORT) },
          ...topologyEnv,
          { name: 'REDIS_CONF', value: `${CONFIG_DIR}/redis.conf` },
          { name: 'REDIS_ACL_USERS', value: `${CONFIG_DIR}/users.acl` },
          { name: 'REDIS_RUNTIME_CONF', value: runtimeConf },
        ],
        ports: [{ name: 'redis', port: REDIS_PORT }],
        resources: { ...props.resources, memory, memoryLimit },
        // Liveness accepts LOADING, so a long AOF replay never gets the pod killed.
        startupProbe: Probe.exec(probe('liveness')),
        readinessProbe: Probe.exec(probe('readiness')),
        livenessProbe: Probe.exec(probe('liveness')),
        volumeMounts: [
          { name: 'data', mountPath: DATA_DIR },
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          ...tlsMounts,
        ],
        writablePaths: [RUNTIME_DIR],
      }],
    });

    if (this.mode.kind === 'sentinel') {
      this.sentinels = new StatefulWorkload(this, 'Sentinels', {
        name: sentinelName,
        namespace,
        profile,
        clusterDomain,
        appName: 'redis-sentinel',
        component: 'online-store-sentinel',
        replicas: this.mode.sentinels,
        runAs: { uid: REDIS_UID, gid: REDIS_UID },
        spread: props.spread,
        publishNotReadyAddresses: true,
        podManagementPolicy: PodManagementPolicy.PARALLEL,
        // A drain may take Sentinels only while a majority keeps running: failover needs the quorum.
        maxUnavailable: this.mode.sentinelMaxUnavailable,
        podAnnotations: { 'ml.cdk8s.io/config-hash': hashOf(data) },
        terminationGracePeriodSeconds: 30,
        volumes: [{ name: 'config', configMap: { name: configName, defaultMode: 0o444 } }, ...tlsVolumes],
        containers: [{
          name: 'sentinel',
          image: props.image ?? DEFAULT_REDIS_IMAGE,
          command: ['sh', `${CONFIG_DIR}/sentinel-start.sh`],
          env: [
            ...this.users.sentinelEnv(),
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ...podIndex(sentinelIdentity),
            { name: 'REDIS_PORT', value: String(sentinelPort) },
            ...topologyEnv.filter((e) => e.name !== 'REDIS_MODE'),
            { name: 'SENTINEL_QUORUM', value: String(this.mode.quorum) },
            { name: 'SENTINEL_DOWN_AFTER_MS', value: String(this.mode.downAfterMilliseconds) },
            { name: 'SENTINEL_FAILOVER_TIMEOUT_MS', value: String(this.mode.failoverTimeoutMilliseconds) },
            { name: 'SENTINEL_CONF', value: `${CONFIG_DIR}/sentinel.conf` },
            { name: 'REDIS_ACL_USERS', value: `${CONFIG_DIR}/sentinel-users.acl` },
            { name: 'SENTINEL_RUNTIME_CONF', value: `${SENTINEL_RUNTIME_DIR}/sentinel.conf` },
          ],
          ports: [
            { name: 'sentinel', port: SENTINEL_PORT },
            ...(this.tls ? [{ name: 'sentinel-tls', port: SENTINEL_TLS_PORT }] : []),
          ],
          resources: { cpu: '50m', memory: '64Mi', memoryLimit: '64Mi' },
          startupProbe: Probe.exec(probe('liveness')),
          readinessProbe: Probe.exec(probe('sentinel')),
          livenessProbe: Probe.exec(probe('liveness')),
          volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...tlsMounts],
          writablePaths: [SENTINEL_RUNTIME_DIR, '/tmp'],
        }],
      });
      // Once ingress is restricted, Sentinels and data pods still reach each other.
      this.workload.allowFromIfRestricted(this.sentinels, [REDIS_PORT]);
      this.sentinels.allowFromIfRestricted(this.workload, sentinelPorts);
    }
  }

  /** Stable DNS name of pod 0 — the primary unless Sentinel has failed over (ask `sentinelAddresses` then). */
  public get primaryHost(): string {
    return this.workload.podHost(0);
  }

  /** Stable DNS names of the data pods after pod 0 (empty when standalone). */
  public get replicaHosts(): string[] {
    return this.workload.podHosts.slice(1);
  }

  /** `host:port` of every Sentinel's discovery port, for clients (empty unless sentinel mode). */
  public get sentinelAddresses(): string[] {
    return this.sentinels ? this.sentinels.podHosts.map((h) => `${h}:${SENTINEL_PORT}`) : [];
  }

  /**
   * Admits `peer` to the Redis port and the Sentinels' discovery port (clients need nothing else;
   * the Sentinels' TLS port stays among Sentinels and data pods); from the first call on, every
   * other client is denied.
   */
  public allowFrom(peer: PeerLike): void {
    this.workload.allowFrom(peer, [REDIS_PORT]);
    this.sentinels?.allowFrom(peer, [SENTINEL_PORT]);
  }

  public asPeer(): WorkloadPeer {
    return this.workload.asPeer();
  }
}

/** Short, deterministic digest of configuration content. */
export function hashOf(data: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
  return hash.digest('hex').slice(0, 16);
}
