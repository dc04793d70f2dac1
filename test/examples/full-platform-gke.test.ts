import { App } from 'cdk8s';
import { Profile } from '../../lib';
import { NAMESPACES, build } from '../../examples/full-platform-gke/main';
import { Manifest, all, find, selects, findJob } from '../support/synth';
import { envOf, renderExample } from './render';

/** The NetworkPolicy rule of `policy` admitting pods labelled `labels` in `namespace`, with its ports. */
function admits(policy: Manifest, namespace: string, labels: Record<string, string>): number[] | undefined {
  const rule = policy.spec.ingress.find((r: any) => r.from.some((p: any) =>
    p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === namespace && selects(p.podSelector.matchLabels, labels)));
  return rule?.ports.map((p: any) => p.port);
}

describe('examples/full-platform-gke', () => {
  const { database, mlflow, objectStore, features, dataset, trainer, rendered, objects } = renderExample(build);
  const podLabels = (name: string) => find(objects, name === 'resnet' ? 'Job' : name === 'mlflow' ? 'Deployment' : 'StatefulSet', name).spec.template.metadata.labels;

  test('renders on GKE into one file per concern, passing the gates', () => {
    expect(rendered.profile.name).toBe('gke');
    expect(rendered.gates.errors).toEqual([]);
    expect(rendered.files.map((f) => f.name)).toEqual([
      'platform.k8s.yaml', 'databases.k8s.yaml', 'tracking.k8s.yaml', 'features.k8s.yaml', 'training.k8s.yaml', 'kustomization.yaml',
    ]);
    expect(all(objects, 'Namespace').map((n) => n.metadata.name)).toEqual(Object.values(NAMESPACES));
    expect(all(objects, 'StatefulSet').map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      'ml-db/postgres', 'ml-tracking/minio', 'ml-features/feast-redis',
    ]);
    expect(all(objects, 'Deployment').map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toContain('ml-tracking/mlflow');
    // The training run is an Indexed Job that completes.
    expect(find(objects, 'Job', 'resnet').spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2 });
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('MLflow\'s backend host is the database\'s read-write Service, which selects the primary', () => {
    expect(mlflow.grant.host).toBe(database.readWriteService.host);
    expect(database.readWriteService.host).toBe('postgres-rw.ml-db.svc.cluster.local');
    const rw = find(objects, 'Service', 'postgres-rw');
    expect(rw.metadata.namespace).toBe('ml-db');
    expect(selects(rw.spec.selector, { ...podLabels('postgres'), 'statefulset.kubernetes.io/pod-name': 'postgres-0' })).toBe(true);
    expect(selects(rw.spec.selector, { ...podLabels('postgres'), 'statefulset.kubernetes.io/pod-name': 'postgres-1' })).toBe(false);
    const server = find(objects, 'Deployment', 'mlflow').spec.template.spec.containers.find((c: any) => c.name === 'mlflow');
    expect(envOf(server).MLFLOW_BACKEND_STORE_URI).toBe('postgresql://mlflow:$(DB_PASSWORD)@postgres-rw.ml-db.svc.cluster.local:5432/mlflow');
    expect(envOf(server).DB_PASSWORD).toEqual({ secretKeyRef: { name: 'postgres-mlflow', key: 'password' } });
    const migration = findJob(objects, 'mlflow-db-migrate').spec.template.spec.containers[0];
    expect(envOf(migration).MLFLOW_BACKEND_STORE_URI).toBe(envOf(server).MLFLOW_BACKEND_STORE_URI);
  });

  test('MLflow keeps artifacts in the MinIO pool (bucket created by its Job), which admits MLflow on 9000', () => {
    expect(objectStore.hasBucket('mlflow-artifacts')).toBe(true);
    expect(find(objects, 'StatefulSet', 'minio').spec.replicas).toBe(4);
    const server = find(objects, 'Deployment', 'mlflow').spec.template.spec.containers.find((c: any) => c.name === 'mlflow');
    expect(envOf(server).MLFLOW_S3_ENDPOINT_URL).toBe(objectStore.endpoint);
    expect(objectStore.endpoint).toBe('http://minio.ml-tracking.svc.cluster.local:9000');
    expect(admits(find(objects, 'NetworkPolicy', 'minio'), 'ml-tracking', podLabels('mlflow'))).toEqual([9000]);
    expect(find(objects, 'HorizontalPodAutoscaler', 'mlflow').spec).toMatchObject({ minReplicas: 2, maxReplicas: 8 });
  });

  test('Feast: registry in its own database on the rw Service, online store on the Redis primary', () => {
    expect(database.databases.map((g) => `${g.database}@${g.host}`)).toEqual([
      'mlflow@postgres-rw.ml-db.svc.cluster.local', 'feast@postgres-rw.ml-db.svc.cluster.local',
    ]);
    expect(features.onlineStoreHost).toBe('feast-redis-0.feast-redis-headless.ml-features.svc.cluster.local');
    expect(features.featureStoreYaml).toContain(`connection_string: '${features.onlineStoreHost}:6379,username=feast,password=\${REDIS_PASSWORD}'`);
    expect(find(objects, 'StatefulSet', 'feast-redis').spec.replicas).toBe(3);
    expect(find(objects, 'Deployment', 'feast-server').spec.replicas).toBe(3);
  });

  test('the database admits exactly MLflow, its migration Job and the feature server (besides its own pods)', () => {
    const policy = find(objects, 'NetworkPolicy', 'postgres');
    expect(admits(policy, 'ml-tracking', podLabels('mlflow'))).toEqual([5432]);
    expect(admits(policy, 'ml-features', features.serverSelector as Record<string, string>)).toEqual([5432]);
    expect(policy.spec.ingress).toHaveLength(4);
  });

  test('the trainer: 2 pods × 8 GPUs on H100 nodes, GKE\'s GPU toleration, NCCL-sized /dev/shm', () => {
    const job = find(objects, 'Job', 'resnet');
    const pod = job.spec.template.spec;
    const container = pod.containers[0];
    expect(job.spec.parallelism).toBe(2);
    expect(container.resources.requests).toMatchObject({ 'cpu': '48', 'memory': '512Gi', 'nvidia.com/gpu': 8 });
    expect(container.resources.limits).toMatchObject({ 'nvidia.com/gpu': 8 });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    expect(JSON.stringify(pod.affinity.nodeAffinity)).toContain('{"key":"cloud.google.com/gke-accelerator","operator":"In","values":["nvidia-h100-80gb"]}');
    expect(envOf(container)).toMatchObject({ WORLD_SIZE: '16', PET_NPROC_PER_NODE: '8' });
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '64Gi' } });
    expect(trainer.worldSize).toBe(16);
  });

  test('the trainer reports to MLflow\'s Service, and MLflow\'s NetworkPolicy admits the trainer', () => {
    const container = find(objects, 'Job', 'resnet').spec.template.spec.containers[0];
    expect(envOf(container).MLFLOW_TRACKING_URI).toBe('http://mlflow.ml-tracking.svc.cluster.local:5000');
    const service = find(objects, 'Service', 'mlflow');
    expect(service.metadata.namespace).toBe('ml-tracking');
    expect(service.spec.ports.map((p: any) => p.port)).toContain(5000);
    expect(selects(service.spec.selector, podLabels('mlflow'))).toBe(true);
    expect(admits(find(objects, 'NetworkPolicy', 'mlflow'), 'ml-training', podLabels('resnet'))).toEqual([5000]);
  });

  test('the shared dataset: one ReadWriteMany Filestore claim, mounted read-only at /data by every worker', () => {
    const claim = find(objects, 'PersistentVolumeClaim', 'imagenet');
    expect(claim.metadata.namespace).toBe('ml-training');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Ti' } }, storageClassName: 'ml-shared-v1' });
    expect(find(objects, 'StorageClass', 'ml-shared-v1').provisioner).toBe('filestore.csi.storage.gke.io');
    const pod = find(objects, 'Job', 'resnet').spec.template.spec;
    const volume = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === dataset.claimName);
    expect(volume.persistentVolumeClaim.readOnly).toBe(true);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: '/data', readOnly: true });
  });

  test('on a profile without ReadWriteMany storage the example fails, saying what to declare', () => {
    expect(() => build(new App(), Profile.kind())).toThrow("Profile 'kind' has no 'shared' (ReadWriteMany) storage tier: kind has no ReadWriteMany driver");
    expect(() => build(new App(), Profile.eks())).toThrow("pass Profile.eks({ efsFileSystemId: 'fs-…' })");
  });

  test('renders on EKS with EFS too, passing the gates', () => {
    const eks = renderExample(build, Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' }));
    expect(eks.rendered.gates.errors).toEqual([]);
    expect(find(eks.objects, 'StorageClass', 'ml-shared-v1').provisioner).toBe('efs.csi.aws.com');
  });
});
