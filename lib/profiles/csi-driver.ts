/** PersistentVolume access modes our storage tiers offer. */
export type AccessMode = 'ReadWriteOnce' | 'ReadWriteMany';

/** Checks one StorageClass parameter value (given all of them); returns the problem, or undefined when it is valid. */
export type ParameterRule = (value: string, all: Readonly<Record<string, string>>) => string | undefined;

const oneOf = (...allowed: string[]): ParameterRule => (value) =>
  allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}`;
const digits: ParameterRule = (value) => (/^[1-9]\d*$/.test(value) ? undefined : 'must be a positive integer in a string, e.g. "3000"');
const bool: ParameterRule = oneOf('true', 'false');
const anyString: ParameterRule = (value) => (value.length > 0 ? undefined : 'must not be empty');
const matches = (pattern: RegExp, example: string): ParameterRule => (value) =>
  pattern.test(value) ? undefined : `must match ${pattern} (e.g. "${example}")`;
const fsType = oneOf('ext4', 'ext3', 'xfs');

/** Properties of a CSI driver's `driver` entry plus the StorageClass parameters it accepts. */
export interface CsiDriverProps {
  /** The StorageClass `provisioner`, e.g. `ebs.csi.aws.com`. */
  readonly provisioner: string;
  /** Access mode volumes from this driver are claimed with. */
  readonly accessMode: AccessMode;
  /** Whether the driver implements ControllerExpandVolume (StorageClass `allowVolumeExpansion`). */
  readonly supportsExpansion: boolean;
  /** Whether the driver implements CSI snapshots (a VolumeSnapshotClass can name it). */
  readonly supportsSnapshots: boolean;
  /**
   * Validators for the StorageClass parameters the driver accepts; a parameter not listed
   * is rejected. Leave undefined to accept any parameters (custom drivers).
   * @default - parameters are not checked
   */
  readonly parameterRules?: Readonly<Record<string, ParameterRule>>;
  /** Cross-parameter checks (e.g. `throughput` only with gp3). @default - none */
  readonly combinationRules?: ReadonlyArray<(params: Readonly<Record<string, string>>) => string | undefined>;
  /**
   * StorageClass parameters the driver can change on a live volume (CSI ControllerModifyVolume), mapped to
   * their VolumeAttributesClass parameter name: a tier that sets any of them gets a VolumeAttributesClass.
   * @default - none (the driver cannot modify volumes)
   */
  readonly modifiableParameters?: Readonly<Record<string, string>>;
  /** How a cluster gets the driver, and which version it needs (CAPACITY.md "What this cluster needs"). @default - 'install the driver' */
  readonly setup?: string;
  /** How a cluster gets the snapshot CRDs and controller this driver's snapshots need. @default - 'install the external-snapshotter CRDs and snapshot-controller' */
  readonly snapshotSetup?: string;
}

const EXTERNAL_SNAPSHOTTER = 'install the external-snapshotter v8 CRDs (snapshot.storage.k8s.io/v1 VolumeSnapshot, VolumeSnapshotContent, VolumeSnapshotClass) and its snapshot-controller';

/**
 * A CSI driver and what it can do. Static factories cover the drivers of the clouds we target;
 * `CsiDriver.custom()` describes any other.
 */
export class CsiDriver {
  /** GCE Persistent Disk (GKE): pd-balanced, pd-ssd, pd-extreme, hyperdisk. */
  public static gcePersistentDisk(): CsiDriver {
    return new CsiDriver({
      provisioner: 'pd.csi.storage.gke.io',
      setup: 'Compute Engine persistent disk CSI driver, a GKE add-on enabled by default and versioned with GKE',
      snapshotSetup: 'built into GKE: the snapshot.storage.k8s.io/v1 CRDs and controller are managed by GKE',
      accessMode: 'ReadWriteOnce',
      supportsExpansion: true,
      supportsSnapshots: true,
      parameterRules: {
        'type': oneOf('pd-standard', 'pd-balanced', 'pd-ssd', 'pd-extreme', 'hyperdisk-balanced', 'hyperdisk-throughput', 'hyperdisk-extreme', 'hyperdisk-ml'),
        'replication-type': oneOf('none', 'regional-pd'),
        'provisioned-iops-on-create': digits,
        'provisioned-throughput-on-create': matches(/^[1-9]\d*Mi$/, '250Mi'),
        'disk-encryption-kms-key': anyString,
        'labels': anyString,
        'csi.storage.k8s.io/fstype': fsType,
      },
      combinationRules: [
        (p) => p['provisioned-iops-on-create'] && !/^(pd-extreme|hyperdisk-(balanced|extreme))$/.test(p.type ?? '')
          ? 'provisioned-iops-on-create applies only to type pd-extreme, hyperdisk-balanced or hyperdisk-extreme' : undefined,
        (p) => p['provisioned-throughput-on-create'] && !/^hyperdisk-(balanced|throughput|ml)$/.test(p.type ?? '')
          ? 'provisioned-throughput-on-create applies only to hyperdisk-balanced, hyperdisk-throughput or hyperdisk-ml' : undefined,
      ],
      // GKE "Modify Hyperdisk volumes with VolumeAttributesClass": parameters iops and throughput ("150Mi").
      modifiableParameters: { 'provisioned-iops-on-create': 'iops', 'provisioned-throughput-on-create': 'throughput' },
    });
  }

  /** Amazon EBS (EKS): gp3, io2, st1, ... */
  public static awsEbs(): CsiDriver {
    return new CsiDriver({
      provisioner: 'ebs.csi.aws.com',
      setup: 'Amazon EBS CSI driver (aws-ebs-csi-driver) v1.0 or later: the EKS add-on, with an IAM role for its controller; not installed by default',
      snapshotSetup: 'install the EKS add-on snapshot-controller (it brings the snapshot.storage.k8s.io/v1 CRDs); EKS has none by default',
      accessMode: 'ReadWriteOnce',
      supportsExpansion: true,
      supportsSnapshots: true,
      parameterRules: {
        'type': oneOf('gp2', 'gp3', 'io1', 'io2', 'sc1', 'st1', 'standard'),
        'iops': digits,
        'iopsPerGB': digits,
        'allowAutoIOPSPerGBIncrease': bool,
        'throughput': digits,
        'encrypted': bool,
        'kmsKeyId': anyString,
        'blockExpress': bool,
        'csi.storage.k8s.io/fstype': fsType,
      },
      combinationRules: [
        (p) => p.throughput && p.type !== 'gp3' ? `throughput applies only to type gp3, not ${p.type ?? 'the default'}` : undefined,
        (p) => (p.iops || p.iopsPerGB) && !['gp3', 'io1', 'io2'].includes(p.type ?? '')
          ? `iops/iopsPerGB apply only to types gp3, io1 and io2, not ${p.type ?? 'the default'}` : undefined,
        (p) => p.iops && p.iopsPerGB ? 'set either iops or iopsPerGB, not both' : undefined,
      ],
      // aws-ebs-csi-driver docs/modify-volume.md: a VolumeAttributesClass takes iops, throughput and type.
      modifiableParameters: { iops: 'iops', throughput: 'throughput' },
    });
  }

  /** Azure Disk (AKS): StandardSSD_LRS, Premium_LRS, PremiumV2_LRS, ... */
  public static azureDisk(): CsiDriver {
    return new CsiDriver({
      provisioner: 'disk.csi.azure.com',
      setup: 'Azure Disk CSI driver, managed by AKS (Premium SSD v2 needs driver v1.23 or later, any current AKS)',
      snapshotSetup: 'built into AKS: the snapshot.storage.k8s.io/v1 CRDs and controller are managed by AKS',
      accessMode: 'ReadWriteOnce',
      supportsExpansion: true,
      supportsSnapshots: true,
      parameterRules: {
        skuName: oneOf('Standard_LRS', 'StandardSSD_LRS', 'StandardSSD_ZRS', 'Premium_LRS', 'Premium_ZRS', 'PremiumV2_LRS', 'UltraSSD_LRS'),
        cachingMode: oneOf('None', 'ReadOnly', 'ReadWrite'),
        DiskIOPSReadWrite: digits,
        DiskMBpsReadWrite: digits,
        networkAccessPolicy: oneOf('AllowAll', 'DenyAll', 'AllowPrivate'),
        diskEncryptionSetID: anyString,
        'csi.storage.k8s.io/fstype': fsType,
      },
      combinationRules: [
        (p) => (p.DiskIOPSReadWrite || p.DiskMBpsReadWrite) && !['PremiumV2_LRS', 'UltraSSD_LRS'].includes(p.skuName ?? '')
          ? 'DiskIOPSReadWrite/DiskMBpsReadWrite apply only to skuName PremiumV2_LRS or UltraSSD_LRS' : undefined,
        (p) => ['PremiumV2_LRS', 'UltraSSD_LRS'].includes(p.skuName ?? '') && p.cachingMode !== 'None'
          ? `${p.skuName} supports only cachingMode "None"` : undefined,
      ],
      // azuredisk-csi-driver modify-volume: DiskIOPSReadWrite / DiskMBpsReadWrite of PremiumV2_LRS and UltraSSD_LRS.
      modifiableParameters: { DiskIOPSReadWrite: 'DiskIOPSReadWrite', DiskMBpsReadWrite: 'DiskMBpsReadWrite' },
    });
  }

  /** GKE Filestore (ReadWriteMany NFS). */
  public static gkeFilestore(): CsiDriver {
    return new CsiDriver({
      provisioner: 'filestore.csi.storage.gke.io',
      setup: 'Filestore CSI driver, a GKE add-on that is off by default: gcloud container clusters update <cluster> --update-addons=GcpFilestoreCsiDriver=ENABLED',
      accessMode: 'ReadWriteMany',
      supportsExpansion: true,
      supportsSnapshots: false,
      parameterRules: {
        'tier': oneOf('standard', 'premium', 'BASIC_HDD', 'BASIC_SSD', 'enterprise', 'zonal', 'regional'),
        'network': anyString,
        'connect-mode': oneOf('DIRECT_PEERING', 'PRIVATE_SERVICE_ACCESS'),
      },
    });
  }

  /** Amazon EFS (ReadWriteMany) with dynamic access-point provisioning. */
  public static awsEfs(): CsiDriver {
    return new CsiDriver({
      provisioner: 'efs.csi.aws.com',
      setup: 'Amazon EFS CSI driver (aws-efs-csi-driver) v1.2 or later (dynamic provisioning with access points): the EKS add-on, with an IAM role; mount targets in every node subnet',
      accessMode: 'ReadWriteMany',
      // EFS is elastic: the requested size is ignored, so there is nothing to expand.
      supportsExpansion: false,
      supportsSnapshots: false,
      parameterRules: {
        provisioningMode: oneOf('efs-ap'),
        fileSystemId: matches(/^fs-[0-9a-f]{8,17}$/, 'fs-0123456789abcdef0'),
        directoryPerms: matches(/^[0-7]{3,4}$/, '700'),
        basePath: matches(/^\//, '/datasets'),
        uid: digits,
        gid: digits,
      },
      combinationRules: [
        (p) => !p.fileSystemId ? 'fileSystemId is required: the EFS file system the access points are created in' : undefined,
        (p) => p.provisioningMode !== 'efs-ap' ? 'provisioningMode "efs-ap" is required for dynamic provisioning' : undefined,
      ],
    });
  }

  /** Azure Files (ReadWriteMany). */
  public static azureFile(): CsiDriver {
    return new CsiDriver({
      provisioner: 'file.csi.azure.com',
      setup: 'Azure Files CSI driver, managed by AKS (NFS shares need a premium storage account reachable from the node subnet, which the driver creates)',
      accessMode: 'ReadWriteMany',
      supportsExpansion: true,
      supportsSnapshots: false,
      parameterRules: {
        skuName: oneOf('Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Premium_LRS', 'Premium_ZRS'),
        protocol: oneOf('smb', 'nfs'),
        networkEndpointType: oneOf('privateEndpoint', 'serviceEndpoint'),
      },
      combinationRules: [
        (p) => p.protocol === 'nfs' && !(p.skuName ?? '').startsWith('Premium_')
          ? 'protocol "nfs" requires a Premium_* skuName (NFS shares exist only on premium file storage)' : undefined,
      ],
    });
  }

  /** Rancher local-path-provisioner, kind's default: node-local, no expansion, no snapshots. */
  public static localPath(): CsiDriver {
    return new CsiDriver({
      provisioner: 'rancher.io/local-path',
      setup: 'rancher local-path-provisioner, preinstalled by kind',
      accessMode: 'ReadWriteOnce',
      supportsExpansion: false,
      supportsSnapshots: false,
      parameterRules: { nodePath: matches(/^\//, '/var/local-path-provisioner'), pathPattern: anyString },
    });
  }

  /** The CSI hostpath driver (kubernetes-csi/csi-driver-host-path): snapshots and expansion on kind. */
  public static csiHostpath(): CsiDriver {
    return new CsiDriver({
      provisioner: 'hostpath.csi.k8s.io',
      setup: 'CSI hostpath driver (kubernetes-csi/csi-driver-host-path) v1.x, deployed with its deploy script',
      snapshotSetup: 'install the external-snapshotter v8 CRDs and snapshot-controller before the hostpath driver',
      accessMode: 'ReadWriteOnce',
      supportsExpansion: true,
      supportsSnapshots: true,
      parameterRules: {},
    });
  }

  /** Any other CSI driver; its parameters are passed through unchecked unless rules are given. */
  public static custom(props: CsiDriverProps): CsiDriver {
    return new CsiDriver(props);
  }

  public readonly provisioner: string;
  public readonly accessMode: AccessMode;
  public readonly supportsExpansion: boolean;
  public readonly supportsSnapshots: boolean;
  /** How a cluster gets the driver, and which version it needs. */
  public readonly setup: string;
  /** How a cluster gets the snapshot CRDs and controller this driver's snapshots need. */
  public readonly snapshotSetup: string;

  private constructor(private readonly props: CsiDriverProps) {
    this.provisioner = props.provisioner;
    this.setup = props.setup ?? `install the ${props.provisioner} CSI driver`;
    this.snapshotSetup = props.snapshotSetup ?? EXTERNAL_SNAPSHOTTER;
    this.accessMode = props.accessMode;
    this.supportsExpansion = props.supportsExpansion;
    this.supportsSnapshots = props.supportsSnapshots;
  }

  /**
   * The VolumeAttributesClass parameters of a tier with these StorageClass `parameters` (IOPS, throughput),
   * or undefined when the driver cannot modify volumes or the tier sets none of them.
   */
  public volumeAttributes(parameters: Readonly<Record<string, string>>): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    for (const [key, attribute] of Object.entries(this.props.modifiableParameters ?? {})) {
      if (parameters[key] !== undefined) out[attribute] = parameters[key];
    }
    return Object.keys(out).length ? out : undefined;
  }

  /** Problems with `parameters` for this driver, one message each; empty when valid. */
  public parameterErrors(parameters: Readonly<Record<string, string>>): string[] {
    const rules = this.props.parameterRules;
    const errors: string[] = [];
    if (rules) {
      for (const [key, value] of Object.entries(parameters)) {
        const rule = rules[key];
        if (!rule) {
          const known = Object.keys(rules);
          errors.push(`unknown parameter '${key}' for ${this.provisioner}` +
            (known.length ? ` (known: ${known.join(', ')})` : ' (it takes no parameters)'));
          continue;
        }
        const problem = rule(value, parameters);
        if (problem) errors.push(`parameter '${key}: ${value}' ${problem}`);
      }
    }
    for (const rule of this.props.combinationRules ?? []) {
      const problem = rule(parameters);
      if (problem) errors.push(problem);
    }
    return errors;
  }
}
