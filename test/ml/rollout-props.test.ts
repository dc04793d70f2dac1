import {
  ArtifactStore, Credentials, DatabaseEngine, FeatureStore, MlflowCache, MlflowCluster, ObjectStore, Profile, RedisMode,
  Registry, StatefulDatabase, StorageClassPack, UpdateStrategy,
} from '../../lib';
import { find, newChart, synth } from '../support/synth';

// Every stateful construct takes a canary partition and a claim retention policy (issue: data protection).
describe('canary partition and claim retention on every stateful construct', () => {
  const canary = UpdateStrategy.rollingUpdate({ partition: 2 });
  const keepOnScaleDown = { whenDeleted: 'Delete', whenScaled: 'Retain' } as const;

  function platform() {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    const db = new StatefulDatabase(chart, 'postgres', {
      engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 3,
      storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
      updateStrategy: canary, claimRetention: keepOnScaleDown,
    });
    const minio = new ObjectStore(chart, 'minio', {
      namespace: 'ml-tracking', replicas: 4, storage: { tier: pack.standard, size: '100Gi' }, buckets: ['ml-artifacts'],
      credentials: Credentials.existingSecret('minio-root'), updateStrategy: canary, claimRetention: keepOnScaleDown,
    });
    new MlflowCluster(chart, 'mlflow', {
      namespace: 'ml-tracking', backend: db, artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts'),
      cache: MlflowCache.emptyDir('10Gi'), replicas: 3,
    });
    new FeatureStore(chart, 'feast', {
      namespace: 'ml-features', project: 'ml_features', registry: Registry.file({ tier: pack.standard }),
      online: { mode: RedisMode.replicated(3), storage: { tier: pack.iops, size: '10Gi' }, updateStrategy: canary, claimRetention: keepOnScaleDown },
    });
    return synth(chart);
  }

  test.each(['postgres', 'minio', 'feast-redis'])('%s', (name) => {
    const sts = find(platform(), 'StatefulSet', name);
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2 } });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
  });

  test('MLflow servers are a Deployment with no claims; the data stores keep Retain/Retain', () => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    const minio = new ObjectStore(chart, 'minio', {
      namespace: 'ml-tracking', storage: { tier: pack.standard, size: '100Gi' }, buckets: ['ml-artifacts'],
      credentials: Credentials.existingSecret('minio-root'),
    });
    new MlflowCluster(chart, 'mlflow', {
      namespace: 'ml-tracking', artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts'), cache: MlflowCache.emptyDir('10Gi'),
      backend: new StatefulDatabase(chart, 'postgres', {
        engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', storage: { tier: pack.fast, size: '20Gi' },
        credentials: Credentials.existingSecret('postgres-credentials'),
      }),
    });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name).sort()).toEqual(['minio', 'postgres']);
    expect(find(objects, 'Deployment', 'mlflow').spec.template.spec.volumes).toContainEqual({ name: 'cache', emptyDir: { sizeLimit: '10Gi' } });
    expect(find(objects, 'StatefulSet', 'minio').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });
});
