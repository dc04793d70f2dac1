import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { CloudIdentity } from '../secrets';
import { SyncHints, SyncPhase } from '../sync-phase';
import {
  ClaimRetention, ContainerResources, IPeerable, PodManagementPolicy, Probe, RunAs, StatefulWorkload,
  UpdateStrategy, WorkloadPeer,
} from '../stateful';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import { Launcher } from './launcher';
import { DatasetMount } from './shared-dataset';
import { ITrackingServer } from './tracking-server';

/** Per-pod checkpoint storage: one claim per worker, kept on scale-down and delete. */
export interface CheckpointStorage {
  /** Storage tier of the claims (a ReadWriteOnce tier is fine: one claim per pod). */
  readonly tier: StorageTier;
  /** Requested size per worker, a Kubernetes quantity (`100Gi`). */
  readonly size: string;
  /** Where the claim is mounted; exported as CHECKPOINT_DIR. @default '/checkpoints' */
  readonly mountPath?: string;
}

/** Node-local scratch space (an emptyDir, lost with the pod). */
export interface ScratchSpace {
  /** Size limit; the pod is evicted when it writes more. A Kubernetes quantity (`200Gi`). */
  readonly size: string;
  /** Exported as SCRATCH_DIR. @default '/scratch' */
  readonly mountPath?: string;
}

/** Elastic training: the job keeps running while between `minNodes` and `maxNodes` pods take part. */
export interface ElasticPolicy {
  /** Fewest worker pods the job trains with. */
  readonly minNodes: number;
  /** Most worker pods the job trains with (scale the StatefulSet up to this). */
  readonly maxNodes: number;
}

