import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { readAsset } from '../assets';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { CloudIdentity } from '../secrets';
import { SyncHints, SyncPhase } from '../sync-phase';
import {
  ClaimRetention, ContainerResources, ContainerSpec, IPeerable, PodManagementPolicy, Probe, RunAs, StatefulWorkload,
  UpdateStrategy, WorkloadIdentity, WorkloadPeer, ServiceStorage, StatefulServiceProps, buildPodSpec, serviceProfile, tierProfileProblem,
} from '../stateful';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import { Launcher } from './launcher';
import { DatasetMount } from './shared-dataset';
import { ITrackingServer } from './tracking-server';
import { TrainerPodResources, trainerPodResources } from './trainer-resources';
import { TrainingMode } from './training-mode';
import { DNS_1123_LABEL, MANAGED_BY_LABELS } from '../names';
import { addProblems, describeConstruct, propsError } from '../private/errors';

/**
 * Checkpoint storage that outlives the run. Job and JobSet modes: one claim, each rank mounting its own
 * directory `rank-<i>` (a ReadWriteMany tier lets ranks run on any node). StatefulSet mode: one claim
 * per worker, kept on scale-down and delete.
 */
export interface CheckpointStorage extends ServiceStorage {
  /**
   * Storage tier of the claims. Job and JobSet modes: pack.shared for multi-node runs; a ReadWriteOnce
   * tier places every rank on one node. StatefulSet mode: any tier (one claim per pod).
   */
  readonly tier: StorageTier;
  /** Requested size: of the one claim (Job, JobSet) or per worker (StatefulSet); a Kubernetes quantity (`100Gi`). */
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
export interface DistributedTrainerProps extends StatefulServiceProps {
  /** Namespace of the workers, their Services and ConfigMaps (and of the datasets they mount). */
  readonly namespace: string;
  /** Name of the Job (JobSet, StatefulSet); pods are `<name>-<i>`. @default - the construct id */
  readonly name?: string;
  /** Target cluster. @default - the profile of the checkpoint tier's StorageClassPack */
  readonly profile?: Profile;
  /** Image with PyTorch (and DeepSpeed for Launcher.deepspeed), pinned to a version tag or digest. */
  readonly image: string;
  /** Worker pods (torchrun "nodes"). In elastic mode, the number the StatefulSet starts with. */
  readonly nodes: number;
  /**
   * What the run is rendered as: an Indexed Job that completes and fails by policy, a JobSet, or a
   * long-running StatefulSet.
   * @default TrainingMode.job()
   */
  readonly mode?: TrainingMode;
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
  /**
   * CPU and memory per pod (GPUs come from gpusPerNode).
   * @default - with GPUs, GPU_POD_RESOURCES_PER_GPU × gpusPerNode (8 CPUs and 64Gi per GPU); without, the profile's default sizing
   */
  readonly resources?: Omit<ContainerResources, 'extended'>;
  /**
   * Accepted values of the profile's GPU node label, e.g. `['nvidia-h100-80gb']` for GKE's
   * `cloud.google.com/gke-accelerator`.
   * @default - the profile's values, or any GPU node
   */
  readonly accelerators?: readonly string[];
  /** Elastic mode (torchrun, TrainingMode.statefulSet() only): PET_NNODES becomes `min:max`. @default - a fixed-size job of `nodes` pods */
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
  /** Checkpoint claim retention on delete and scale-down (TrainingMode.statefulSet() only). @default Retain/Retain (training resumes from CHECKPOINT_DIR) */
  readonly claimRetention?: ClaimRetention;
  /**
   * How pod template changes roll out. A rolling update restarts workers one by one, and each
   * restart makes the others re-rendezvous and resume from their checkpoints; `onDelete()`
   * applies changes only when you restart the job yourself. TrainingMode.statefulSet() only: a
   * Job's template is immutable (a new run is a new Job).
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
const CONTAINER = 'trainer';
const SCRIPT_DIR = '/etc/trainer';
const HOME = '/home/trainer';
const READY_FILE = '/tmp/trainer-launched';
const FATAL_FILE = '/tmp/trainer-fatal';
const CODE_DIR = '/opt/trainer';
/** The JobSet's one replicated Job of worker pods. */
const JOBSET_WORKERS = 'workers';
let entrypointScript: string | undefined;
let workerScript: string | undefined;

/**
 * PyTorch distributed training: `nodes` worker pods, each running torchrun or the DeepSpeed runner
 * with the environment the Kubeflow Training Operator gives a worker (MASTER_ADDR = pod 0's stable
 * DNS name, WORLD_SIZE, NODE_RANK, PET_*), c10d rendezvous on pod 0, checkpoints that outlive the
 * run, read-only shared datasets, /dev/shm in memory and GPUs scheduled the profile's way.
 *
 * **A run is an Indexed Job** (`TrainingMode.job()`, the default): completions = parallelism = nodes,
 * the completion index is the node rank, pods are `<name>-<i>.<name>-headless` through a headless
 * Service that publishes unready pods. It completes, and fails by policy:
 * - a pod disrupted by a drain, preemption or eviction (`DisruptionTarget`) is replaced without counting;
 * - a trainer exit code in `fatalExitCodes` (a bug, a bad config) fails the run at once (`FailJob`);
 * - any other failure is retried, `retriesPerRank` times per rank (`backoffLimitPerIndex`, 1.29+), the
 *   replacement created only once the failed pod is gone (`podReplacementPolicy: Failed`);
 * - with torchrun on 1.31+, the run succeeds when rank 0 succeeds (`successPolicy`): rank 0's agent
 *   hosts the rendezvous store and exits only after every agent left its exit barrier, and the
 *   Job controller then stops ranks still shutting down. Elsewhere every rank must succeed.
 *
 * What the other ranks do when one pod fails: their collectives fail, torchrun restarts its workers
 * (up to `maxRestarts` times, PET_MAX_RESTARTS) and waits in the c10d rendezvous for the replacement
 * pod, then every rank resumes from its checkpoint. A rank other than 0 can fail and come back this
 * way. The rendezvous store lives in rank 0's torchrun: when pod 0 fails, every other rank loses the
 * store and fails too (exit 1, retried), and the whole group re-forms once pod 0 is back; each of
 * those failures counts against its rank's retries. A fatal exit code ends the run at once: the
 * worker wrapper records it and stops torchrun (no restarts to the same failure, no 5-minute exit
 * barrier), the pod exits with that code, the podFailurePolicy fails the Job and the Job controller
 * terminates the other ranks. The DeepSpeed runner has no rendezvous and exits with its failed
 * process's code: its ranks fail with the first one and are retried, or fail the run, the same way.
 *
 * Checkpoints: a Job has no volumeClaimTemplates and one pod template for every index, so a pod cannot
 * mount a claim chosen by its index. Every rank mounts its own directory `rank-<i>` of one claim
 * (`subPathExpr` on JOB_COMPLETION_INDEX), so a retried index finds its checkpoint. On a
 * ReadWriteMany tier (pack.shared) ranks run on any node; on a ReadWriteOnce tier every rank is
 * placed on one node (kind, single-node development), and multi-node GPU runs are refused. The
 * claim is not owned by the Job, the pack's StorageClasses Retain its volume, and Argo CD never
 * prunes it.
 *
 * `TrainingMode.jobSet()` renders the same pods as a JobSet that restarts every rank together;
 * `TrainingMode.statefulSet()` keeps the long-running StatefulSet (per-pod claims from
 * volumeClaimTemplates, a PodDisruptionBudget letting one worker go at a time, elastic mode).
 */
export class DistributedTrainer extends Construct implements IPeerable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly profile: Profile;
  /** What the run is rendered as. */
  public readonly mode: TrainingMode;
  /** The StatefulSet and its Services (TrainingMode.statefulSet() only). */
  public readonly workload?: StatefulWorkload;
  /** The Indexed Job (TrainingMode.job() only). */
  public readonly job?: k8s.KubeJob;
  /** The JobSet (TrainingMode.jobSet() only). */
  public readonly jobSet?: ApiObject;
  /** The checkpoint claim every rank mounts its own directory of (Job and JobSet modes). */
  public readonly checkpointClaim?: k8s.KubePersistentVolumeClaim;
  /** Headless Service giving the pods their stable names. */
  public readonly headlessServiceName: string;
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
  /** Per-pod requests after defaults: CPU, memory, memory limit and /dev/shm. */
  public readonly podResources: TrainerPodResources;
  /** ConfigMap holding the entrypoint, the worker wrapper (and the DeepSpeed hostfile). */
  public readonly launchConfigMap: k8s.KubeConfigMap;
  /** Names, DNS names and selector labels of the workers. */
  public readonly workloadIdentity: WorkloadIdentity;
  private readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: DistributedTrainerProps) {
    super(scope, id);
    // Workers are consumers of every other tier and start last.
    SyncHints.assignPhase(this, SyncPhase.WORKLOADS);
    this.name = props.name ?? id;
    this.namespace = props.namespace;
    this.mode = props.mode ?? TrainingMode.job();
    this.profile = serviceProfile(this, props.profile, props.checkpoints.tier);
    const tierProblem = tierProfileProblem(props.checkpoints.tier, this.profile, 'checkpoint tier');
    if (tierProblem) throw propsError(this, 'DistributedTrainer', tierProblem);
    this.nodes = props.nodes;
    if (!Number.isInteger(this.nodes) || this.nodes < 1) {
      throw propsError(this, 'DistributedTrainer', `nodes must be a whole number ≥ 1, got ${props.nodes}.`);
    }
    if (this.mode.completes) {
      // The last pod's hostname (<job>-<index>, <jobset>-workers-0-<index>) is a DNS label of at most 63 characters.
      const lastHost = this.mode.kind === 'JobSet' ? `${this.name}-${JOBSET_WORKERS}-0-${this.nodes - 1}` : `${this.name}-${this.nodes - 1}`;
      if (!DNS_1123_LABEL.test(this.name) || lastHost.length > 63) {
        throw propsError(this, 'DistributedTrainer', `invalid name '${this.name}': use a DNS-1123 label short enough for the pod hostname '${lastHost}' ` +
          `(${lastHost.length} characters) to stay within 63.`);
      }
    }
    this.gpusPerNode = props.gpusPerNode ?? 0;
    if (!Number.isInteger(this.gpusPerNode) || this.gpusPerNode < 0) {
      throw propsError(this, 'DistributedTrainer', `gpusPerNode must be a whole number ≥ 0, got ${props.gpusPerNode}.`);
    }
    this.procsPerNode = props.procsPerNode ?? Math.max(this.gpusPerNode, 1);
    if (!Number.isInteger(this.procsPerNode) || this.procsPerNode < 1) {
      throw propsError(this, 'DistributedTrainer', `procsPerNode must be a whole number ≥ 1, got ${props.procsPerNode}.`);
    }
    this.worldSize = this.nodes * this.procsPerNode;
    this.port = props.port ?? 29400;
    this.checkpointDir = props.checkpoints.mountPath ?? '/checkpoints';
    const maxRestarts = props.maxRestarts ?? 3;
    const gpu = this.profile.gpu;

    this.podResources = trainerPodResources(props.resources, props.sharedMemory, this.gpusPerNode, this.profile, describeConstruct(this, 'DistributedTrainer'));
    const { memoryLimit, sharedMemory } = this.podResources;
    if (props.scratch) Quantity.parse(props.scratch.size, `scratch size of ${describeConstruct(this, 'DistributedTrainer')}`);
    const scratchDir = props.scratch ? props.scratch.mountPath ?? '/scratch' : undefined;

    // Stable names of the pods, needed before the pods' owner exists (env, hostfile).
    this.workloadIdentity = WorkloadIdentity.of({ name: this.name, namespace: this.namespace, clusterDomain: props.clusterDomain, appName: TRAINER_APP });
    this.headlessServiceName = this.workloadIdentity.headlessServiceName;
    // A JobSet's pods are `<jobset>-<replicated job>-<job index>-<completion index>`, under the trainer's headless Service.
    const podIdentity = this.mode.kind === 'JobSet'
      ? WorkloadIdentity.of({ name: `${this.name}-${JOBSET_WORKERS}-0`, namespace: this.namespace, clusterDomain: props.clusterDomain, headlessServiceName: this.headlessServiceName })
      : this.workloadIdentity;
    this.hosts = podIdentity.podHosts(this.nodes);
    this.masterAddr = this.hosts[0];
    this.rendezvousEndpoint = `${this.masterAddr}:${this.port}`;

    const launch = props.launcher.command({
      hosts: this.hosts, masterAddr: this.masterAddr, port: this.port, procsPerNode: this.procsPerNode,
      hostfilePath: `${SCRIPT_DIR}/hostfile`, workerScriptPath: `${SCRIPT_DIR}/worker.sh`, gpusPerNode: this.gpusPerNode,
    });
    entrypointScript ??= readAsset(__dirname, 'scripts/trainer-entrypoint.sh');
    workerScript ??= readAsset(__dirname, 'scripts/trainer-worker.sh');
    const launchData: Record<string, string> = {
      'entrypoint.sh': entrypointScript,
      'worker.sh': workerScript,
      ...(launch.hostfile ? { hostfile: launch.hostfile } : {}),
    };
    this.launchConfigMap = configMap(this, 'Launch', `${this.name}-launch`, this.namespace, this.workloadIdentity.selectorLabels, launchData);
    const code = props.files && Object.keys(props.files).length
      ? configMap(this, 'Code', `${this.name}-code`, this.namespace, this.workloadIdentity.selectorLabels, props.files)
      : undefined;
    const workingDir = props.workingDir ?? (code ? CODE_DIR : undefined);

    const datasets = props.datasets ?? [];
    const datasetVolumes = datasets.map((d) => ({
      mount: d,
      volume: `dataset-${d.dataset.claimName}`.slice(0, 63).replace(/-+$/, ''),
    }));

    const version = this.profile.kubeVersion;
    // The rank from the pod's index label: the Job's completion index, or the StatefulSet's pod index.
    const rankEnv = this.mode.completes
      ? (version.hasJobCompletionIndexLabel
        ? { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }
        : undefined)
      : this.workloadIdentity.podIndexEnv('NODE_RANK', version);
    const podIndex = rankEnv ? [rankEnv] : [];
    const plain = (name: string, value: string | number): k8s.EnvVar => ({ name, value: String(value) });
    const env: k8s.EnvVar[] = [
      plain('MASTER_ADDR', this.masterAddr),
      plain('MASTER_PORT', this.port),
      plain('WORLD_SIZE', this.worldSize),
      ...podIndex,
      plain('PET_NNODES', props.elastic ? `${props.elastic.minNodes}:${props.elastic.maxNodes}` : this.nodes),
      plain('PET_NPROC_PER_NODE', this.procsPerNode),
      // Without the label the entrypoint takes JOB_COMPLETION_INDEX (Jobs) or the hostname (StatefulSets).
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
      plain('TRAINER_FATAL_FILE', FATAL_FILE),
      // The codes the podFailurePolicy fails the run on; a StatefulSet has no such policy.
      ...(this.mode.completes && this.mode.fatalExitCodes.length ? [plain('TRAINER_FATAL_EXIT_CODES', this.mode.fatalExitCodes.join(' '))] : []),
      ...Object.entries(launch.env ?? {}).map(([name, value]) => plain(name, value)),
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
      // A Job's pods share one template: each rank mounts its own directory of the one claim.
      this.mode.completes
        ? { name: 'checkpoints', mountPath: this.checkpointDir, subPathExpr: 'rank-$(JOB_COMPLETION_INDEX)' }
        : { name: 'checkpoints', mountPath: this.checkpointDir },
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
    const identityLabels = identity && Object.keys(identity.podLabels).length ? { ...identity.podLabels } : {};

    const container: ContainerSpec = {
      name: CONTAINER,
      image: props.image,
      command: ['sh', `${SCRIPT_DIR}/entrypoint.sh`],
      args: [...launch.argv],
      workingDir,
      env,
      ports: [{ name: 'rendezvous', port: this.port }],
      resources: {
        ...props.resources,
        cpu: this.podResources.cpu,
        memory: this.podResources.memory,
        memoryLimit,
        ...(this.gpusPerNode > 0 && gpu ? { extended: { [gpu.resourceName]: this.gpusPerNode } } : {}),
      },
      // Ready once the entrypoint has derived the rank and started the launcher. Peers do not
      // wait for it (the headless Service publishes unready pods).
      readinessProbe: Probe.exec(['test', '-f', READY_FILE]),
      volumeMounts,
      writablePaths: ['/tmp', HOME],
    };
    const podInput = {
      runAs: props.runAs,
      serviceAccountName: identity?.serviceAccountName,
      // GPU nodes are found by the GPU request and the cloud's taints (labels only where the cluster declares them).
      tolerations: this.gpusPerNode > 0 && gpu ? this.profile.gpuTolerations : undefined,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 120,
      containers: [container],
    };
    const podAnnotations = { 'ml.cdk8s.io/launch-config-hash': hash.digest('hex').slice(0, 16) };
    const checkpointTier = props.checkpoints.tier;
    // ReadWriteOnce: one node can mount the claim, so every rank goes there.
    const oneNode = this.mode.completes && checkpointTier.accessMode !== 'ReadWriteMany';

    if (!this.mode.completes) {
      this.workload = new StatefulWorkload(this, 'Workload', {
        name: this.name,
        namespace: this.namespace,
        profile: this.profile,
        appName: TRAINER_APP,
        component: 'training',
        replicas: this.nodes,
        clusterDomain: this.workloadIdentity.clusterDomain,
        podManagementPolicy: PodManagementPolicy.PARALLEL,
        // Workers resolve each other (and pod 0's rendezvous) while they are still starting.
        publishNotReadyAddresses: true,
        updateStrategy: props.updateStrategy,
        claimRetention: props.claimRetention,
        maxUnavailable: 1,
        // Training wants its workers close together, not spread over zones: own affinity below.
        spread: 'none',
        affinity: this.affinity(props.accelerators, false),
        podAnnotations,
        ...(Object.keys(identityLabels).length ? { labels: identityLabels } : {}),
        volumeClaims: [{ name: 'checkpoints', tier: checkpointTier, size: props.checkpoints.size }],
        volumes,
        ...podInput,
      });
    } else {
      const labels = {
        ...this.workloadIdentity.selectorLabels,
        'app.kubernetes.io/component': 'training',
        ...MANAGED_BY_LABELS,
      };
      const claims = new Construct(this, 'Checkpoints');
      // Checkpoints are the run's data: Argo CD never prunes or deletes the claim.
      SyncHints.protectData(claims);
      const claimName = `checkpoints-${this.name}`;
      this.checkpointClaim = new k8s.KubePersistentVolumeClaim(claims, 'Resource', {
        metadata: { name: claimName, namespace: this.namespace, labels: { ...labels } },
        spec: checkpointTier.claimSpec(props.checkpoints.size),
      });
      const podSpec = buildPodSpec({
        ...podInput,
        volumes: [{ name: 'checkpoints', persistentVolumeClaim: { claimName } }, ...volumes],
        affinity: this.affinity(props.accelerators, oneNode),
        // podFailurePolicy and backoffLimitPerIndex need pods that are never restarted in place.
        restartPolicy: 'Never',
      }, this.profile);
      const template: k8s.PodTemplateSpec = {
        metadata: { labels: { ...labels, ...identityLabels }, annotations: podAnnotations },
        spec: this.mode.kind === 'Job' ? { ...podSpec, subdomain: this.headlessServiceName } : podSpec,
      };
      const jobSpec = this.jobSpec(props.launcher, template);
      if (this.mode.kind === 'Job') {
        new k8s.KubeService(this, 'Headless', {
          metadata: { name: this.headlessServiceName, namespace: this.namespace, labels: { ...labels } },
          spec: {
            clusterIp: 'None',
            // Ranks resolve each other (and rank 0's rendezvous) before they are Ready.
            publishNotReadyAddresses: true,
            ports: [{ name: 'rendezvous', port: this.port, targetPort: k8s.IntOrString.fromString('rendezvous'), protocol: 'TCP' }],
            selector: { ...this.workloadIdentity.selectorLabels },
          },
        });
        this.job = new TrainingJob(this, 'Job', {
          metadata: { name: this.name, namespace: this.namespace, labels: { ...labels } },
        }, jobSpec);
      } else {
        this.jobSet = this.renderJobSet(labels, jobSpec);
      }
    }

    props.tracking?.allowFrom(this);
    // The writable emptyDirs for /tmp and HOME are mounts too.
    this.validate(props, memoryLimit, sharedMemory, datasets, [...volumeMounts.map((m) => m.mountPath), '/tmp', HOME], oneNode);
  }

  /** Stable DNS name of worker `i`. */
  public podHost(ordinal: number): string {
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= this.nodes) {
      throw new Error(`${describeConstruct(this, 'DistributedTrainer')} has ranks 0..${this.nodes - 1}; ${ordinal} is out of range.`);
    }
    return this.hosts[ordinal];
  }

