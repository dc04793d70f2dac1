import { Chart } from 'cdk8s';
import { Credentials, DatabaseEngine, Profile, StatefulDatabase, StatefulDatabaseProps, StorageClassPack } from '../../lib';
import { newChart } from './synth';

/** The four profile factories, for tests that run per profile. */
export const PROFILES: Array<[string, () => Profile]> = [
  ['kind', () => Profile.kind()],
  ['gke', () => Profile.gke()],
  ['eks', () => Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' })],
  ['aks', () => Profile.aks()],
];

/**
 * A 3-replica PostgreSQL 16 in `ml-db` on the pack's fast tier, superuser from the Secret `postgres-credentials`,
 * in a fresh chart; `extra` overrides or adds props.
 */
export function postgresDatabase(profile: Profile = Profile.kind(), extra: Partial<StatefulDatabaseProps> = {},
  options: { readonly name?: string; readonly size?: string } = {}): { chart: Chart; pack: StorageClassPack; db: StatefulDatabase } {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const db = new StatefulDatabase(chart, options.name ?? 'postgres', {
    engine: DatabaseEngine.postgres('16.4'),
    replicas: 3,
    namespace: 'ml-db',
    storage: { tier: pack.fast, size: options.size ?? '20Gi' },
    credentials: Credentials.existingSecret('postgres-credentials'),
    ...extra,
  });
  return { chart, pack, db };
}
