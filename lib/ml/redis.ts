import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { Credentials } from '../secrets';
import { ClaimRetention, IPeerable, PeerLike, Probe, StatefulWorkload, UpdateStrategy, WorkloadPeer } from '../stateful';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import {
  DEFAULT_SAVE_POINTS, MaxMemoryPolicy, RedisSavePoint, defaultMaxmemoryBytes, redisBytes, renderRedisConf,
} from './redis-config';
import { RedisMode } from './redis-mode';

/** The official Redis image (Debian, runs as redis uid/gid 999). */
export const DEFAULT_REDIS_IMAGE = 'redis:7.4.2';
export const REDIS_PORT = 6379;
const REDIS_UID = 999;
const DATA_DIR = '/data';
const CONFIG_DIR = '/etc/redis';
const RUNTIME_DIR = '/run/redis';

/** A claim per Redis pod. */
export interface RedisStorage {
  /** Storage tier of the claims. */
  readonly tier: StorageTier;
  /** Claim size, a Kubernetes quantity. Keep it well above `memory`: AOF rewrites need room for two copies. */
  readonly size: string;
}

/** Props of `RedisServer`. */
export interface RedisServerProps {
  /** StatefulSet name; pods are `<name>-<i>`. */
  readonly name: string;
  /** Namespace of the servers and their Services. */
  readonly namespace: string;
  /** Password Secret (key `password` unless declared otherwise). Never optional: no Redis without auth. */
  readonly password: Credentials;
  /** A claim per Redis pod. */
  readonly storage: RedisStorage;
  /** One server, or a primary and replicas. @default RedisMode.standalone() */
  readonly mode?: RedisMode;
  /** Memory request and limit of each Redis container (equal: Redis must not be the first OOM victim). @default '1Gi' */
  readonly memory?: string;
  /** CPU request. @default - the profile's default */
  readonly cpu?: string;
  /** Dataset limit, a Kubernetes quantity at most `memory`. @default - 75% of `memory` */
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
  /** Kubernetes cluster DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Claim retention on delete and scale-down. @default Retain/Retain (the AOF and RDB files are the features) */
  readonly claimRetention?: ClaimRetention;
  /**
   * How config and image changes roll out. `rollingUpdate({ partition: n })` updates only ordinals ≥ n
   * first (replicas before the primary, pod 0); lower it to finish.
   * @default UpdateStrategy.rollingUpdate()
   */
  readonly updateStrategy?: UpdateStrategy;
}

/**
 * Persistent Redis on a StatefulWorkload: AOF + RDB on a claim per pod, `maxmemory` derived from
 * the memory limit, a password from a Secret, and either one server or a primary (pod 0) whose
 * replicas follow it by its stable DNS name.
 */
export class RedisServer extends Construct implements IPeerable {
  public readonly mode: RedisMode;
  public readonly port = REDIS_PORT;
  public readonly password: Credentials;
  public readonly workload: StatefulWorkload;
  public readonly configMap: k8s.KubeConfigMap;
  /** The rendered static `redis.conf` (also in the ConfigMap). */
  public readonly redisConf: string;
  /** `maxmemory` in bytes. */
  public readonly maxmemoryBytes: number;
  public readonly maxmemoryPolicy: MaxMemoryPolicy;

