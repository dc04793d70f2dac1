import { Probe, Profile, SnapshotClass, StatefulWorkload, StorageClassPack } from '../../../lib';
import { newChart } from '../../support/synth';

/** A PostgreSQL-like StatefulWorkload `pg` in ml-db with `data` (fast) and `wal` (standard) claims. */
export function postgresLike(profile: Profile, options: { replicas?: number; shared?: boolean } = {}) {
  const { app, chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const workload = new StatefulWorkload(chart, 'pg', {
    name: 'pg',
    namespace: 'ml-db',
    appName: 'postgres',
    replicas: options.replicas ?? 2,
    runAs: { uid: 999, gid: 999 },
    containers: [{
      name: 'postgres',
      image: 'postgres:16.4',
      ports: [{ name: 'postgres', port: 5432 }],
      readinessProbe: Probe.exec(['pg_isready']),
      volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }, { name: 'wal', mountPath: '/wal' }],
    }],
    volumeClaims: [
      { name: 'data', tier: pack.fast, size: '20Gi' },
      { name: 'wal', tier: pack.standard, size: '5Gi' },
      ...(options.shared ? [{ name: 'shared', tier: pack.shared, size: '1Ti' }] : []),
    ],
  });
  return { app, chart, pack, workload };
}

/** postgresLike plus the profile's snapshot class. */
export function withSnapshotClass(profile: Profile, options: { replicas?: number; shared?: boolean } = {}) {
  const built = postgresLike(profile, options);
  const snapshotClass = new SnapshotClass(built.chart, 'snapshots', { pack: built.pack });
  return { ...built, snapshotClass };
}