  /**
   * Name of worker `i`'s checkpoint claim: `checkpoints-<name>-<i>` (StatefulSet), or the one claim
   * `checkpoints-<name>` whose directory `rank-<i>` rank `i` mounts (Job, JobSet).
   */
  public checkpointClaimName(ordinal: number): string {
    if (this.workload) return this.workload.claimName('checkpoints', ordinal);
    this.podHost(ordinal);
    return `checkpoints-${this.name}`;
  }

  /** The directory of the checkpoint claim rank `i` mounts as CHECKPOINT_DIR (`rank-<i>`); undefined for a StatefulSet (the whole claim). */
  public checkpointSubPath(ordinal: number): string | undefined {
    this.podHost(ordinal);
    return this.mode.completes ? `rank-${ordinal}` : undefined;
  }

  public asPeer(): WorkloadPeer {
    return { namespace: this.namespace, podSelector: { ...this.workloadIdentity.selectorLabels } };
  }

  /**
   * The Indexed Job's spec (also the JobSet's replicated Job), with the fields the version has, as
   * JSON: the 1.27 bindings drop fields they do not know (backoffLimitPerIndex, successPolicy, …).
   */
  private jobSpec(launcher: Launcher, template: k8s.PodTemplateSpec): Record<string, unknown> {
    const version = this.profile.kubeVersion;
    const options = this.mode.options;
    const retries = options.retriesPerRank ?? 3;
    const fatal = this.mode.fatalExitCodes;
    // In a JobSet a failed Job restarts the whole group: the Job itself does not retry.
    const inJobSet = this.mode.kind === 'JobSet';
    const perIndex = version.hasJobBackoffLimitPerIndex && !inJobSet;
    const base: k8s.JobSpec = {
      completionMode: 'Indexed',
      completions: this.nodes,
      parallelism: this.nodes,
      ...(perIndex ? {} : { backoffLimit: inJobSet ? 0 : retries * this.nodes }),
      ...(version.hasJobPodFailurePolicy ? {
        podFailurePolicy: {
          rules: [
            // Drains, preemption, evictions: not the run's fault, the pod is replaced without counting.
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
            ...(fatal.length ? [{
              action: 'FailJob',
              onExitCodes: { containerName: CONTAINER, operator: 'In', values: fatal },
              ...(version.hasOptionalPodFailureRuleConditions ? {} : { onPodConditions: [] }),
            } as k8s.PodFailurePolicyRule] : []),
          ],
        },
      } : {}),
      ...(options.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: options.activeDeadlineSeconds } : {}),
      ...(options.ttlSecondsAfterFinished !== undefined && !inJobSet ? { ttlSecondsAfterFinished: options.ttlSecondsAfterFinished } : {}),
      template,
    };
    return {
      ...k8s.toJson_JobSpec(base),
      // One rank out of retries fails the run: the others cannot train without it.
      ...(perIndex ? { backoffLimitPerIndex: retries, maxFailedIndexes: 0 } : {}),
      // Replace a failed pod only once it is gone: no two pods of a rank hold its claim or its name.
      ...(version.hasJobPodReplacementPolicy ? { podReplacementPolicy: 'Failed' } : {}),
      ...(version.hasJobSuccessPolicy && launcher.kind === 'torchrun' ? {
        // Rank 0's torchrun leaves its exit barrier only after every agent finished.
        successPolicy: { rules: [{ succeededIndexes: '0' }] },
      } : {}),
    };
  }

  /** A JobSet of one replicated Job of the workers, restarted as a group on failure. */
  private renderJobSet(labels: Record<string, string>, jobSpec: Record<string, unknown>): ApiObject {
    const options = this.mode.options;
    return new ApiObject(this, 'JobSet', {
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: { name: this.name, namespace: this.namespace, labels: { ...labels } },
      spec: {
        // The JobSet controller creates the headless Service (publishing unready pods) named subdomain.
        network: { enableDNSHostnames: true, subdomain: this.headlessServiceName, publishNotReadyAddresses: true },
        failurePolicy: {
          maxRestarts: options.maxGroupRestarts ?? 3,
          // A fatal exit code failed the Job through its podFailurePolicy: restarting cannot help.
          rules: [{ name: 'fatal-exit-code', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] }],
        },
        replicatedJobs: [{
          name: JOBSET_WORKERS,
          replicas: 1,
          template: { metadata: { labels: { ...labels } }, spec: jobSpec },
        }],
        ...(options.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: options.ttlSecondsAfterFinished } : {}),
      },
    } as any);
  }

  private affinity(accelerators: readonly string[] | undefined, oneNode: boolean): k8s.Affinity {
    const self = { matchLabels: { ...this.workloadIdentity.selectorLabels } };
    // GPU nodes are found by the GPU request and the cloud's taints; labels only where the cluster declares them.
    const gpuTerms = this.gpusPerNode > 0 ? this.profile.gpuNodeSelectorTerms(accelerators) : undefined;
    return {
      ...(gpuTerms ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: gpuTerms } } } : {}),
      // A ReadWriteOnce checkpoint claim is mounted by one node: every rank must run there.
      podAffinity: oneNode ? {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: self, topologyKey: 'kubernetes.io/hostname' }],
      } : {
        // Collective traffic is heavy and latency-bound: prefer one zone for all workers...
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100, podAffinityTerm: { labelSelector: self, topologyKey: this.profile.zoneTopologyKey },
        }],
      },
      // ...and one worker per node, so workers do not share a node's NICs and GPUs.
      ...(oneNode ? {} : {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100, podAffinityTerm: { labelSelector: self, topologyKey: 'kubernetes.io/hostname' },
          }],
        },
      }),
    };
  }

  private validate(props: DistributedTrainerProps, memoryLimit: string, sharedMemory: string, datasets: readonly DatasetMount[],
    mountPaths: readonly string[], oneNode: boolean): void {
    addProblems(this, () => {
      const errors = this.mode.problems();
      const gpus = this.gpusPerNode;
      const mode = this.mode.kind;
      if (this.mode.completes) {
        const fix = 'or use TrainingMode.statefulSet() for a long-running workload.';
        if (props.elastic) errors.push(`elastic mode needs a StatefulSet to scale: a ${mode} has a fixed number of ranks; drop elastic, ${fix}`);
        if (props.updateStrategy) errors.push(`updateStrategy applies to a StatefulSet: a ${mode}'s pod template is immutable (a new run is a new ${mode}); drop updateStrategy, ${fix}`);
        if (props.claimRetention) errors.push(`claimRetention applies to a StatefulSet's claim templates: the ${mode}'s checkpoint claim is not owned by it and is always kept; drop claimRetention, ${fix}`);
        if (oneNode && gpus > 0 && this.nodes > 1) {
          errors.push(`checkpoint tier '${props.checkpoints.tier.name}' is ${props.checkpoints.tier.accessMode}: one node mounts it, so ${this.nodes} GPU ranks ` +
            'would all have to fit on one node; put checkpoints on the ReadWriteMany tier (pack.shared), where each rank writes its own directory, ' +
            'or use TrainingMode.statefulSet() (one claim per pod).');
        }
      }
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
    });
  }
}

function configMap(scope: Construct, id: string, name: string, namespace: string, labels: Record<string, string>, data: Record<string, string>): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, id, {
    metadata: { name, namespace, labels: { ...labels, ...MANAGED_BY_LABELS } },
    data: { ...data },
  });
}

/**
 * A Job whose spec is given as JSON: the 1.27 bindings drop the Job fields of later versions
 * (backoffLimitPerIndex, podReplacementPolicy, successPolicy), so the spec is added after them.
 */
class TrainingJob extends k8s.KubeJob {
  constructor(scope: Construct, id: string, props: k8s.KubeJobProps, private readonly specJson: Record<string, unknown>) {
    super(scope, id, props);
  }

  public toJson(): any {
    return { ...super.toJson(), spec: this.specJson };
  }
}
