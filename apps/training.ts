import { App, Chart } from 'cdk8s';
import { DistributedTrainer, ITrackingServer, Launcher, SharedDataset, StorageClassPack, TrainingMode } from '../lib';
import { readAsset } from '../lib/assets';

export interface TrainingOptions {
  /** Experiment tracking for the trainer (MLFLOW_TRACKING_URI). @default - none */
  readonly tracking?: ITrackingServer;
}

/** What the training layer exposes. */
export interface Training {
  readonly trainer: DistributedTrainer;
  /** The shared dataset, where the profile has ReadWriteMany storage. */
  readonly dataset?: SharedDataset;
}

/**
 * The platform's 4-node PyTorch training run in `namespace`: an Indexed Job running a DDP smoke
 * test through torchrun, which completes and releases its GPUs. Where the profile has GPU nodes,
 * each worker takes 8 GPUs (NCCL) and writes checkpoints to its own directory of a ReadWriteMany
 * claim, so ranks run on any node; elsewhere (kind) it trains on CPUs (gloo) on one node, with a
 * ReadWriteOnce claim. A shared ImageNet dataset is mounted read-only where the profile has
 * ReadWriteMany storage; kind has none, so its trainer runs without it.
 */
export function buildTraining(app: App, pack: StorageClassPack, namespace: string, options: TrainingOptions = {}): Training {
  const chart = new Chart(app, 'training');
  const profile = pack.profile;
  const gpus = profile.gpu ? 8 : 0;
  const dataset = profile.supportsReadWriteMany
    ? new SharedDataset(chart, 'imagenet', { namespace, tier: pack.shared, size: '1Ti' })
    : undefined;
  const trainer = new DistributedTrainer(chart, 'pytorch', {
    namespace,
    image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
    nodes: 4,
    gpusPerNode: gpus,
    launcher: Launcher.torchrun({ script: 'ddp_smoke.py' }),
    files: { 'ddp_smoke.py': readAsset(__dirname, 'training/ddp_smoke.py') },
    // One claim, a directory per rank: ReadWriteMany lets the 4 GPU pods run on 4 nodes. A GPU
    // cluster without ReadWriteMany storage keeps a claim per pod, which only a StatefulSet has.
    checkpoints: gpus ? { tier: dataset ? pack.shared : pack.fast, size: dataset ? '1Ti' : '100Gi' } : { tier: pack.standard, size: '2Gi' },
    mode: gpus && !dataset ? TrainingMode.statefulSet() : TrainingMode.job(),
    datasets: dataset ? [dataset.mount('/data')] : [],
    scratch: { size: gpus ? '200Gi' : '2Gi' },
    resources: gpus ? { cpu: '32', memory: '256Gi' } : { cpu: '500m', memory: '1Gi' },
    sharedMemory: gpus ? '64Gi' : '256Mi',
    tracking: options.tracking,
  });
  return { trainer, dataset };
}
