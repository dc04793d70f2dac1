// The whole stack on GKE, one namespace per concern: PostgreSQL (ml-db) holding MLflow's and Feast's
// databases, MLflow with its artifacts in MinIO (ml-tracking), Feast on replicated Redis (ml-features), and a
// GPU trainer reading a shared ReadWriteMany dataset and reporting to MLflow (ml-training).
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  ArtifactStore, ClusterConfig, Credentials, DatabaseEngine, DistributedTrainer, FeatureStore, Launcher, MlflowCache, MlflowCluster,
  ObjectStore, Profile, RedisMode, Registry, RenderedProfile, SharedDataset, StatefulDatabase, StorageClassPack,
  WorkloadNamespace, renderProfile, writeRendered,
} from 'cdk8s-stateful-ml';

export const NAMESPACES = { databases: 'ml-db', tracking: 'ml-tracking', features: 'ml-features', training: 'ml-training' } as const;

export interface FullPlatformExample {
  readonly profile: Profile;
  readonly pack: StorageClassPack;
  readonly database: StatefulDatabase;
  readonly objectStore: ObjectStore;
  readonly mlflow: MlflowCluster;
  readonly features: FeatureStore;
  readonly dataset: SharedDataset;
  readonly trainer: DistributedTrainer;
}

/**
 * The cluster's own values: the VPC Filestore attaches to, and the H100 pool's GKE accelerator label (GPU pods
 * require it: the only way to pick H100s among several GPU pools). Put yours here.
 */
export const CLUSTER = ClusterConfig.of({
  name: 'ml-gke',
  network: 'ml-vpc',
  gpuPools: [{ name: 'h100', machineType: 'a3-highgpu-8g', nodeLabels: { 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb' } }],
});

/** Builds the example into `app` on GKE (any profile with GPUs and a `shared` ReadWriteMany tier works). */
export function build(app: App, profile: Profile = Profile.gke({ cluster: CLUSTER })): FullPlatformExample {
  profile.attachTo(app);

  // Namespaces enforcing Pod Security Standards `restricted`, and the StorageClasses every claim below uses.
  const platform = new Chart(app, 'platform');
  for (const [id, name] of Object.entries(NAMESPACES)) new WorkloadNamespace(platform, id, { name });
  const pack = new StorageClassPack(platform, 'storage', { profile });

  // PostgreSQL: primary + 2 hot standbys, one synchronous. MLflow and Feast each get a database on it.
  const database = new StatefulDatabase(new Chart(app, 'databases'), 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    namespace: NAMESPACES.databases,
    replicas: 3,
    synchronousReplicas: 1,
    storage: { tier: pack.fast, size: '100Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
    resources: { cpu: '2', memory: '8Gi' },
    metrics: true,
  });

  // Experiment tracking: MLflow servers (autoscaled) on their own database, artifacts in a 4-pod MinIO pool.
  const tracking = new Chart(app, 'tracking');
  const objectStore = new ObjectStore(tracking, 'minio', {
    namespace: NAMESPACES.tracking,
    replicas: 4,
    storage: { tier: pack.standard, size: '500Gi' },
    buckets: ['mlflow-artifacts'],
    credentials: Credentials.existingSecret('minio-root'),
    resources: { cpu: '500m', memory: '2Gi' },
  });
  const mlflow = new MlflowCluster(tracking, 'mlflow', {
    namespace: NAMESPACES.tracking,
    backend: database,
    artifacts: ArtifactStore.objectStore(objectStore, 'mlflow-artifacts'),
    cache: MlflowCache.emptyDir('20Gi'),
    autoscaling: { minReplicas: 2, maxReplicas: 8, cpuPercent: 70 },
  });

  // Feast: online store on a Redis primary + 2 replicas (IOPS tier), registry in PostgreSQL.
  const features = new FeatureStore(new Chart(app, 'features'), 'feast', {
    namespace: NAMESPACES.features,
    project: 'recommendations',
    online: { mode: RedisMode.replicated(3), storage: { tier: pack.iops, size: '50Gi' }, resources: { cpu: '1', memory: '8Gi' } },
    registry: Registry.sql(database),
    featureServer: { replicas: 3 },
  });

  // Training: 2 pods × 8 H100s (NCCL), a dataset every pod mounts read-only, checkpoints per pod on SSD.
  const training = new Chart(app, 'training');
  const dataset = new SharedDataset(training, 'dataset', {
    namespace: NAMESPACES.training,
    name: 'imagenet',
    tier: pack.shared,
    size: '1Ti',
  });
  const trainer = new DistributedTrainer(training, 'trainer', {
    namespace: NAMESPACES.training,
    name: 'resnet',
    image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
    nodes: 2,
    gpusPerNode: 8,
    // The training code is baked into the image; torchrun starts 8 processes per pod, one per GPU.
    launcher: Launcher.torchrun({ script: '/workspace/train_resnet.py', args: ['--data', '/data/imagenet'] }),
    datasets: [dataset.mount('/data')],
    // One claim, a directory per rank: ReadWriteMany lets the two 8-GPU ranks run on two nodes.
    checkpoints: { tier: pack.shared, size: '1Ti' },
    scratch: { size: '500Gi' },
    resources: { cpu: '48', memory: '512Gi' },
    sharedMemory: '64Gi',
    // Sets MLFLOW_TRACKING_URI and admits the trainer's pods through MLflow's NetworkPolicy.
    tracking: mlflow,
  });

  return { profile, pack, database, objectStore, mlflow, features, dataset, trainer };
}

/** Renders the example, runs the gates and writes `<outdir>/<profile>/` (nothing is written if a gate fails). */
export function synth(outdir: string = path.join(__dirname, 'dist')): RenderedProfile {
  const app = new App();
  const { profile } = build(app);
  const rendered = renderProfile(app, profile);
  writeRendered(outdir, [rendered]);
  return rendered;
}
