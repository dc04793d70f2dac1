import { App, Chart } from 'cdk8s';
import {
  ArtifactStore, Credentials, IDatabase, MlflowCache, MlflowCluster, ObjectStore, StorageClassPack,
} from '../lib';

/** Experiment tracking of the reference platform. */
export interface Tracking {
  /** MLflow tracking servers (an ITrackingServer: trainers call `allowFrom` on it). */
  readonly mlflow: MlflowCluster;
  /** MinIO holding the artifacts; trainers that write checkpoints call `allowFrom` on it. */
  readonly objectStore: ObjectStore;
}

/**
 * MLflow in `namespace`: three to ten tracking servers backed by their own database on the platform's
 * PostgreSQL, keeping artifacts in a four-pod distributed MinIO in the same namespace.
 */
export function buildTracking(app: App, pack: StorageClassPack, namespace: string, database: IDatabase): Tracking {
  const chart = new Chart(app, 'tracking');
  const objectStore = new ObjectStore(chart, 'minio', {
    namespace,
    replicas: 4,
    storage: { tier: pack.standard, size: '100Gi' },
    buckets: ['ml-artifacts'],
    credentials: Credentials.existingSecret('minio-root'),
    resources: { cpu: '250m', memory: '1Gi' },
  });
  const mlflow = new MlflowCluster(chart, 'mlflow', {
    namespace,
    backend: database,
    artifacts: ArtifactStore.objectStore(objectStore, 'ml-artifacts'),
    cache: MlflowCache.perPod(pack.standard, '10Gi'),
    replicas: 3,
    autoscaling: { minReplicas: 3, maxReplicas: 10, cpuPercent: 70 },
  });
  return { mlflow, objectStore };
}
