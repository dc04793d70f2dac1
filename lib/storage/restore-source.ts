import { k8s } from '../k8s';
import { CsiDriver } from '../profiles';
import { SNAPSHOT_API_GROUP } from './snapshot-api';
import type { SnapshotClass } from './snapshot-class';
import type { StorageTier } from './storage-class-pack';

/** What is known about a snapshot restored from (beyond its name) to check the restore at synth. */
export interface SnapshotRefOptions {
  /** Namespace of the VolumeSnapshot; a claim can only be restored from its own namespace. @default - not checked */
  readonly namespace?: string;
  /** Driver that took the snapshot, or the class it was taken with. @default - not checked */
  readonly takenWith?: SnapshotClass | CsiDriver;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A VolumeSnapshot to restore from, as the `dataSource` of a PersistentVolumeClaim or a
 * volumeClaimTemplate. Snapshot names are chosen at run time (`<claim>-<yyyymmdd-hhmmss>` for
 * scheduled ones), so you name the one to restore; what else you know about it is checked.
 */
export class SnapshotRef {
  /** The VolumeSnapshot named `name` (e.g. `data-postgres-0-20250301-030000`). */
  public static named(name: string, options: SnapshotRefOptions = {}): SnapshotRef {
    return new SnapshotRef(name, options);
  }

  public readonly namespace?: string;
  /** CSI driver that took the snapshot, when known. */
  public readonly driver?: string;

  private constructor(public readonly name: string, options: SnapshotRefOptions) {
    if (!NAME.test(name) || name.length > 253) {
      throw new Error(`Invalid VolumeSnapshot name '${name}': a DNS-1123 subdomain (lower-case letters, digits, '-' and '.').`);
    }
    this.namespace = options.namespace;
    const taken = options.takenWith;
    this.driver = taken === undefined ? undefined : taken instanceof CsiDriver ? taken.provisioner : taken.driver.provisioner;
  }

  /** `{ apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name }` */
  public get dataSource(): k8s.TypedLocalObjectReference {
    return { apiGroup: SNAPSHOT_API_GROUP, kind: 'VolumeSnapshot', name: this.name };
  }

  /**
   * Why this snapshot cannot populate a claim of `tier` in `namespace` (the CSI driver restores
   * only its own snapshots, in the snapshot's namespace), or undefined.
   */
  public restoreProblem(tier: StorageTier, namespace: string): string | undefined {
    if (!tier.supportsSnapshots) {
      return `tier '${tier.name}' (${tier.driver.provisioner}) cannot be restored from a VolumeSnapshot: its driver does not implement snapshots`;
    }
    if (this.driver && this.driver !== tier.driver.provisioner) {
      return `VolumeSnapshot '${this.name}' was taken by ${this.driver}, but tier '${tier.name}' is provisioned by ${tier.driver.provisioner}: a driver restores only its own snapshots`;
    }
    if (this.namespace && this.namespace !== namespace) {
      return `VolumeSnapshot '${this.name}' is in namespace '${this.namespace}', but the claim is in '${namespace}': a claim restores only from its own namespace`;
    }
    return undefined;
  }
}
