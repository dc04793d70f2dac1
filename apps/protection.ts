import { App, Chart } from 'cdk8s';
import {
  BackupDestination, LogicalBackup, ObjectStore, SnapshotClass, SnapshotSchedule, StatefulDatabase, StorageClassPack,
} from '../lib';
import { CLUSTER_SIZING, PlatformSizing } from './sizing';

/** Data protection of the reference platform. */
export interface Protection {
  /** Nightly pg_dump of every database to the MinIO bucket `ml-db-backups` (prefix `postgres/`), on every profile. */
  readonly logicalBackup: LogicalBackup;
  /**
   * The profile's default VolumeSnapshotClass, `Retain`: manual and pre-upgrade snapshots keep their storage snapshot
   * even when the VolumeSnapshot (or its namespace) is deleted. Where the profile has a snapshot driver.
   */
  readonly snapshotClass?: SnapshotClass;
  /** The `Delete` class of scheduled snapshots: pruning one deletes its storage snapshot too. */
  readonly scheduledSnapshotClass?: SnapshotClass;
  /** CSI snapshots of the database's claims every 6 hours, where the profile has a snapshot driver. */
  readonly snapshots?: SnapshotSchedule;
}

/**
 * Protects the platform's PostgreSQL: logical backups everywhere (portable, consistent, restorable
 * on any cluster) into the object store, and CSI snapshots with a CHECKPOINT first where the
 * profile can take them (fast, whole-volume restore). Everything lands in the `protection` chart.
 */
export function buildProtection(
  app: App, pack: StorageClassPack, database: StatefulDatabase, objectStore: ObjectStore,
  sizing: PlatformSizing['backups'] = CLUSTER_SIZING.backups,
): Protection {
  const chart = new Chart(app, 'protection');
  // The nightly dump goes to MinIO instead of a claim of its own (keeping both would dump the
  // primary twice a night for little gain). A backup claim is one more volume of the same
  // StorageClass, in the database's namespace, next to the data it protects; the bucket is off the
  // database's volumes, erasure-coded over four MinIO pods on the clouds, and readable from any
  // cluster over S3. CSI snapshots stay the fast local restore. `sizing.size` now limits the
  // scratch emptyDir that holds one run's dump until it is uploaded.
  const logicalBackup = new LogicalBackup(chart, 'postgres-backup', {
    database,
    destination: BackupDestination.objectStore(objectStore, 'ml-db-backups', { sizeLimit: sizing.size }),
    schedule: '15 1 * * *',
    keep: 7,
  });
  if (!pack.profile.snapshotDriver) return { logicalBackup };
  // Two classes: scheduled snapshots are pruned by their schedule, which must free the cloud snapshot too (Delete);
  // manual and pre-upgrade snapshots (the default class) outlive a deleted VolumeSnapshot or namespace (Retain).
  const snapshotClass = new SnapshotClass(chart, 'snapshot-class', { pack, isDefault: true });
  const scheduledSnapshotClass = new SnapshotClass(chart, 'scheduled-snapshot-class', { pack, name: 'ml-snapshots-scheduled', deletionPolicy: 'Delete' });
  const snapshots = new SnapshotSchedule(chart, 'postgres-snapshots', {
    target: database,
    snapshotClass: scheduledSnapshotClass,
    schedule: '0 */6 * * *',
    keep: 8,
  });
  return { logicalBackup, snapshotClass, scheduledSnapshotClass, snapshots };
}
