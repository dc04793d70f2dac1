// Distributed PyTorch training on a laptop: an Indexed Job of three CPU ranks on kind, talking over gloo,
// each with its own checkpoint directory, resuming from it when retried; the run completes and stops.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  DistributedTrainer, Launcher, Profile, RenderedProfile, StorageClassPack, TrainingMode, WorkloadNamespace, renderProfile, writeRendered,
} from 'cdk8s-stateful-ml';

export const NAMESPACE = 'training';
/** The training script, shipped to the pods in a ConfigMap (real jobs bake their code into the image). */
export const TRAIN_SCRIPT = fs.readFileSync(path.join(__dirname, 'train.py'), 'utf8');

export interface TrainingExample {
  readonly profile: Profile;
  readonly pack: StorageClassPack;
  readonly trainer: DistributedTrainer;
}

/** Builds the example into `app` on kind (local-path volumes, no GPUs, no ReadWriteMany). */
export function build(app: App, profile: Profile = Profile.kind()): TrainingExample {
  profile.attachTo(app);

  const platform = new Chart(app, 'platform');
  new WorkloadNamespace(platform, 'namespace', { name: NAMESPACE });
  const pack = new StorageClassPack(platform, 'storage', { profile });

  const chart = new Chart(app, 'training');
  const trainer = new DistributedTrainer(chart, 'trainer', {
    namespace: NAMESPACE,
    image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
    nodes: 3,
    // No GPUs: nothing is requested from a device plugin, and train.py runs its collectives over gloo.
    gpusPerNode: 0,
    launcher: Launcher.torchrun({ script: 'train.py' }),
    files: { 'train.py': TRAIN_SCRIPT },
    env: { EPOCHS: '20' },
    // One claim (`checkpoints-trainer`), a directory per rank (`rank-<i>`), kept when the Job is deleted.
    // It is ReadWriteOnce (kind's local-path), so every rank runs on the node that mounts it.
    checkpoints: { tier: pack.standard, size: '1Gi' },
    // The run fails after 2 failed attempts of one rank, or after an hour; a finished Job stays for its logs.
    mode: TrainingMode.job({ retriesPerRank: 2, activeDeadlineSeconds: 3600 }),
    resources: { cpu: '500m', memory: '1Gi' },
    sharedMemory: '256Mi',
  });

  return { profile, pack, trainer };
}

/** Renders the example, runs the gates and writes `<outdir>/<profile>/` (nothing is written if a gate fails). */
export function synth(outdir: string = path.join(__dirname, 'dist')): RenderedProfile {
  const app = new App();
  const { profile } = build(app);
  const rendered = renderProfile(app, profile);
  writeRendered(outdir, [rendered]);
  return rendered;
}