  constructor(scope: Construct, id: string, props: RedisServerProps) {
    super(scope, id);
    this.mode = props.mode ?? RedisMode.standalone();
    const modeProblem = this.mode.problem();
    if (modeProblem) throw new Error(`RedisServer '${this.node.path}': ${modeProblem}.`);

    const memory = props.memory ?? '1Gi';
    const memoryBytes = Quantity.parse(memory, `memory of RedisServer '${this.node.path}'`).value;
    this.maxmemoryBytes = props.maxmemory === undefined
      ? defaultMaxmemoryBytes(memory)
      : Quantity.parse(props.maxmemory, `maxmemory of RedisServer '${this.node.path}'`).value;
    if (this.maxmemoryBytes > memoryBytes) {
      throw new Error(`RedisServer '${this.node.path}': maxmemory ${props.maxmemory} is above the container memory limit ${memory}; ` +
        `the kernel would OOM-kill Redis before it enforces its limit. Leave maxmemory unset (75% of the limit) or raise memory.`);
    }
    if (this.maxmemoryBytes < 1) {
      throw new Error(`RedisServer '${this.node.path}': maxmemory ${props.maxmemory ?? redisBytes(this.maxmemoryBytes)} must be positive (0 means unlimited in Redis).`);
    }
    const savePoints = props.savePoints ?? DEFAULT_SAVE_POINTS;
    for (const p of savePoints) {
      if (!Number.isInteger(p.seconds) || p.seconds < 1 || !Number.isInteger(p.changes) || p.changes < 1) {
        throw new Error(`RedisServer '${this.node.path}': save point { seconds: ${p.seconds}, changes: ${p.changes} } needs whole numbers ≥ 1.`);
      }
    }
    this.maxmemoryPolicy = props.maxmemoryPolicy ?? MaxMemoryPolicy.noEviction();
    this.password = props.password;
    this.password.bind(this, props.namespace);

    const runtimeConf = `${RUNTIME_DIR}/runtime.conf`;
    this.redisConf = renderRedisConf({
      port: REDIS_PORT,
      dataDir: DATA_DIR,
      maxmemoryBytes: this.maxmemoryBytes,
      maxmemoryPolicy: this.maxmemoryPolicy,
      savePoints,
      runtimeConf,
      owner: this.node.path,
    });
    const data = {
      'redis.conf': this.redisConf,
      'redis-start.sh': readAsset(__dirname, 'scripts/redis-start.sh'),
      'redis-probe.sh': readAsset(__dirname, 'scripts/redis-probe.sh'),
    };
    const configName = `${props.name}-config`;
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: {
        name: configName,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': props.name, 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' },
      },
      data,
    });

    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    // The same name StatefulWorkload.podHost(0) returns; the workload does not exist yet.
    const primaryHost = `${props.name}-0.${props.name}-headless.${props.namespace}.svc.${clusterDomain}`;
    const probe = (role: 'liveness' | 'readiness') => ['sh', `${CONFIG_DIR}/redis-probe.sh`, role];
    const profile = props.profile ?? props.storage.tier.profile;
    const podIndex = (name: string) => (profile.kubeVersion.hasPodIndexLabel
      ? [{ name, valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } } }]
      : []);

    this.workload = new StatefulWorkload(this, 'Workload', {
      name: props.name,
      namespace: props.namespace,
      profile,
      clusterDomain,
      appName: 'redis',
      component: 'online-store',
      replicas: this.mode.servers,
      runAs: { uid: REDIS_UID, gid: REDIS_UID },
      volumeClaims: [{ name: 'data', tier: props.storage.tier, size: props.storage.size }],
      claimRetention: props.claimRetention,
      updateStrategy: props.updateStrategy,
      // Roll the pods when the configuration or scripts change.
      podAnnotations: { 'ml.cdk8s.io/config-hash': hashOf(data) },
      // SIGTERM makes Redis fsync the AOF and write a final snapshot: give it time on big datasets.
      terminationGracePeriodSeconds: 120,
      volumes: [{ name: 'config', configMap: { name: configName, defaultMode: 0o444 } }],
      containers: [{
        name: 'redis',
        image: props.image ?? DEFAULT_REDIS_IMAGE,
        command: ['sh', `${CONFIG_DIR}/redis-start.sh`],
        env: [
          this.password.envVar('REDIS_PASSWORD', 'password'),
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ...podIndex('POD_INDEX'),
          { name: 'REDIS_PORT', value: String(REDIS_PORT) },
          { name: 'REDIS_PRIMARY_HOST', value: primaryHost },
          { name: 'REDIS_PRIMARY_PORT', value: String(REDIS_PORT) },
        ],
        ports: [{ name: 'redis', port: REDIS_PORT }],
        resources: { cpu: props.cpu, memory, memoryLimit: memory },
        // Liveness accepts LOADING, so a long AOF replay never gets the pod killed.
        startupProbe: Probe.exec(probe('liveness')),
        readinessProbe: Probe.exec(probe('readiness')),
        livenessProbe: Probe.exec(probe('liveness')),
        volumeMounts: [
          { name: 'data', mountPath: DATA_DIR },
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        ],
        writablePaths: [RUNTIME_DIR],
      }],
    });
  }

  /** Stable DNS name of the primary (pod 0) — where every write goes. */
  public get primaryHost(): string {
    return this.workload.podHost(0);
  }

  /** Stable DNS names of the replicas (empty when standalone). */
  public get replicaHosts(): string[] {
    return this.workload.podHosts.slice(1);
  }

  /** Admits `peer` to the Redis port; from the first call on, every other client is denied. */
  public allowFrom(peer: PeerLike): void {
    this.workload.allowFrom(peer, [REDIS_PORT]);
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
