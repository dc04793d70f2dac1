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

describe.each(referenceProfiles().map((p) => [p.name, p] as const))('reference training layer on %s', (name, profile) => {
  const { training, rendered } = renderTraining(profile);
  const objects = rendered.objects as Manifest[];
  const sts = find(objects, 'StatefulSet', 'pytorch');
  const container = sts.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('a 4-node trainer in ml-training that passes the gates', () => {
    expect(rendered.gates.errors).toEqual([]);
    expect(sts.metadata.namespace).toBe('ml-training');
    expect(sts.spec.replicas).toBe(4);
    expect(rendered.files.map((f) => f.name)).toContain('training.k8s.yaml');
    expect(container.args).toEqual(['torchrun', 'ddp_smoke.py']);
    expect(find(objects, 'ConfigMap', 'pytorch-code').data['ddp_smoke.py'])
      .toBe(fs.readFileSync(path.join(__dirname, '../../apps/training/ddp_smoke.py'), 'utf8'));
  });

  if (name === 'kind') {
    test('CPU-only (gloo): no GPUs, no shared dataset (kind has no ReadWriteMany tier)', () => {
      expect(training.dataset).toBeUndefined();
      expect(all(objects, 'PersistentVolumeClaim')).toEqual([]);
      expect(container.resources.limits['nvidia.com/gpu']).toBeUndefined();
      expect(env).toMatchObject({ WORLD_SIZE: '4', PET_NPROC_PER_NODE: '1' });
      expect(sts.spec.template.spec.tolerations).toBeUndefined();
    });
  } else {
    test('8 GPUs per worker and the ImageNet dataset mounted read-only', () => {
      expect(container.resources.limits['nvidia.com/gpu']).toBe(8);
      expect(env).toMatchObject({ WORLD_SIZE: '32', PET_NPROC_PER_NODE: '8' });
      // The dataset needs the shared (ReadWriteMany) tier: on GKE and EKS it needs a cluster input the reference
      // clusters do not declare (a VPC, an EFS file system), so the trainer runs without it there.
      if (profile.supportsReadWriteMany) {
        expect(find(objects, 'PersistentVolumeClaim', 'imagenet').spec.accessModes).toEqual(['ReadWriteMany']);
        expect(container.volumeMounts).toContainEqual({ name: 'dataset-imagenet', mountPath: '/data', readOnly: true });
      } else {
        expect(training.dataset).toBeUndefined();
        expect(profile.omissions.join()).toContain("no 'shared' (ReadWriteMany");
      }
      // Placed by the GPU request and the cloud's GPU taints: the reference clusters declare no GPU node labels.
      expect(sts.spec.template.spec.affinity.nodeAffinity).toBeUndefined();
      expect(sts.spec.template.spec.tolerations).toEqual(profile.gpuTolerations);
    });
  }
});

test('the platform wires its MLflow into the trainer: MLFLOW_TRACKING_URI, and MLflow admits the trainer pods', () => {
  const profile = referenceProfiles()[1];
  const app = new App();
  const platform = buildPlatform(app, profile);
  const objects = app.charts.flatMap((c) => c.toJson()) as Manifest[];
  const sts = find(objects, 'StatefulSet', 'pytorch');
  const env = sts.spec.template.spec.containers[0].env;
  expect(env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: platform.tracking.trackingUri });
  const peer = platform.training.trainer.asPeer();
  const admits = all(objects, 'NetworkPolicy')
    .filter((p) => p.metadata.namespace === NAMESPACES.tracking)
    .flatMap((p) => p.spec.ingress ?? [])
    .filter((rule: any) => rule.from.some((f: any) =>
      f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === peer.namespace &&
      selects(f.podSelector?.matchLabels ?? {}, sts.spec.template.metadata.labels)));
  expect(admits.flatMap((rule: any) => rule.ports.map((p: any) => p.port))).toContain(platform.tracking.port);
});
