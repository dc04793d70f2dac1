import {
  ArtifactStore, Credentials, DatabaseEngine, DistributedTrainer, FeatureStore, Launcher, MlflowCache, MlflowCluster, ObjectStore, Profile, RedisServer,
  RedisUsers, Registry, StatefulDatabase, StorageClassPack,
} from '../../lib';
import { newChart } from '../support/synth';

/**
 * Every ml construct whose props take a storage tier refuses one from another profile's StorageClassPack (the one
 * tier/profile check, tierProfileProblem): its claims would name StorageClasses this cluster does not have.
 */
function gkeChartWithKindTiers() {
  const gke = Profile.gke();
  const { chart } = newChart(gke);
  const gkePack = new StorageClassPack(chart, 'storage', { profile: gke });
  const kindPack = new StorageClassPack(chart, 'kind-storage', { profile: Profile.kind() });
  return { chart, gke, gkePack, kindPack };
}

const mismatch = (what: string, tier: string) =>
  `${what} '${tier}' belongs to a StorageClassPack of profile 'kind', not 'gke': take the tier from the pack built for this profile.`;

test('ObjectStore checks its storage tier', () => {
  const { chart, gke, kindPack } = gkeChartWithKindTiers();
  expect(() => new ObjectStore(chart, 'minio', {
    namespace: 'ml-data', profile: gke, storage: { tier: kindPack.standard, size: '10Gi' }, credentials: Credentials.existingSecret('minio-root'),
  })).toThrow(`ObjectStore 'test/minio': ${mismatch('storage tier', 'standard')}`);
});

test('RedisServer checks its storage tier', () => {
  const { chart, gke, kindPack } = gkeChartWithKindTiers();
  expect(() => new RedisServer(chart, 'redis', {
    name: 'cache', namespace: 'ml-data', profile: gke, users: RedisUsers.fromSecret('cache-users'), storage: { tier: kindPack.fast, size: '10Gi' },
  })).toThrow(`RedisServer 'test/redis': ${mismatch('storage tier', 'fast')}`);
});

test('FeatureStore checks its online tier (through its RedisServer) and a file registry\'s tier', () => {
  const { chart, gke, gkePack, kindPack } = gkeChartWithKindTiers();
  expect(() => new FeatureStore(chart, 'feast', {
    namespace: 'ml-features', project: 'ml_features', profile: gke, registry: Registry.file({ tier: gkePack.standard }), featureServer: { replicas: 1 },
    online: { storage: { tier: kindPack.iops, size: '10Gi' } },
  })).toThrow(`RedisServer 'test/feast/Redis': ${mismatch('storage tier', 'iops')}`);
  expect(() => new FeatureStore(chart, 'feast2', {
    name: 'feast2', namespace: 'ml-features', project: 'ml_features', registry: Registry.file({ tier: kindPack.standard }), featureServer: { replicas: 1 },
    online: { storage: { tier: gkePack.iops, size: '10Gi' } },
  })).toThrow(`FeatureStore 'test/feast2': ${mismatch('registry tier', 'standard')}`);
});

test('MlflowCluster checks its cache tier', () => {
  const { chart, gke, gkePack, kindPack } = gkeChartWithKindTiers();
  const db = new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db', replicas: 1,
    storage: { tier: gkePack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('postgres-credentials'),
  });
  const minio = new ObjectStore(chart, 'minio', {
    namespace: 'ml-tracking', storage: { tier: gkePack.standard, size: '10Gi' }, buckets: ['ml-artifacts'], credentials: Credentials.existingSecret('minio-root'),
  });
  expect(() => new MlflowCluster(chart, 'mlflow', {
    namespace: 'ml-tracking', profile: gke, backend: db, artifacts: ArtifactStore.objectStore(minio, 'ml-artifacts'),
    cache: MlflowCache.ephemeral(kindPack.fast, '5Gi'),
  })).toThrow(`MlflowCluster 'test/mlflow': ${mismatch('cache tier', 'fast')}`);
});

test('DistributedTrainer checks its checkpoint tier', () => {
  const { chart, gke, kindPack } = gkeChartWithKindTiers();
  expect(() => new DistributedTrainer(chart, 'pytorch', {
    namespace: 'ml-training', profile: gke, image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', nodes: 1,
    launcher: Launcher.torchrun({ script: 'train.py' }), checkpoints: { tier: kindPack.standard, size: '10Gi' },
  })).toThrow(`DistributedTrainer 'test/pytorch': ${mismatch('checkpoint tier', 'standard')}`);
});
