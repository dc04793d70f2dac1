import { App, Chart } from 'cdk8s';
import { Credentials, DatabaseEngine, HighAvailability, StatefulDatabase, StorageClassPack } from '../lib';
import { CLUSTER_SIZING, PlatformSizing } from './sizing';
import { platformTls } from './tls';

/**
 * The platform's PostgreSQL: a primary and two hot standbys in `namespace`, one of them
 * synchronous (a commit survives the loss of the primary), with automatic failover by Patroni
 * and a metrics exporter. MLflow and Feast get their own databases through `addDatabase()`. TLS on
 * the cloud profiles (`hostssl` only; every client verifies the certificate), plain on kind.
 */
export function buildDatabases(app: App, pack: StorageClassPack, namespace: string, sizing: PlatformSizing['database'] = CLUSTER_SIZING.database): StatefulDatabase {
  const chart = new Chart(app, 'databases');
  return new StatefulDatabase(chart, 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    replicas: 3,
    synchronousReplicas: 1,
    highAvailability: HighAvailability.patroni(),
    namespace,
    storage: { tier: pack.fast, size: sizing.size },
    credentials: Credentials.existingSecret('postgres-credentials'),
    // Replication has its own password, not the superuser's.
    replicationCredentials: Credentials.existingSecret('postgres-replication'),
    resources: sizing.resources,
    metrics: true,
    tls: platformTls(pack),
  });
}
