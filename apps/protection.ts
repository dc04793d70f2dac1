import { App, Chart } from 'cdk8s';
import {
  BackupDestination, LogicalBackup, SnapshotClass, SnapshotHook, SnapshotSchedule, StatefulDatabase, StorageClassPack,
} from '../lib';
import { CLUSTER_SIZING, PlatformSizing } from './sizing';

/** Data protection of the reference platform. */
export interface Protection {
  /** Nightly pg_dump of every database to its own claim, on every profile. */
  readonly logicalBackup: LogicalBackup;
  /** The profile's VolumeSnapshotClass, where the profile has a snapshot driver. */
  readonly snapshotClass?: SnapshotClass;
  /** CSI snapshots of the database's claims every 6 hours, where the profile has a snapshot driver. */
  readonly snapshots?: SnapshotSchedule;
}

/**
 * Protects the platform's PostgreSQL: logical backups everywhere (portable, consistent, restorable
 * on any cluster), and CSI snapshots with a CHECKPOINT first where the profile can take them
 * (fast, whole-volume restore). Everything lands in the `protection` chart.
 */
export function buildProtection(
  app: App, pack: StorageClassPack, database: StatefulDatabase, sizing: PlatformSizing['backups'] = CLUSTER_SIZING.backups,
): Protection {
  const chart = new Chart(app, 'protection');
  const logicalBackup = new LogicalBackup(chart, 'postgres-backup', {
    database,
    destination: BackupDestination.claim({ tier: pack.standard, size: sizing.size }),
    schedule: '15 1 * * *',
    keep: 7,
  });
  if (!pack.profile.snapshotDriver) return { logicalBackup };
  const snapshotClass = new SnapshotClass(chart, 'snapshot-class', { pack });
  const snapshots = new SnapshotSchedule(chart, 'postgres-snapshots', {
    target: database,
    snapshotClass,
    schedule: '0 */6 * * *',
    keep: 8,
    hook: SnapshotHook.postgresCheckpoint({ container: database.family }),
  });
  return { logicalBackup, snapshotClass, snapshots };
}