/** Props of `DistributedTrainer`. */
export interface DistributedTrainerProps {
  /** Namespace of the workers, their Services and ConfigMaps (and of the datasets they mount). */
  readonly namespace: string;
  /** StatefulSet name; pods are `<name>-<i>`. @default - the construct id */
  readonly name?: string;
  /** Target cluster. @default - the profile of the checkpoint tier's StorageClassPack */
  readonly profile?: Profile;
  /** Image with PyTorch (and DeepSpeed for Launcher.deepspeed), pinned to a version tag or digest. */
  readonly image: string;
  /** Worker pods (torchrun "nodes"). In elastic mode, the number the StatefulSet starts with. */
  readonly nodes: number;
  /**
   * GPUs per pod, scheduled on the profile's GPU nodes (resource name, node label, tolerations).
   * 0 trains on CPUs: PyTorch's init_process_group() then picks gloo instead of NCCL.
   * @default 0
   */
  readonly gpusPerNode?: number;
  /**
   * Training processes per pod; must divide gpusPerNode (each process drives the same number of GPUs).
   * @default - gpusPerNode, or 1 without GPUs
   */
  readonly procsPerNode?: number;
  /** How each pod starts its processes. */
  readonly launcher: Launcher;
  /** Per-pod checkpoint claims, mounted at CHECKPOINT_DIR. */
  readonly checkpoints: CheckpointStorage;
  /** Shared datasets (`dataset.mount('/data')`), in the trainer's namespace. @default - none */
  readonly datasets?: readonly DatasetMount[];
  /** Node-local scratch emptyDir. @default - none */
  readonly scratch?: ScratchSpace;
  /**
   * Size of /dev/shm, a memory-backed emptyDir (NCCL and DataLoader workers exchange tensors
   * through it; the container runtime's 64Mi default breaks both). Its usage counts against the
   * container's memory limit.
   * @default - half the container's memory limit
   */
  readonly sharedMemory?: string;
  /** CPU and memory per pod (GPUs come from gpusPerNode). @default - the profile's default sizing */
  readonly resources?: Omit<ContainerResources, 'extended'>;
  /**
   * Accepted values of the profile's GPU node label, e.g. `['nvidia-h100-80gb']` for GKE's
   * `cloud.google.com/gke-accelerator`.
   * @default - the profile's values, or any GPU node
   */
  readonly accelerators?: readonly string[];
  /** Elastic mode (torchrun only): PET_NNODES becomes `min:max`. @default - a fixed-size job of `nodes` pods */
  readonly elastic?: ElasticPolicy;
  /** Times torchrun restarts the worker group after a failure before the pod fails (PET_MAX_RESTARTS). @default 3 */
  readonly maxRestarts?: number;
  /** Port of the c10d rendezvous store and MASTER_PORT on pod 0. @default 29400 */
  readonly port?: number;
  /** Rendezvous id (PET_RDZV_ID): pods with the same id form one job. @default - the StatefulSet name */
  readonly rendezvousId?: string;
  /** Tracking server: sets MLFLOW_TRACKING_URI and admits the trainer's pods to it. @default - none */
  readonly tracking?: ITrackingServer;
  /** Extra environment, after the trainer's own variables. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Small files (a training script, a DeepSpeed config) shipped in a ConfigMap and mounted
   * read-only at `workingDir`; changing them rolls the pods. Real jobs bake code into the image.
   * @default - none
   */
  readonly files?: Readonly<Record<string, string>>;
  /** Working directory of the launcher. @default - '/opt/trainer' with `files`, else the image's */
  readonly workingDir?: string;
  /** uid/gid of the processes (the PyTorch images default to root, which restricted pods refuse). @default - 1000/1000 */
  readonly runAs?: RunAs;
  /** Seconds between SIGTERM and SIGKILL, time for the script to write a last checkpoint. @default 120 */
  readonly terminationGracePeriodSeconds?: number;
  /** Checkpoint claim retention on delete and scale-down. @default Retain/Retain (training resumes from CHECKPOINT_DIR) */
  readonly claimRetention?: ClaimRetention;
  /**
   * How pod template changes roll out. A rolling update restarts workers one by one, and each
   * restart makes the others re-rendezvous and resume from their checkpoints; `onDelete()`
   * applies changes only when you restart the job yourself.
   * @default UpdateStrategy.rollingUpdate()
   */
  readonly updateStrategy?: UpdateStrategy;
  /** Kubernetes cluster DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /**
   * Who the workers are to the cloud (object stores holding datasets and checkpoints, cloud APIs): a workload
   * identity gives them their own ServiceAccount named after the trainer (annotated for IRSA, GKE and AKS; the
   * name an EKS Pod Identity association names); `CloudIdentity.keys(...)` sets `AWS_ACCESS_KEY_ID` and
   * `AWS_SECRET_ACCESS_KEY` by reference.
   * @default - none (the namespace's default ServiceAccount, no cloud access)
   */
  readonly identity?: CloudIdentity;
}

const TRAINER_APP = 'trainer';
const SCRIPT_DIR = '/etc/trainer';
const HOME = '/home/trainer';
const READY_FILE = '/tmp/trainer-launched';
const CODE_DIR = '/opt/trainer';
let entrypointScript: string | undefined;

/**
 * PyTorch distributed training on a StatefulSet: `nodes` worker pods started together (Parallel),
 * each running torchrun or the DeepSpeed runner with the environment the Kubeflow Training
 * Operator gives a worker (MASTER_ADDR = pod 0's stable DNS name, WORLD_SIZE, NODE_RANK, PET_*),
 * c10d rendezvous on pod 0, per-pod checkpoint claims that survive scale-down and delete,
 * read-only shared datasets, /dev/shm in memory and GPUs scheduled the profile's way.
 *
 * A StatefulSet restarts containers that exit, also after success: the training script should
 * resume from CHECKPOINT_DIR and return at once when training is complete; scale to 0 (the
 * checkpoint claims stay) once you are done.
 *
 * Disruptions: the PodDisruptionBudget allows one worker at a time to be evicted. An elastic job
 * goes on with one node fewer; a fixed-size job pauses (the other workers wait in rendezvous) and
 * resumes from its checkpoints when the pod is back. Forbidding evictions instead would block
 * every node drain, and with it cluster upgrades, for as long as training runs.
 */
