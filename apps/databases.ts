import { App, Chart } from 'cdk8s';
import { Credentials, DatabaseEngine, StatefulDatabase, StorageClassPack } from '../lib';

/**
 * The platform's PostgreSQL: a primary and two hot standbys in `namespace`, one of them
 * synchronous (a commit survives the loss of the primary), with a metrics exporter. MLflow and
 * Feast get their own databases through `addDatabase()`.
 */
export function buildDatabases(app: App, pack: StorageClassPack, namespace: string): StatefulDatabase {
  const chart = new Chart(app, 'databases');
  return new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    replicas: 3,
    synchronousReplicas: 1,
    namespace,
    storage: { tier: pack.fast, size: '20Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
    resources: { cpu: '1', memory: '2Gi' },
    metrics: true,
  });
}
