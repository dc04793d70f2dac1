import { Construct } from 'constructs';
import { CsiDriver, Profile } from '../profiles';
import { KubeVolumeSnapshotClass, SnapshotDeletionPolicy } from './snapshot-api';
import { StorageClassPack, StorageTier } from './storage-class-pack';
import { MANAGED_BY_LABELS } from '../names';
import { propsError } from '../private/errors';

/** Props of `SnapshotClass`. */
export interface SnapshotClassProps {
  /** Target cluster; its `snapshotDriver` takes the snapshots. @default - the pack's profile, else Profile.of(scope) */
  readonly profile?: Profile;
  /**
   * The pack whose volumes are snapshotted: one of its tiers must be provisioned by the
   * profile's snapshot driver, or the class could snapshot none of them.
   * @default - not checked against a pack
   */
  readonly pack?: StorageClassPack;
  /** VolumeSnapshotClass name (cluster-scoped). @default 'ml-snapshots' */
  readonly name?: string;
  /**
   * `Retain` keeps the storage snapshot (and its VolumeSnapshotContent) when the VolumeSnapshot
   * is deleted, including when its whole namespace is deleted, which is when backups matter most.
   * `Delete` removes it with the VolumeSnapshot (pruning then frees the storage).
   * @default 'Retain'
   */
  readonly deletionPolicy?: SnapshotDeletionPolicy;
  /** Driver-specific parameters (e.g. `storage-locations` on GKE, `incremental` on AKS). @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Mark this class as the cluster default for its driver
   * (`snapshot.storage.kubernetes.io/is-default-class`).
   * @default false
   */
  readonly isDefault?: boolean;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The VolumeSnapshotClass of a profile: its driver is the profile's snapshot driver, which must
 * be the CSI provisioner of the volumes it snapshots. A profile without one (kind's local-path)
 * cannot take CSI snapshots: on kind declare `Profile.kind({ csiHostpath: true })`.
 */
export class SnapshotClass extends Construct {
  public readonly name: string;
  public readonly driver: CsiDriver;
  public readonly deletionPolicy: SnapshotDeletionPolicy;
  public readonly profile: Profile;
  public readonly resource: KubeVolumeSnapshotClass;

  constructor(scope: Construct, id: string, props: SnapshotClassProps = {}) {
    super(scope, id);
    this.profile = props.profile ?? props.pack?.profile ?? Profile.of(this);
    this.name = props.name ?? 'ml-snapshots';
    this.deletionPolicy = props.deletionPolicy ?? 'Retain';
    const driver = this.profile.snapshotDriver;
    if (!driver) {
      throw propsError(this, 'SnapshotClass', `profile '${this.profile.name}' has no snapshot driver, so nothing can be snapshotted: ` +
        (this.profile.cloud === 'kind'
          ? 'install the CSI hostpath driver and declare it with Profile.kind({ csiHostpath: true }), '
          : `declare one with Profile.${this.profile.cloud}({ snapshotDriver: CsiDriver.… }), `) +
        'or protect the data with logical backups instead.');
    }
    if (!driver.supportsSnapshots) {
      throw propsError(this, 'SnapshotClass', `profile '${this.profile.name}' names ${driver.provisioner} as its snapshot driver, but that driver does not implement CSI snapshots.`);
    }
    if (!NAME.test(this.name) || this.name.length > 253) {
      throw propsError(this, 'SnapshotClass', `invalid name '${this.name}': use a DNS-1123 subdomain (lower-case letters, digits, '-' and '.').`);
    }
    if (props.pack && !props.pack.all.some((tier) => tier.driver.provisioner === driver.provisioner)) {
      throw propsError(this, 'SnapshotClass', `the snapshot driver ${driver.provisioner} provisions none of the tiers of StorageClassPack '${props.pack.node.path}' ` +
        `(${props.pack.all.map((t) => `${t.name}: ${t.driver.provisioner}`).join(', ')}): a snapshot class can only snapshot volumes of its own driver.`);
    }
    this.driver = driver;
    this.resource = new KubeVolumeSnapshotClass(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...MANAGED_BY_LABELS },
        ...(props.isDefault ? { annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      driver: driver.provisioner,
      deletionPolicy: this.deletionPolicy,
      parameters: props.parameters,
    });
  }

  /** `true` when volumes of `tier` can be snapshotted with this class (same CSI driver). */
  public canSnapshot(tier: StorageTier): boolean {
    return tier.supportsSnapshots && tier.driver.provisioner === this.driver.provisioner;
  }
}
