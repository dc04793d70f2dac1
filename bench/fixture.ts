/**
 * The benchmark's workload: N StatefulDatabases in one chart, beside a base chart holding what
 * they share (their namespace and the StorageClassPack), so the gates see a complete render.
 * Each database is configured like the reference platform's PostgreSQL (apps/databases.ts).
 */
import { App, Chart } from 'cdk8s';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack, WorkloadNamespace } from '../lib';

export const BENCH_NAMESPACE = 'bench-db';

/** Name of database `i`: `db-0`, `db-1`, ... */
export function databaseName(i: number): string {
  return `db-${i}`;
}

/** What the bench builds N of. */
export const SUBJECT = 'StatefulDatabase (PostgreSQL 16.4, primary + 2 hot standbys, 1 synchronous, metrics exporter)';

/** Builds the base chart and a `databases` chart with one database per name into `app`. */
export function buildBenchApp(app: App, profile: Profile, names: readonly string[]): void {
  profile.attachTo(app);
  const base = new Chart(app, 'base');
  new WorkloadNamespace(base, 'namespace', { name: BENCH_NAMESPACE });
  const pack = new StorageClassPack(base, 'storage', { profile });
  const chart = new Chart(app, 'databases');
  for (const name of names) {
    new StatefulDatabase(chart, name, {
      name,
      engine: DatabaseEngine.postgres('16.4'),
      replicas: 3,
      synchronousReplicas: 1,
      namespace: BENCH_NAMESPACE,
      storage: { tier: pack.fast, size: '20Gi' },
      credentials: Credentials.existingSecret(`${name}-credentials`),
      resources: { cpu: '1', memory: '2Gi' },
      metrics: true,
    });
  }
}
