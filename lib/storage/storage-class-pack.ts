import { ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { AccessMode, CsiDriver, Profile, StorageTierName, TierNodeAffinity, assertKnownProps, propNames } from '../profiles';
import { Quantity } from './quantity';
import { KubeVolumeAttributesClass, volumeAttributesClassName } from './volume-attributes-class';
import { MANAGED_BY_LABELS } from '../names';
import { describeConstruct, propsError } from '../private/errors';

/** Props of `StorageClassPack`. */
export interface StorageClassPackProps {
  /** Target cluster. @default - Profile.of(scope) */
  readonly profile?: Profile;
  /**
   * Version suffix of every StorageClass name (`ml-fast-v1`). A StorageClass's provisioner,
   * parameters and reclaimPolicy are immutable on a live cluster: bump this to change them,
   * so the new classes are created next to the old ones.
   * @default 1
   */
  readonly version?: number;
  /** Prefix of every StorageClass name. @default 'ml' */
  readonly prefix?: string;
  /**
   * Tiers to create. Asking for one the profile cannot provide is an error.
   * @default - every tier the profile provides
   */
  readonly tiers?: readonly StorageTierName[];
  /**
   * Tier whose class carries `storageclass.kubernetes.io/is-default-class: "true"`.
   * @default - none: the cluster's own default class stays the default
   */
  readonly defaultTier?: StorageTierName;
  /**
   * What happens to a volume when its claim is deleted. `Retain` keeps the data of a deleted
   * claim (delete it by hand once you are sure); `Delete` is for scratch data.
   * @default 'Retain'
   */
  readonly reclaimPolicy?: 'Retain' | 'Delete';
}

/** One tier of a pack: the StorageClass to claim from and what volumes from it can do. */
export class StorageTier {
  /** Access mode volumes of this tier are claimed with. */
  public readonly accessMode: AccessMode;
  /** `true` when a claim from this tier can grow (StorageClass `allowVolumeExpansion`). */
  public readonly allowsExpansion: boolean;
  /** `true` when the driver can take VolumeSnapshots of this tier's volumes. */
  public readonly supportsSnapshots: boolean;
  /** Smallest claim the tier provisions, when the disk type has one. */
  public readonly minimumSize?: string;
  /**
   * The VolumeAttributesClass claims of this tier name (IOPS/throughput changeable in place), where the
   * driver can modify volumes, the tier sets such parameters and the version has the API (1.34+).
   */
  public readonly volumeAttributesClassName?: string;
  /** Nodes the tier's disks attach to, when not every general-purpose node does (pods mounting it require them). */
  public readonly nodeAffinity?: TierNodeAffinity;

  constructor(
    public readonly pack: StorageClassPack,
    public readonly name: StorageTierName,
    public readonly storageClassName: string,
    public readonly driver: CsiDriver,
    minimumSize?: string,
    volumeAttributesClassName?: string,
    nodeAffinity?: TierNodeAffinity,
  ) {
    this.minimumSize = minimumSize;
    this.volumeAttributesClassName = volumeAttributesClassName;
    this.nodeAffinity = nodeAffinity;
    this.accessMode = driver.accessMode;
    this.allowsExpansion = driver.supportsExpansion;
    this.supportsSnapshots = driver.supportsSnapshots;
  }

  public get profile(): Profile {
    return this.pack.profile;
  }

  /**
   * Why a claim of `size` cannot come from this tier (below the disk type's minimum), or
   * undefined. Throws, with a suggestion, when `size` is not a quantity at all.
   */
  public sizeProblem(size: string): string | undefined {
    const quantity = Quantity.parse(size, `storage size for tier '${this.name}'`);
    // The API server refuses a claim of zero bytes (ValidatePersistentVolumeClaimSpec: storage must be greater than zero).
    if (!(quantity.value > 0)) {
      return `size ${size} is not a storage size: a claim must request more than zero bytes; ask for e.g. '10Gi'`;
    }
    if (this.minimumSize && quantity.value < Quantity.parse(this.minimumSize).value) {
      return `size ${size} is below the minimum of tier '${this.name}' on profile '${this.profile.name}' ` +
        `(${this.driver.provisioner} provisions at least ${this.minimumSize}): ask for ${this.minimumSize} or more, or use another tier`;
    }
    return undefined;
  }

  /** A PersistentVolumeClaim spec for `size` (validated) from this tier. */
  public claimSpec(size: string, dataSource?: k8s.TypedLocalObjectReference): k8s.PersistentVolumeClaimSpec {
    const problem = this.sizeProblem(size);
    if (problem) throw new Error(`Storage ${problem}.`);
    const quantity = Quantity.parse(size);
    return {
      accessModes: [this.accessMode],
      storageClassName: this.storageClassName,
      resources: { requests: { storage: k8s.Quantity.fromString(quantity.text) } },
      ...(dataSource ? { dataSource } : {}),
      // Not in the 1.27 binding's type; the StatefulSet and claim objects keep it (withNewerFields).
      ...(this.volumeAttributesClassName ? { volumeAttributesClassName: this.volumeAttributesClassName } as object : {}),
    };
  }
}

/**
 * StorageClasses for the named tiers (`standard`, `fast`, `iops`, `throughput`, `shared`),
 * mapped to the profile's CSI drivers: WaitForFirstConsumer binding (volumes are created in
 * the zone the pod is scheduled to), expansion where the driver supports it, Retain by default.
 */
export class StorageClassPack extends Construct {
  public readonly profile: Profile;
  /** Version suffix of the class names. */
  public readonly version: number;
  /** What happens to a volume when its claim is deleted. */
  public readonly reclaimPolicy: 'Retain' | 'Delete';
  private readonly tiers = new Map<StorageTierName, StorageTier>();
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: StorageClassPackProps = {}) {
    super(scope, id);
    assertKnownProps(describeConstruct(this, 'StorageClassPack'), props, STORAGE_CLASS_PACK_PROPS);
    this.profile = props.profile ?? Profile.of(this);
    this.version = props.version ?? 1;
    this.prefix = props.prefix ?? 'ml';
    this.reclaimPolicy = props.reclaimPolicy ?? 'Retain';
    if (!Number.isInteger(this.version) || this.version < 1) {
      throw propsError(this, 'StorageClassPack', `version must be a positive integer, got ${props.version}.`);
    }
    const names = props.tiers ?? this.profile.tierNames;
    if (props.defaultTier && !names.includes(props.defaultTier)) {
      throw propsError(this, 'StorageClassPack', `defaultTier '${props.defaultTier}' is not one of the pack's tiers (${names.join(', ')}).`);
    }
    for (const name of names) {
      const spec = this.profile.tier(name);
      const storageClassName = `${this.prefix}-${name}-v${this.version}`;
      const metadata: ApiObjectMetadata = {
        name: storageClassName,
        labels: { ...MANAGED_BY_LABELS, 'ml.cdk8s.io/storage-tier': name },
        ...(props.defaultTier === name ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      };
      new k8s.KubeStorageClass(this, name, {
        metadata,
        provisioner: spec.driver.provisioner,
        parameters: Object.keys(spec.parameters).length ? { ...spec.parameters } : undefined,
        reclaimPolicy: this.reclaimPolicy,
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: spec.driver.supportsExpansion,
      });
      // IOPS/throughput also go into a VolumeAttributesClass where the driver can modify volumes: the StorageClass
      // keeps them as provisioning defaults (unchanged across versions), the class lets claims change them live.
      const attributes = this.profile.kubeVersion.hasVolumeAttributesClass ? spec.driver.volumeAttributes(spec.parameters) : undefined;
      let attributesClass: string | undefined;
      if (attributes) {
        attributesClass = volumeAttributesClassName(this.prefix, name, spec.driver.provisioner, attributes);
        new KubeVolumeAttributesClass(this, `${name}-attributes`, {
          metadata: { name: attributesClass, labels: { ...metadata.labels } },
          driverName: spec.driver.provisioner,
          parameters: attributes,
        });
      }
      this.tiers.set(name, new StorageTier(this, name, storageClassName, spec.driver, spec.minimumSize, attributesClass, spec.nodeAffinity));
    }
  }

  /** The tier named `name`; throws, saying what to declare, when the pack lacks it. */
  public tier(name: StorageTierName): StorageTier {
    const tier = this.tiers.get(name);
    if (tier) return tier;
    // Let the profile explain a tier it cannot provide; otherwise the pack left it out.
    this.profile.tier(name);
    throw new Error(`${describeConstruct(this, 'StorageClassPack')} has no '${name}' tier: it was created with tiers: [${[...this.tiers.keys()].join(', ')}]; add '${name}' to its tiers.`);
  }

  /** Every tier in the pack, in the order of `tiers` (canonical order by default). */
  public get all(): StorageTier[] {
    return [...this.tiers.values()];
  }

  public get standard(): StorageTier { return this.tier('standard'); }
  public get fast(): StorageTier { return this.tier('fast'); }
  public get iops(): StorageTier { return this.tier('iops'); }
  public get throughput(): StorageTier { return this.tier('throughput'); }
  /** The ReadWriteMany tier. */
  public get shared(): StorageTier { return this.tier('shared'); }
}

/** Keys of StorageClassPackProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const STORAGE_CLASS_PACK_PROPS = propNames<StorageClassPackProps>({ profile: true, version: true, prefix: true, tiers: true, defaultTier: true, reclaimPolicy: true });
