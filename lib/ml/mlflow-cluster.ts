import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { DatabaseGrant, IDatabase } from '../databases/database';
import { k8s } from '../k8s';
import { Profile, assertKnownProps, crossAppProblem, propNames } from '../profiles';
import { SYNC_WAVE_ANNOTATION, SyncPhase } from '../sync-phase';
import { withTierNodeAffinity } from '../storage/tier-affinity';
import {
  ContainerResources, IngressAllowList, NetworkPeer, PeerLike, Probe, StatefulServiceProps, WorkloadIdentity, WorkloadPeer, WorkloadService, buildPodSpec, contentVersionedName, serviceProfile, tierProfileProblem,
} from '../stateful';
import { MANAGED_BY_LABELS } from '../names';
import { ArtifactStore, ArtifactStoreAccess } from './artifact-store';
import { MLFLOW_CACHE_VOLUME, MlflowCache } from './mlflow-cache';
import { MLFLOW_DATABASE_DRIVERS, MlflowImage } from './mlflow-image';
import { ITrackingServer } from './tracking-server';
import { addProblems, describeConstruct, propsError } from '../private/errors';

const HTTP_PORT = 5000;
const CACHE_PATH = '/var/cache/mlflow';
const PIP_NAMES: Readonly<Record<string, string>> = { psycopg2: 'psycopg2-binary', pymysql: 'PyMySQL' };

const DEFAULT_POOL_SIZE = 2;
const DEFAULT_MAX_OVERFLOW = 2;
const DEFAULT_CONNECTION_RESERVE = 20;

/** Waves between the migration Job and the servers: the distance of the platform's migrations and workloads phases. */
export const SERVER_WAVE_OFFSET = SyncPhase.WORKLOADS.wave - SyncPhase.MIGRATIONS.wave;

