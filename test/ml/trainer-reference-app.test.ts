import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { StorageClassPack, WorkloadNamespace, renderProfile } from '../../lib';
import { NAMESPACES, buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { buildTraining } from '../../apps/training';
import { Manifest, all, find, selects } from '../support/synth';

/** The reference app's training layer on its own (namespace, storage classes, trainer), rendered and gated. */
function renderTraining(profile = referenceProfiles()[0]) {
  const app = new App();
  profile.attachTo(app);
  const base = new Chart(app, 'platform');
  new WorkloadNamespace(base, 'training', { name: NAMESPACES.training });
  const pack = new StorageClassPack(base, 'storage', { profile });
  const training = buildTraining(app, pack, NAMESPACES.training);
  return { training, rendered: renderProfile(app, profile) };
}

/** Where the reference run is a Job: no GPUs (kind), or a ReadWriteMany tier for the ranks' checkpoints (aks). */
const rendersJob = (p: ReturnType<typeof referenceProfiles>[number]) => !p.gpu || p.supportsReadWriteMany;

test('without a ReadWriteMany tier for GPU ranks\' checkpoints (GKE, EKS without a declared network or file system) the run is an explicit StatefulSet, one claim per pod', () => {
  const fallbacks = referenceProfiles().filter((p) => !rendersJob(p));
  expect(fallbacks.map((p) => p.name)).toEqual(['gke', 'eks']);
  for (const profile of fallbacks) {
    const { training, rendered } = renderTraining(profile);
    const objects = rendered.objects as Manifest[];
    expect(rendered.gates.errors).toEqual([]);
    expect(training.trainer.mode.kind).toBe('StatefulSet');
    expect(all(objects, 'Job').filter((j) => j.metadata.name === 'pytorch')).toEqual([]);
    const sts = find(objects, 'StatefulSet', 'pytorch');
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['checkpoints']);
    // Placed by the GPU request and the cloud's GPU taints: the reference clusters declare no GPU node labels.
    expect(sts.spec.template.spec.affinity.nodeAffinity).toBeUndefined();
    expect(sts.spec.template.spec.tolerations).toEqual(profile.gpuTolerations);
    expect(profile.omissions.join()).toContain("no 'shared' (ReadWriteMany");
  }
});

describe.each(referenceProfiles().filter(rendersJob).map((p) => [p.name, p] as const))('reference training layer on %s', (name, profile) => {
  const { training, rendered } = renderTraining(profile);
  const objects = rendered.objects as Manifest[];
  const job = find(objects, 'Job', 'pytorch');
  const container = job.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('a 4-rank Indexed Job in ml-training that completes, fails by policy and passes the gates', () => {
    expect(rendered.gates.errors).toEqual([]);
    expect(all(objects, 'StatefulSet').filter((s) => s.metadata.namespace === 'ml-training')).toEqual([]);
    expect(job.metadata.namespace).toBe('ml-training');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['Ignore', 'FailJob']);
    expect(rendered.files.map((f) => f.name)).toContain('training.k8s.yaml');
    expect(container.args).toEqual(['torchrun', '--no_python', 'sh', '/etc/trainer/worker.sh', 'python3', '-u', 'ddp_smoke.py']);
    expect(find(objects, 'ConfigMap', 'pytorch-code').data['ddp_smoke.py'])
      .toBe(fs.readFileSync(path.join(__dirname, '../../apps/training/ddp_smoke.py'), 'utf8'));
  });

  if (name === 'kind') {
    test('CPU-only (gloo): no GPUs, no shared dataset (kind has no ReadWriteMany tier)', () => {
      expect(training.dataset).toBeUndefined();
      // Only the checkpoint claim, ReadWriteOnce: every rank runs on the node that mounts it.
      expect(all(objects, 'PersistentVolumeClaim').map((c) => [c.metadata.name, c.spec.accessModes])).toEqual([['checkpoints-pytorch', ['ReadWriteOnce']]]);
      expect(job.spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
      expect(container.resources.limits['nvidia.com/gpu']).toBeUndefined();
      expect(env).toMatchObject({ WORLD_SIZE: '4', PET_NPROC_PER_NODE: '1' });
      expect(job.spec.template.spec.tolerations).toBeUndefined();
    });
  } else {
    test('8 GPUs per worker and the ImageNet dataset mounted read-only', () => {
      expect(container.resources.limits['nvidia.com/gpu']).toBe(8);
      expect(env).toMatchObject({ WORLD_SIZE: '32', PET_NPROC_PER_NODE: '8' });
      expect(find(objects, 'PersistentVolumeClaim', 'imagenet').spec.accessModes).toEqual(['ReadWriteMany']);
      expect(container.volumeMounts).toContainEqual({ name: 'dataset-imagenet', mountPath: '/data', readOnly: true });
      // Checkpoints: one ReadWriteMany claim, a directory per rank, so ranks run on any node.
      expect(find(objects, 'PersistentVolumeClaim', 'checkpoints-pytorch').spec.accessModes).toEqual(['ReadWriteMany']);
      expect(container.volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints', subPathExpr: 'rank-$(JOB_COMPLETION_INDEX)' });
      expect(job.spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
      // Placed by the GPU request and the cloud's GPU taints: the reference clusters declare no GPU node labels.
      expect(job.spec.template.spec.affinity.nodeAffinity).toBeUndefined();
      expect(job.spec.template.spec.tolerations).toEqual(profile.gpuTolerations);
    });
  }
});

test('the platform wires its MLflow into the trainer: MLFLOW_TRACKING_URI, and MLflow admits the trainer pods', () => {
  // aks: GPU ranks with a ReadWriteMany checkpoint tier, so the run is a Job.
  const profile = referenceProfiles().find((p) => p.name === 'aks')!;
  const app = new App();
  const platform = buildPlatform(app, profile);
  const objects = app.charts.flatMap((c) => c.toJson()) as Manifest[];
  const job = find(objects, 'Job', 'pytorch');
  const env = job.spec.template.spec.containers[0].env;
  expect(env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: platform.tracking.trackingUri });
  const peer = platform.training.trainer.asPeer();
  const admits = all(objects, 'NetworkPolicy')
    .filter((p) => p.metadata.namespace === NAMESPACES.tracking)
    .flatMap((p) => p.spec.ingress ?? [])
    .filter((rule: any) => rule.from.some((f: any) =>
      f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === peer.namespace &&
      selects(f.podSelector?.matchLabels ?? {}, job.spec.template.metadata.labels)));
  expect(admits.flatMap((rule: any) => rule.ports.map((p: any) => p.port))).toContain(platform.tracking.port);
});
