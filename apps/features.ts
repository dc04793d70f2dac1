import { App, Chart } from 'cdk8s';
import { FeatureStore, IDatabase, RedisMode, Registry, StorageClassPack } from '../lib';
import { CLUSTER_SIZING, PlatformSizing } from './sizing';
import { platformTls } from './tls';

export { PLATFORM_ISSUER, platformTls } from './tls';

/**
 * The platform's Feast feature store in `namespace`: the online store on a Redis primary and two
 * replicas watched by three Sentinels (IOPS tier, 8Gi each, 6gb of features, writes refused
 * rather than features evicted when full), two `feast serve` replicas, and the registry in its
 * own database on the platform's PostgreSQL. Redis ACL passwords are the Secret `feast-redis`
 * in `namespace` (keys in docs/credentials.md); TLS on the cloud profiles.
 */
export function buildFeatures(
  app: App, pack: StorageClassPack, namespace: string, database: IDatabase,
  sizing: PlatformSizing['onlineStore'] = CLUSTER_SIZING.onlineStore,
): FeatureStore {
  const chart = new Chart(app, 'features');
  return new FeatureStore(chart, 'feast', {
    namespace,
    project: 'ml_features',
    online: { mode: RedisMode.sentinel({ servers: 3, sentinels: 3 }), storage: { tier: pack.iops, size: sizing.size }, resources: sizing.resources },
    registry: Registry.sql(database),
    featureServer: { replicas: 2 },
    tls: platformTls(pack),
  });
}