/** Horizontal autoscaling of the tracking servers. */
export interface MlflowAutoscaling {
  /** Fewest servers (at least 1; keep 2 or more so a drain never stops tracking). */
  readonly minReplicas: number;
  /** Most servers; at least minReplicas. */
  readonly maxReplicas: number;
  /** Target average CPU utilisation, percent of the request. @default 70 */
  readonly cpuPercent?: number;
  /** Target average memory utilisation, percent of the request. @default - CPU only */
  readonly memoryPercent?: number;
  /**
   * Seconds of lower recommendations before scaling down (the highest in the window wins), so a lull
   * between training bursts does not remove servers; then at most one pod per minute.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/**
 * SQLAlchemy engines each server worker process opens on the backend with the same pool settings:
 * the tracking store's and the model registry store's (MLflow 2.x creates one per store).
 */
export const MLFLOW_ENGINES_PER_WORKER = 2;

/**
 * The servers' database connection pools. Every gunicorn worker of every server holds
 * `MLFLOW_ENGINES_PER_WORKER` engines, each with up to `poolSize + maxOverflow` connections, so
 * the worst case at full scale is maxReplicas × workers × 2 × (poolSize + maxOverflow). Synth fails
 * when that exceeds the backend's `maxConnections` minus `reserve`. MLflow's gunicorn workers are
 * synchronous (one request at a time), so small pools cost no throughput.
 */
export interface MlflowConnectionPool {
  /** Connections each engine keeps open (`MLFLOW_SQLALCHEMYSTORE_POOL_SIZE`). @default 2 */
  readonly poolSize?: number;
  /** Extra connections an engine opens under load and closes when returned (`MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW`). @default 2 */
  readonly maxOverflow?: number;
  /**
   * Backend connections left to everyone else: superuser sessions, the migration Job, backups, the
   * metrics exporter, other consumers' grants (Feast). MLflow's worst case must fit in
   * `maxConnections - reserve`.
   * @default 20
   */
  readonly reserve?: number;
}

/** Props of `MlflowCluster`: a Deployment, so it has no claims to retain and rolls by surge (no updateStrategy). */
export interface MlflowClusterProps extends Omit<StatefulServiceProps, 'claimRetention' | 'updateStrategy'> {
  /** Deployment, client Service, PodDisruptionBudget and autoscaler name. @default 'mlflow' */
  readonly name?: string;
  /** Namespace of the servers, their Services, the migration Job and the bound credentials. */
  readonly namespace: string;
  /** SQL database server of the backend store; MLflow gets its own database and login on it. */
  readonly backend: IDatabase;
  /** Database (and login) created for MLflow on the backend. @default 'mlflow' */
  readonly database?: string;
  /** Where the servers keep artifacts (they proxy client uploads: `--serve-artifacts`). */
  readonly artifacts: ArtifactStore;
  /** Per-pod scratch space for proxied artifact transfers. @default MlflowCache.emptyDir('10Gi') */
  readonly cache?: MlflowCache;
  /** Server image and the drivers/SDKs it bundles. @default MlflowImage.community() (bundles the database drivers and storage SDKs) */
  readonly image?: MlflowImage;
  /**
   * Servers. With `autoscaling`, the initial count: the Deployment leaves replicas to the autoscaler.
   * @default - autoscaling.minReplicas, or 2
   */
  readonly replicas?: number;
  /** Horizontal autoscaling of the servers on CPU (and memory). @default - a fixed number of servers */
  readonly autoscaling?: MlflowAutoscaling;
  /** Gunicorn workers per server. @default 2 */
  readonly workers?: number;
  /** Database connection pool of each worker, checked against the backend's `maxConnections`. @default - 2 + 2 per engine, reserve 20 */
  readonly connectionPool?: MlflowConnectionPool;
  /** CPU and memory of each server (and of the migration Job). @default - the profile's CPU and 1Gi of memory (each worker holds MLflow and SQLAlchemy) */
  readonly resources?: ContainerResources;
  /** Expose the client Service through the profile's internal load balancer. @default false (ClusterIP) */
  readonly internalLoadBalancer?: boolean;
  /**
   * Argo CD sync wave of the schema migration Job; the servers and their autoscaler sync
   * `SERVER_WAVE_OFFSET` (10) waves later, once the Job has completed. It must come after the waves of
   * the database and of the credentials the Job reads, or Argo CD waits forever. The default is the
   * platform's migrations phase (gitops `SyncPhase.MIGRATIONS`, after credentials 10 and data 20), so
   * the servers land in its workloads phase (40).
   * @default 30
   */
  readonly syncWave?: number;
  /** Target cluster. @default - the cache tier's profile, else Profile.of(scope) */
  readonly profile?: Profile;
  /** The kubelet's `--cluster-domain`, which `trackingUri` ends in. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/**
 * MLflow tracking servers as a Deployment (stateless: the cache lives and dies with each pod, so the autoscaler
 * can add and remove servers without provisioning or leaving disks) behind a client Service, backed by a SQL database (its own database and login, password by reference) and an
 * artifact store. A schema migration Job brings the database to this MLflow's revision before the
 * servers serve: Argo CD runs it in an earlier sync wave, and under a plain `kubectl apply` each server
 * waits in an init container until the schema is current.
 */
export class MlflowCluster extends Construct implements ITrackingServer {
  public readonly name: string;
  public readonly namespace: string;
  public readonly port = HTTP_PORT;
  /** `http://<name>.<namespace>.svc.<clusterDomain>:5000` */
  public readonly trackingUri: string;
  /** MLflow's database and login on the backend. */
  public readonly grant: DatabaseGrant;
  /** The database CA volume and mounts (a TLS backend), for every pod that connects to it. */
  private readonly dbCaVolumes: k8s.Volume[];
  private readonly dbCaMounts: k8s.VolumeMount[];
  /**
   * SQLAlchemy URL of the backend store, with `$(DB_PASSWORD)` expanded by Kubernetes in the pods'
   * environment (`MLFLOW_BACKEND_STORE_URI`, which `mlflow server` reads itself: never in args, which
   * end up in the process command line).
   */
  public readonly backendStoreUri: string;
  public readonly image: MlflowImage;
  public readonly profile: Profile;
  /** Names, DNS names and selector labels of the servers. */
  public readonly identity: WorkloadIdentity;
  /** Labels the Deployment, Service and PodDisruptionBudget select server pods by. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Labels on every server object. */
  public readonly labels: Readonly<Record<string, string>>;
  public readonly deployment: k8s.KubeDeployment;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly service: WorkloadService;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly migrationJob: k8s.KubeJob;
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** Labels of the migration Job's pods (a database client too). */
  public readonly migrationPeer: WorkloadPeer;
  private ingress?: IngressAllowList;
  private internalLoadBalancer = false;

