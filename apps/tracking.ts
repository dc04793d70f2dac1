import { App, Chart } from 'cdk8s';
import {
  ArtifactStore, Credentials, IDatabase, MlflowCache, MlflowCluster, ObjectStore, StorageClassPack,
} from '../lib';
import { CLUSTER_SIZING, PlatformSizing } from './sizing';
import { platformTls } from './tls';

/** Experiment tracking of the reference platform. */
export interface Tracking {
  /** MLflow tracking servers (an ITrackingServer: trainers call `allowFrom` on it). */
  readonly mlflow: MlflowCluster;
  /** MinIO holding the artifacts; trainers that write checkpoints call `allowFrom` on it. */
  readonly objectStore: ObjectStore;
}

/**
 * MLflow in `namespace`: three to ten tracking servers backed by their own database on the platform's
 * PostgreSQL, keeping artifacts in a four-pod distributed MinIO in the same namespace. MinIO serves
 * https on the cloud profiles (its clients verify the certificate), plain http on kind.
 */
export function buildTracking(
  app: App, pack: StorageClassPack, namespace: string, database: IDatabase,
  sizing: Pick<PlatformSizing, 'objectStore' | 'tracking'> = CLUSTER_SIZING,
): Tracking {
  const chart = new Chart(app, 'tracking');
  const objectStore = new ObjectStore(chart, 'minio', {
    namespace,
    replicas: sizing.objectStore.replicas,
    storage: { tier: pack.standard, size: sizing.objectStore.size },
    // ml-db-backups: the platform's nightly database dumps (apps/protection.ts).
    buckets: ['ml-artifacts', 'ml-db-backups'],
    credentials: Credentials.existingSecret('minio-root'),
    resources: sizing.objectStore.resources,
    tls: platformTls(pack),
  });
  const mlflow = new MlflowCluster(chart, 'mlflow', {
    namespace,
    backend: database,
    artifacts: ArtifactStore.objectStore(objectStore, 'ml-artifacts'),
    cache: MlflowCache.emptyDir(sizing.tracking.cacheSize),
    replicas: sizing.tracking.minReplicas,
    autoscaling: { minReplicas: sizing.tracking.minReplicas, maxReplicas: sizing.tracking.maxReplicas, cpuPercent: 70 },
  });
  return { mlflow, objectStore };
}
