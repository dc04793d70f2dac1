import {
  CloudIdentity, Credentials, DistributedTrainer, Launcher, Profile, StorageClassPack, WorkloadNamespace,
} from '../../lib';
import { ManifestIndex } from '../../lib/checks';
import { Manifest, newChart, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';

/** The trainer's objects on `profile`, with `identity`. */
function render(profile: Profile, identity?: CloudIdentity): Manifest[] {
  const { chart } = newChart(profile);
  new WorkloadNamespace(chart, 'ns', { name: 'ml-training' });
  const pack = new StorageClassPack(chart, 'storage');
  new DistributedTrainer(chart, 'pytorch', {
    namespace: 'ml-training', image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', nodes: 2,
    launcher: Launcher.torchrun({ script: 'train.py' }), checkpoints: { tier: pack.fast, size: '100Gi' }, identity,
  });
  return synth(chart);
}

/** The trainer's pod template, whatever workload kind carries it. */
function pod(objects: Manifest[]): { metadata: any; spec: any } {
  const t = ManifestIndex.of(objects as any).podTemplates.find((p) => p.owner.metadata?.name === 'pytorch')!;
  return { metadata: t.metadata, spec: t.spec };
}

describe('DistributedTrainer identity', () => {
  test('IRSA: its own annotated ServiceAccount, used by the workers; gates pass', () => {
    const objects = render(Profile.eks(), CloudIdentity.awsIrsa('arn:aws:iam::123456789012:role/trainer'));
    expect(objects.filter((o) => o.kind === 'ServiceAccount')).toEqual([{
      apiVersion: 'v1', kind: 'ServiceAccount',
      metadata: { name: 'pytorch', namespace: 'ml-training', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/trainer' } },
      automountServiceAccountToken: false,
    }]);
    expect(pod(objects).spec.serviceAccountName).toBe('pytorch');
    expectGatesPass(objects, '1.35');
  });

  test('AKS Workload ID labels the pods; GKE annotates; EKS Pod Identity only names the ServiceAccount', () => {
    const aks = render(Profile.aks(), CloudIdentity.azureWorkloadIdentity('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'));
    expect(pod(aks).metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(aks.find((o) => o.kind === 'ServiceAccount')!.metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' });
    const gke = render(Profile.gke(), CloudIdentity.gkeWorkloadIdentity('trainer@acme-ml.iam.gserviceaccount.com'));
    expect(gke.find((o) => o.kind === 'ServiceAccount')!.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'trainer@acme-ml.iam.gserviceaccount.com' });
    const eks = render(Profile.eks(), CloudIdentity.awsPodIdentity());
    expect(eks.find((o) => o.kind === 'ServiceAccount')!.metadata.annotations).toBeUndefined();
    expect(pod(eks).spec.serviceAccountName).toBe('pytorch');
  });

  test('keys: the environment by reference, no ServiceAccount; no identity: nothing', () => {
    const objects = render(Profile.kind(), CloudIdentity.keys(Credentials.existingSecret('s3-keys')));
    expect(objects.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
    const env = pod(objects).spec.containers[0].env;
    expect(env.filter((e: any) => e.name.startsWith('AWS_'))).toEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-keys', key: 'username' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-keys', key: 'password' } } },
    ]);
    const plain = render(Profile.kind());
    expect(plain.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
    expect(pod(plain).spec.serviceAccountName).toBeUndefined();
  });

  test("another cloud's identity fails synth with the fix", () => {
    expect(() => render(Profile.gke(), CloudIdentity.awsIrsa('arn:aws:iam::123456789012:role/trainer'))).toThrow(
      "identity of test/pytorch: CloudIdentity.awsIrsa works only on eks; profile 'gke' is gke: use that cloud's workload identity, or CloudIdentity.keys(Credentials.existingSecret(...))");
  });
});