  constructor(scope: Construct, id: string, props: MlflowClusterProps) {
    super(scope, id);
    assertKnownProps(describeConstruct(this, 'MlflowCluster'), props, MLFLOW_CLUSTER_PROPS);
    const cache = props.cache ?? MlflowCache.emptyDir('10Gi');
    const profile = serviceProfile(this, props.profile, cache.tier);
    const tierProblem = cache.tier && tierProfileProblem(cache.tier, profile, 'cache tier');
    if (tierProblem) throw propsError(this, 'MlflowCluster', tierProblem);
    this.profile = profile;
    this.name = props.name ?? 'mlflow';
    this.namespace = props.namespace;
    this.image = props.image ?? MlflowImage.community();
    const autoscaling = props.autoscaling;
    const replicas = props.replicas ?? autoscaling?.minReplicas ?? 2;
    const wave = props.syncWave ?? SyncPhase.MIGRATIONS.wave;
    if (!Number.isInteger(wave)) throw propsError(this, 'MlflowCluster', `syncWave ${wave} must be a whole number.`);

    const crossApp = crossAppProblem(this, props.backend, 'backend') ?? crossAppProblem(this, props.artifacts, 'artifacts');
    if (crossApp) throw propsError(this, 'MlflowCluster', `${crossApp}.`);
    this.grant = props.backend.addDatabase(props.database ?? 'mlflow');
    this.grant.credentials.bind(this, this.namespace);
    this.backendStoreUri = this.grant.sqlalchemyUrl('DB_PASSWORD');
    // A TLS backend: the URI says verify-full and names the CA file, mounted in every pod that connects.
    const dbCa = this.grant.tls?.mount(this, this.namespace);
    this.dbCaVolumes = dbCa ? [dbCa.volume] : [];
    this.dbCaMounts = dbCa ? [dbCa.volumeMount] : [];
    // The password is read from the grant's Secret first, so the URI can interpolate it.
    const backendEnv: k8s.EnvVar[] = [
      this.grant.credentials.envVar('DB_PASSWORD', 'password'),
      { name: 'MLFLOW_BACKEND_STORE_URI', value: this.backendStoreUri },
      { name: 'HOME', value: '/tmp' },
    ];
    const resources: ContainerResources = props.resources ?? { cpu: profile.defaultResources.cpu, memory: '1Gi' };
    const schemaScript = readAsset(__dirname, 'scripts/mlflow-schema.sh');

    this.identity = WorkloadIdentity.of({ name: this.name, namespace: this.namespace, clusterDomain: props.clusterDomain, appName: 'mlflow' });
    // trackingUri is built from the cluster domain.
    const domainProblem = this.identity.clusterDomainProblem;
    if (domainProblem) throw propsError(this, 'MlflowCluster', domainProblem);
    const serverLabels = this.identity.selectorLabels;
    const artifacts: ArtifactStoreAccess = props.artifacts.bind(this, this.namespace, { asPeer: () => ({ namespace: this.namespace, podSelector: serverLabels }) });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...serverLabels, ...MANAGED_BY_LABELS },
        ...(Object.keys(artifacts.serviceAccountAnnotations).length ? { annotations: { ...artifacts.serviceAccountAnnotations } } : {}),
      },
      automountServiceAccountToken: false,
    });

    this.migrationPeer = {
      namespace: this.namespace,
      podSelector: { 'app.kubernetes.io/name': 'mlflow-migration', 'app.kubernetes.io/instance': this.name },
    };
    this.migrationJob = this.addMigrationJob(profile, backendEnv, resources, schemaScript, wave);

    this.selectorLabels = serverLabels;
    this.labels = {
      ...artifacts.podLabels, ...serverLabels, 'app.kubernetes.io/component': 'tracking-server', ...MANAGED_BY_LABELS,
    };
    const selfTerm = { labelSelector: { matchLabels: { ...serverLabels } }, topologyKey: 'kubernetes.io/hostname' };
    const podSpec = buildPodSpec({
      runAs: this.image.runAs,
      serviceAccountName: this.serviceAccount.name,
      volumes: [cache.volume, ...artifacts.volumes, ...this.dbCaVolumes],
      // One server per node and spread over zones where possible, so a node or zone loss keeps tracking up.
      affinity: withTierNodeAffinity({
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: selfTerm }] },
      }, cache.kind === 'ephemeral' && cache.tier ? [cache.tier] : []),
      topologySpreadConstraints: [{
        maxSkew: 1, topologyKey: profile.zoneTopologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...serverLabels } },
      }],
      initContainers: [{
        name: 'wait-for-schema',
        image: this.image.image,
        command: ['/bin/sh', '-c', schemaScript, 'mlflow-schema', 'wait'],
        env: backendEnv,
        resources,
        volumeMounts: [...this.dbCaMounts],
        writablePaths: ['/tmp'],
      }],
      containers: [{
        name: 'mlflow',
        image: this.image.image,
        command: ['mlflow'],
        // The backend store URI (with the password) and the artifacts destination reach
        // `mlflow server` through its MLFLOW_BACKEND_STORE_URI / MLFLOW_ARTIFACTS_DESTINATION
        // options' environment variables: args are expanded into /proc/<pid>/cmdline.
        args: [
          'server',
          '--host', '0.0.0.0',
          '--port', String(HTTP_PORT),
          '--workers', String(props.workers ?? 2),
          '--serve-artifacts',
        ],
        env: [
          ...backendEnv,
          { name: 'MLFLOW_ARTIFACTS_DESTINATION', value: artifacts.uri },
          { name: 'MLFLOW_SQLALCHEMYSTORE_POOL_SIZE', value: String(props.connectionPool?.poolSize ?? DEFAULT_POOL_SIZE) },
          { name: 'MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW', value: String(props.connectionPool?.maxOverflow ?? DEFAULT_MAX_OVERFLOW) },
          // Proxied uploads and downloads are staged on the cache volume.
          { name: 'TMPDIR', value: CACHE_PATH },
          ...artifacts.env,
        ],
        ports: [{ name: 'http', port: HTTP_PORT }],
        resources,
        startupProbe: Probe.http('/health', 'http'),
        readinessProbe: Probe.http('/health', 'http'),
        livenessProbe: Probe.http('/health', 'http'),
        volumeMounts: [{ name: MLFLOW_CACHE_VOLUME, mountPath: CACHE_PATH }, ...artifacts.volumeMounts, ...this.dbCaMounts],
        writablePaths: ['/tmp'],
      }],
    }, profile);

    // After the migration Job's wave: Argo CD applies the servers once the Job has completed. Without
    // the annotation a kind-based policy would sync the Deployment with the databases, before the
    // Job, and wait forever for servers that wait for the schema.
    const serverAnnotations = { [SYNC_WAVE_ANNOTATION]: String(wave + SERVER_WAVE_OFFSET) };
    this.deployment = new k8s.KubeDeployment(this, 'Servers', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.labels }, annotations: serverAnnotations },
      spec: {
        // The autoscaler owns the replica count: a count in git would fight it on every sync.
        ...(autoscaling ? {} : { replicas }),
        selector: { matchLabels: { ...serverLabels } },
        // A new server is Ready before an old one goes: tracking never drops below its count.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: { metadata: { labels: { ...this.labels } }, spec: podSpec },
      },
    });
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'Disruption', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.labels } },
      spec: {
        selector: { matchLabels: { ...serverLabels } },
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        ...(profile.kubeVersion.hasUnhealthyPodEvictionPolicy ? { unhealthyPodEvictionPolicy: 'AlwaysAllow' } : {}),
      },
    });
    this.service = this.addService(props.internalLoadBalancer ?? false, profile);
    this.trackingUri = `http://${this.service.host}:${HTTP_PORT}`;
    if (autoscaling) this.autoscaler = this.addAutoscaler(autoscaling, serverAnnotations);

    props.backend.allowFrom(this);
    props.backend.allowFrom(this.migrationPeer);
    this.validate(props, replicas);
  }

  public asPeer(): WorkloadPeer {
    return { namespace: this.namespace, podSelector: this.selectorLabels };
  }

  /**
   * Admits `peer` to the tracking port (UI and API); every undeclared client is denied. Trainers,
   * notebooks, or an ingress controller's namespace: `NetworkPeer.namespace('ingress-nginx')`.
   */
  public allowFrom(peer: PeerLike): void {
    if (!this.ingress) {
      this.ingress = new IngressAllowList(this, 'Ingress', { name: this.name, namespace: this.namespace, podSelector: this.selectorLabels });
      // Load-balancer traffic does not come from a pod; the internal load balancer is reachable from the VPC only.
      if (this.internalLoadBalancer) this.ingress.allow(NetworkPeer.anywhere(), [HTTP_PORT]);
    }
    this.ingress.allow(peer, [HTTP_PORT]);
  }

  private addService(internal: boolean, profile: Profile): WorkloadService {
    if (internal && !profile.internalLoadBalancerAnnotations) {
      throw propsError(this, 'MlflowCluster', `profile '${profile.name}' has no internal load balancer; ` +
        'declare internalLoadBalancerAnnotations on the profile or use a ClusterIP Service.');
    }
    this.internalLoadBalancer = internal;
    const ports: k8s.ServicePort[] = [{ name: 'http', port: HTTP_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }];
    const resource = new k8s.KubeService(this, 'Service', {
      metadata: {
        name: this.name, namespace: this.namespace, labels: { ...this.labels },
        ...(internal ? { annotations: { ...profile.internalLoadBalancerAnnotations } } : {}),
      },
      spec: { type: internal ? 'LoadBalancer' : 'ClusterIP', selector: { ...this.selectorLabels }, ports },
    });
    return {
      name: this.name, namespace: this.namespace, host: this.identity.serviceHost(this.name), ports, selector: this.selectorLabels, resource,
    };
  }

  private addMigrationJob(profile: Profile, env: k8s.EnvVar[], resources: ContainerResources, script: string, wave: number): k8s.KubeJob {
    const labels = { ...this.migrationPeer.podSelector, 'app.kubernetes.io/component': 'schema-migration', ...MANAGED_BY_LABELS };
    const template: k8s.PodTemplateSpec = {
      metadata: { labels },
      spec: buildPodSpec({
        restartPolicy: 'OnFailure',
        runAs: this.image.runAs,
        serviceAccountName: this.serviceAccount.name,
        volumes: [...this.dbCaVolumes],
        containers: [{
          name: 'migrate',
          image: this.image.image,
          command: ['/bin/sh', '-c', script, 'mlflow-schema', 'migrate'],
          env: [...env, { name: 'SCHEMA_WAIT_ATTEMPTS', value: '60' }],
          resources,
          volumeMounts: [...this.dbCaMounts],
          writablePaths: ['/tmp'],
        }],
      }, profile),
    };
    return new k8s.KubeJob(this, 'Migration', {
      metadata: {
        // A Job's pod template is immutable: a new MLflow image (a new schema) makes a new Job.
        name: contentVersionedName(`${this.name}-db-migrate`, template),
        namespace: this.namespace,
        labels,
        annotations: {
          // A Sync hook, not PreSync: on a first install PreSync would run before the namespace, the
          // credentials and the database exist. Replaced and re-run on every sync (a no-op when current).
          'argocd.argoproj.io/hook': 'Sync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          [SYNC_WAVE_ANNOTATION]: String(wave),
        },
      },
      spec: {
        backoffLimit: 4,
        // Finished migration Jobs, of this and earlier MLflow versions, go after a day.
        ttlSecondsAfterFinished: 86400,
        template,
      },
    });
  }

  private addAutoscaler(autoscaling: MlflowAutoscaling, annotations: Record<string, string>): k8s.KubeHorizontalPodAutoscalerV2 {
    const utilization = (name: string, percent: number): k8s.MetricSpecV2 => ({
      type: 'Resource',
      resource: { name, target: { type: 'Utilization', averageUtilization: percent } },
    });
    return new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.labels }, annotations },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [
          utilization('cpu', autoscaling.cpuPercent ?? 70),
          ...(autoscaling.memoryPercent !== undefined ? [utilization('memory', autoscaling.memoryPercent)] : []),
        ],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: autoscaling.scaleDownStabilizationSeconds ?? 300,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
          },
          scaleUp: {
            stabilizationWindowSeconds: 0,
            policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
          },
        },
      },
    });
  }

  /** Why the servers' worst-case connections do not fit the backend (empty when they do or it is unknown). */
  private connectionProblems(backend: IDatabase, pool: MlflowConnectionPool, servers: number, workers: number): string[] {
    const poolSize = pool.poolSize ?? DEFAULT_POOL_SIZE;
    const maxOverflow = pool.maxOverflow ?? DEFAULT_MAX_OVERFLOW;
    const reserve = pool.reserve ?? DEFAULT_CONNECTION_RESERVE;
    const bad = ([['poolSize', poolSize, 1], ['maxOverflow', maxOverflow, 0], ['reserve', reserve, 0]] as const)
      .filter(([, value, min]) => !Number.isInteger(value) || value < min)
      .map(([what, value, min]) => `connectionPool.${what} ${value} must be a whole number ≥ ${min}`);
    if (bad.length || backend.maxConnections === undefined) return bad;
    const worst = servers * workers * MLFLOW_ENGINES_PER_WORKER * (poolSize + maxOverflow);
    const left = backend.maxConnections - reserve;
    if (worst <= left) return [];
    return [`at full scale ${servers} servers × ${workers} workers × ${MLFLOW_ENGINES_PER_WORKER} SQLAlchemy engines (tracking and model registry) × ` +
      `(poolSize ${poolSize} + maxOverflow ${maxOverflow}) = ${worst} connections to ${backend.readWriteService.host}, more than the ${left} it has left ` +
      `(maxConnections ${backend.maxConnections} − reserve ${reserve}): lower connectionPool.poolSize/maxOverflow, workers or the maximum of servers, ` +
      "or raise the database's maxConnections"];
  }

  private validate(props: MlflowClusterProps, replicas: number): void {
    addProblems(this, () => {
      const errors: string[] = [];
      const a = props.autoscaling;
      if (a) {
        const whole = (n: number) => Number.isInteger(n) && n >= 1;
        if (!whole(a.minReplicas) || !whole(a.maxReplicas)) {
          errors.push(`autoscaling minReplicas ${a.minReplicas} and maxReplicas ${a.maxReplicas} must be whole numbers ≥ 1`);
        } else if (a.minReplicas > a.maxReplicas) {
          errors.push(`autoscaling minReplicas ${a.minReplicas} is greater than maxReplicas ${a.maxReplicas}: raise maxReplicas or lower minReplicas`);
        } else if (replicas < a.minReplicas || replicas > a.maxReplicas) {
          errors.push(`replicas ${replicas} is outside autoscaling ${a.minReplicas}..${a.maxReplicas}: leave replicas unset or pick a value in that range`);
        }
        for (const [what, value] of [['cpuPercent', a.cpuPercent], ['memoryPercent', a.memoryPercent]] as const) {
          if (value !== undefined && (!Number.isInteger(value) || value < 1)) errors.push(`autoscaling ${what} ${value} must be a whole percentage ≥ 1`);
        }
        const window = a.scaleDownStabilizationSeconds;
        if (window !== undefined && (!Number.isInteger(window) || window < 0 || window > 3600)) {
          errors.push(`autoscaling scaleDownStabilizationSeconds ${window} must be a whole number of seconds between 0 and 3600`);
        }
      }
      const workers = props.workers;
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) errors.push(`workers ${workers} must be a whole number ≥ 1`);
      else errors.push(...this.connectionProblems(props.backend, props.connectionPool ?? {}, a?.maxReplicas ?? replicas, workers ?? 2));
      const cacheProblem = (props.cache ?? MlflowCache.emptyDir()).problem(Math.max(replicas, a?.maxReplicas ?? 0));
      if (cacheProblem) errors.push(cacheProblem);
      errors.push(...props.artifacts.problems(this.profile));
      const required = [
        [MLFLOW_DATABASE_DRIVERS[this.grant.family], `${this.grant.family} backend`],
        [props.artifacts.pythonPackage, `${props.artifacts.uri.split(':')[0]}:// artifacts`],
      ] as const;
      const missing = required.filter(([pkg]) => this.image.missing([pkg]).length);
      if (missing.length) {
        const pip = missing.map(([pkg]) => PIP_NAMES[pkg] ?? pkg).join(' ');
        errors.push(`image '${this.image.image}' lacks ${missing.map(([pkg, why]) => `${pkg} (${why})`).join(' and ')}, and the server installs nothing at start: ` +
          `build an image FROM it with 'RUN pip install --no-cache-dir ${pip}' (pinned versions) and pass ` +
          `MlflowImage.custom(image, { packages: [${[...this.image.packages, ...missing.map(([pkg]) => pkg)].map((p) => `'${p}'`).join(', ')}] }), or use MlflowImage.community()`);
      }
      return errors;
    });
  }
}

/** Keys of MlflowClusterProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const MLFLOW_CLUSTER_PROPS = propNames<MlflowClusterProps>({ name: true, namespace: true, backend: true, database: true, artifacts: true, cache: true, image: true, replicas: true, autoscaling: true, workers: true, connectionPool: true, resources: true, internalLoadBalancer: true, syncWave: true, profile: true, clusterDomain: true });