export class DistributedTrainer extends Construct implements IPeerable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly profile: Profile;
  public readonly workload: StatefulWorkload;
  public readonly nodes: number;
  public readonly gpusPerNode: number;
  public readonly procsPerNode: number;
  /** Training processes of the job at its rendered size: nodes × procsPerNode. */
  public readonly worldSize: number;
  /** Pod 0's stable DNS name through the headless Service. */
  public readonly masterAddr: string;
  public readonly port: number;
  /** `<pod 0>:<port>` */
  public readonly rendezvousEndpoint: string;
  public readonly checkpointDir: string;
  /** ConfigMap holding the entrypoint (and the DeepSpeed hostfile). */
  public readonly launchConfigMap: k8s.KubeConfigMap;
  /** Labels selecting the worker pods (the StatefulSet's selector). */
  private readonly selector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: DistributedTrainerProps) {
    super(scope, id);
    // A StatefulSet syncs with the data tier by default; workers are consumers and start last.
    SyncHints.assignPhase(this, SyncPhase.WORKLOADS);
    const where = `DistributedTrainer '${this.node.path}'`;
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.selector = { 'app.kubernetes.io/name': TRAINER_APP, 'app.kubernetes.io/instance': this.name };
    this.profile = props.profile ?? props.checkpoints.tier.profile;
    this.nodes = props.nodes;
    if (!Number.isInteger(this.nodes) || this.nodes < 1) {
      throw new Error(`${where}: nodes must be a whole number ≥ 1, got ${props.nodes}.`);
    }
    this.gpusPerNode = props.gpusPerNode ?? 0;
    if (!Number.isInteger(this.gpusPerNode) || this.gpusPerNode < 0) {
      throw new Error(`${where}: gpusPerNode must be a whole number ≥ 0, got ${props.gpusPerNode}.`);
    }
    this.procsPerNode = props.procsPerNode ?? Math.max(this.gpusPerNode, 1);
    if (!Number.isInteger(this.procsPerNode) || this.procsPerNode < 1) {
      throw new Error(`${where}: procsPerNode must be a whole number ≥ 1, got ${props.procsPerNode}.`);
    }
    this.worldSize = this.nodes * this.procsPerNode;
    this.port = props.port ?? 29400;
    this.checkpointDir = props.checkpoints.mountPath ?? '/checkpoints';
    const maxRestarts = props.maxRestarts ?? 3;
    const gpu = this.profile.gpu;

    const memory = props.resources?.memory ?? this.profile.defaultResources.memory;
    const memoryLimit = props.resources?.memoryLimit ?? memory;
    const sharedMemory = props.sharedMemory
      ?? Quantity.bytes(Math.floor(Quantity.parse(memoryLimit, `memory limit of ${where}`).value / 2)).text;
    Quantity.parse(sharedMemory, `sharedMemory of ${where}`);
    if (props.scratch) Quantity.parse(props.scratch.size, `scratch size of ${where}`);
    const scratchDir = props.scratch ? props.scratch.mountPath ?? '/scratch' : undefined;

    // Names the workload's helpers would give, needed before the workload exists (env, hostfile).
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const hosts = Array.from({ length: this.nodes },
      (_, i) => `${this.name}-${i}.${this.name}-headless.${this.namespace}.svc.${clusterDomain}`);
    this.masterAddr = hosts[0];
    this.rendezvousEndpoint = `${this.masterAddr}:${this.port}`;

    const launch = props.launcher.command({
      hosts, masterAddr: this.masterAddr, port: this.port, procsPerNode: this.procsPerNode,
      hostfilePath: `${SCRIPT_DIR}/hostfile`,
    });
    entrypointScript ??= readAsset(__dirname, 'scripts/trainer-entrypoint.sh');
    const launchData: Record<string, string> = {
      'entrypoint.sh': entrypointScript,
      ...(launch.hostfile ? { hostfile: launch.hostfile } : {}),
    };
    this.launchConfigMap = configMap(this, 'Launch', `${this.name}-launch`, this.namespace, this.selector, launchData);
    const code = props.files && Object.keys(props.files).length
      ? configMap(this, 'Code', `${this.name}-code`, this.namespace, this.selector, props.files)
      : undefined;
    const workingDir = props.workingDir ?? (code ? CODE_DIR : undefined);

    const datasets = props.datasets ?? [];
    const datasetVolumes = datasets.map((d) => ({
      mount: d,
      volume: `dataset-${d.dataset.claimName}`.slice(0, 63).replace(/-+$/, ''),
    }));

    const version = this.profile.kubeVersion;
    const podIndex = version.hasPodIndexLabel ? [{ name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } } }] : [];
    const plain = (name: string, value: string | number): k8s.EnvVar => ({ name, value: String(value) });
    const env: k8s.EnvVar[] = [
      plain('MASTER_ADDR', this.masterAddr),
      plain('MASTER_PORT', this.port),
      plain('WORLD_SIZE', this.worldSize),
      ...podIndex,
      plain('PET_NNODES', props.elastic ? `${props.elastic.minNodes}:${props.elastic.maxNodes}` : this.nodes),
      plain('PET_NPROC_PER_NODE', this.procsPerNode),
      // Before 1.28 the entrypoint derives the rank from the hostname and exports PET_NODE_RANK.
      ...(podIndex.length ? [plain('PET_NODE_RANK', '$(NODE_RANK)')] : []),
      plain('PET_MASTER_ADDR', this.masterAddr),
      plain('PET_MASTER_PORT', this.port),
      plain('PET_RDZV_BACKEND', 'c10d'),
      plain('PET_RDZV_ENDPOINT', this.rendezvousEndpoint),
      plain('PET_RDZV_ID', props.rendezvousId ?? this.name),
      plain('PET_MAX_RESTARTS', maxRestarts),
      plain('CHECKPOINT_DIR', this.checkpointDir),
      ...(scratchDir ? [plain('SCRATCH_DIR', scratchDir)] : []),
      ...(props.tracking ? [plain('MLFLOW_TRACKING_URI', props.tracking.trackingUri)] : []),
      plain('TRAINER_MAX_NODES', props.elastic ? props.elastic.maxNodes : this.nodes),
      ...(launch.nodeRankFlag ? [plain('NODE_RANK_FLAG', launch.nodeRankFlag)] : []),
      plain('TRAINER_READY_FILE', READY_FILE),
      plain('PYTHONUNBUFFERED', '1'),
      // The root filesystem is read-only: no .pyc writes, caches under the writable HOME.
      plain('PYTHONDONTWRITEBYTECODE', '1'),
      plain('HOME', HOME),
      plain('XDG_CACHE_HOME', `${HOME}/.cache`),
      plain('TORCH_HOME', `${HOME}/.cache/torch`),
      plain('TRITON_CACHE_DIR', `${HOME}/.cache/triton`),
      ...Object.entries(props.env ?? {}).map(([name, value]) => plain(name, value)),
    ];

    const volumes: k8s.Volume[] = [
      { name: 'launch', configMap: { name: this.launchConfigMap.name } },
      ...(code ? [{ name: 'code', configMap: { name: code.name } }] : []),
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(sharedMemory) } },
      ...(props.scratch ? [{ name: 'scratch', emptyDir: { sizeLimit: k8s.Quantity.fromString(props.scratch.size) } }] : []),
      ...datasetVolumes.map(({ mount, volume }) => ({
        name: volume,
        persistentVolumeClaim: { claimName: mount.dataset.claimName, readOnly: mount.readOnly },
      })),
    ];
    const volumeMounts: k8s.VolumeMount[] = [
      { name: 'checkpoints', mountPath: this.checkpointDir },
      { name: 'launch', mountPath: SCRIPT_DIR, readOnly: true },
      ...(code && workingDir ? [{ name: 'code', mountPath: workingDir, readOnly: true }] : []),
      { name: 'dshm', mountPath: '/dev/shm' },
      ...(scratchDir ? [{ name: 'scratch', mountPath: scratchDir }] : []),
      ...datasetVolumes.map(({ mount, volume }) => ({ name: volume, mountPath: mount.mountPath, readOnly: mount.readOnly })),
    ];

    const hash = createHash('sha256');
    for (const data of [launchData, props.files ?? {}]) {
      for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
    }

    // Cloud identity (props.identity): its own ServiceAccount, pod labels and, for keys, the environment.
    const identity = props.identity?.forPods(this, { name: this.name, namespace: this.namespace, profile: this.profile });
    env.push(...identity?.env ?? []);

    this.workload = new StatefulWorkload(this, 'Workload', {
      name: this.name,
      namespace: this.namespace,
      profile: this.profile,
      serviceAccountName: identity?.serviceAccountName,
      ...(identity && Object.keys(identity.podLabels).length ? { labels: { ...identity.podLabels } } : {}),
      appName: TRAINER_APP,
      component: 'training',
      replicas: this.nodes,
      clusterDomain,
      runAs: props.runAs,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      // Workers resolve each other (and pod 0's rendezvous) while they are still starting.
      publishNotReadyAddresses: true,
      updateStrategy: props.updateStrategy,
      claimRetention: props.claimRetention,
      maxUnavailable: 1,
      // Training wants its workers close together, not spread over zones: own affinity below.
      spread: 'none',
      affinity: this.affinity(props.accelerators),
      tolerations: this.gpusPerNode > 0 && gpu ? this.profile.gpuTolerations : undefined,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 120,
      podAnnotations: { 'ml.cdk8s.io/launch-config-hash': hash.digest('hex').slice(0, 16) },
      volumeClaims: [{ name: 'checkpoints', tier: props.checkpoints.tier, size: props.checkpoints.size }],
      volumes,
      containers: [{
        name: 'trainer',
        image: props.image,
        command: ['sh', `${SCRIPT_DIR}/entrypoint.sh`],
        args: [...launch.argv],
        workingDir,
        env,
        ports: [{ name: 'rendezvous', port: this.port }],
        resources: {
          ...props.resources,
          ...(this.gpusPerNode > 0 && gpu ? { extended: { [gpu.resourceName]: this.gpusPerNode } } : {}),
        },
        // Ready once the entrypoint has derived the rank and started the launcher. Peers do not
        // wait for it (the headless Service publishes unready pods); it drives rollouts and the PDB.
        readinessProbe: Probe.exec(['test', '-f', READY_FILE]),
        volumeMounts,
        writablePaths: ['/tmp', HOME],
      }],
    });

    props.tracking?.allowFrom(this);
    // The writable emptyDirs StatefulWorkload adds for writablePaths are mounts too.
    this.validate(props, memoryLimit, sharedMemory, datasets, [...volumeMounts.map((m) => m.mountPath), '/tmp', HOME]);
  }

  /** Stable DNS name of worker `i`. */
  public podHost(ordinal: number): string {
    return this.workload.podHost(ordinal);
  }

  /** Name of worker `i`'s checkpoint claim: `checkpoints-<name>-<i>`. */
  public checkpointClaimName(ordinal: number): string {
    return this.workload.claimName('checkpoints', ordinal);
  }

  public asPeer(): WorkloadPeer {
    return this.workload.asPeer();
  }

  private affinity(accelerators: readonly string[] | undefined): k8s.Affinity {
    const self = { matchLabels: { ...this.selector } };
    // GPU nodes are found by the GPU request and the cloud's taints; labels only where the cluster declares them.
    const gpuTerms = this.gpusPerNode > 0 ? this.profile.gpuNodeSelectorTerms(accelerators) : undefined;
    return {
      ...(gpuTerms ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: gpuTerms } } } : {}),
      // Collective traffic is heavy and latency-bound: prefer one zone for all workers...
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100, podAffinityTerm: { labelSelector: self, topologyKey: this.profile.zoneTopologyKey },
        }],
      },
      // ...and one worker per node, so workers do not share a node's NICs and GPUs.
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100, podAffinityTerm: { labelSelector: self, topologyKey: 'kubernetes.io/hostname' },
        }],
      },
    };
  }

  private validate(props: DistributedTrainerProps, memoryLimit: string, sharedMemory: string, datasets: readonly DatasetMount[], mountPaths: readonly string[]): void {
    this.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        const gpus = this.gpusPerNode;
        if (gpus > 0 && !this.profile.gpu) {
          errors.push(`gpusPerNode ${gpus} needs GPU nodes, but profile '${this.profile.name}' has no GPU settings: ` +
            `declare them with Profile.${this.profile.cloud}({ gpu: { resourceName, nodeLabelKey, tolerations } }), ` +
            'or set gpusPerNode to 0 to train on CPUs (gloo).');
        }
        if (gpus > 0 && gpus % this.procsPerNode !== 0) {
          const divisors = Array.from({ length: gpus }, (_, i) => i + 1).filter((d) => gpus % d === 0);
          errors.push(`procsPerNode ${this.procsPerNode} does not divide gpusPerNode ${gpus}: every process drives the same ` +
            `number of GPUs; use one of ${divisors.join(', ')}.`);
        }
        if (props.accelerators && !props.accelerators.length) {
          errors.push('accelerators is empty: leave it out to accept any GPU node, or name the accepted node label values.');
        }
        const elastic = props.elastic;
        if (elastic) {
          for (const [field, value] of [['minNodes', elastic.minNodes], ['maxNodes', elastic.maxNodes]] as const) {
            if (!Number.isInteger(value) || value < 1) errors.push(`elastic ${field} must be a whole number ≥ 1, got ${value}.`);
          }
          if (elastic.minNodes > elastic.maxNodes) {
            errors.push(`elastic minNodes ${elastic.minNodes} is greater than maxNodes ${elastic.maxNodes}: use minNodes ≤ maxNodes.`);
          } else if (this.nodes < elastic.minNodes || this.nodes > elastic.maxNodes) {
            errors.push(`nodes ${this.nodes} is outside the elastic range ${elastic.minNodes}..${elastic.maxNodes}: start with minNodes ≤ nodes ≤ maxNodes.`);
          }
          if (!props.launcher.supportsElastic) {
            errors.push(`elastic mode needs Launcher.torchrun: the ${props.launcher.kind} launcher starts a fixed set of nodes from its hostfile.`);
          }
        }
        const maxRestarts = props.maxRestarts;
        if (maxRestarts !== undefined && (!Number.isInteger(maxRestarts) || maxRestarts < 0)) {
          errors.push(`maxRestarts must be a whole number ≥ 0, got ${maxRestarts}.`);
        }
        if (!Number.isInteger(this.port) || this.port < 1024 || this.port > 65535) {
          errors.push(`port ${this.port} must be between 1024 and 65535 (the pods run as a non-root user).`);
        }
        if (Quantity.parse(sharedMemory).value > Quantity.parse(memoryLimit).value) {
          errors.push(`sharedMemory ${sharedMemory} exceeds the memory limit ${memoryLimit}: /dev/shm lives in the container's memory, ` +
            'so it can never grow past the limit; raise resources.memoryLimit or lower sharedMemory.');
        }
        for (const { dataset } of datasets) {
          if (dataset.namespace !== this.namespace) {
            errors.push(`dataset '${dataset.claimName}' is in namespace '${dataset.namespace}', but the trainer runs in '${this.namespace}': ` +
              'a pod can only mount claims of its own namespace; create the SharedDataset there.');
          }
        }
        const paths = new Map<string, number>();
        for (const p of mountPaths) paths.set(p, (paths.get(p) ?? 0) + 1);
        const clashes = [...paths].filter(([, n]) => n > 1).map(([p]) => p);
        if (clashes.length) errors.push(`several volumes are mounted at ${clashes.join(', ')}: give each dataset, checkpoint and scratch volume its own path.`);
        return errors;
      },
    });
  }
}

function configMap(scope: Construct, id: string, name: string, namespace: string, labels: Record<string, string>, data: Record<string, string>): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, id, {
    metadata: { name, namespace, labels: { ...labels, 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' } },
    data: { ...data },
  });
}
