import { IConstruct } from 'constructs';
import { CsiDriver } from './csi-driver';
import { KubeVersion } from './kube-version';

/** The clouds (and the local kind cluster) we generate manifests for. */
export type Cloud = 'gke' | 'eks' | 'aks' | 'kind';

/** Storage tiers a StorageClassPack offers; `shared` is the ReadWriteMany tier. */
export type StorageTierName = 'standard' | 'fast' | 'iops' | 'throughput' | 'shared';
export const STORAGE_TIER_NAMES: readonly StorageTierName[] = ['standard', 'fast', 'iops', 'throughput', 'shared'];

/** How one storage tier is provided on a profile: a CSI driver and its StorageClass parameters. */
export interface StorageTierSpec {
  /** The CSI driver that provisions the tier's volumes. */
  readonly driver: CsiDriver;
  /** StorageClass `parameters`, checked against the driver's known parameters. */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Smallest volume the backing disk or share type provisions (e.g. EBS st1: 125Gi, Filestore
   * basic: 1Ti); a smaller claim is a synth error instead of a claim that stays Pending.
   * @default - no minimum
   */
  readonly minimumSize?: string;
}

/** CPU and memory a container requests when a construct is given no sizing. */
export interface ResourceSizing {
  /** CPU request, e.g. `500m`. */
  readonly cpu: string;
  /** Memory request and limit, e.g. `1Gi` (memory is not compressible: request = limit). */
  readonly memory: string;
}

/** Toleration for a node taint (the subset of the Kubernetes Toleration we need). */
export interface TaintToleration {
  /** Taint key, e.g. `nvidia.com/gpu`. */
  readonly key: string;
  /** `Equal` matches `value`; `Exists` any value. */
  readonly operator: 'Equal' | 'Exists';
  /** @default - none (required for operator Equal) */
  readonly value?: string;
  /** Taint effect tolerated. */
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Where GPU nodes are and how pods ask for GPUs on a cloud. */
export interface GpuSettings {
  /** Extended resource name of one GPU, e.g. `nvidia.com/gpu`. */
  readonly resourceName: string;
  /** Node label that marks GPU nodes (required node affinity). */
  readonly nodeLabelKey: string;
  /**
   * Accepted values of `nodeLabelKey`.
   * @default - any value (`Exists`)
   */
  readonly nodeLabelValues?: readonly string[];
  /** Tolerations for the taints GPU nodes carry on this cloud. */
  readonly tolerations: readonly TaintToleration[];
}

/** Every capability of a profile; the factories fill it per cloud, users override parts. */
export interface ProfileProps {
  /** Folder name under `dist/` and label for messages. @default - the cloud */
  readonly name?: string;
  /** Which kind of cluster this is (`gke`, `eks`, `aks` or `kind`). */
  readonly cloud: Cloud;
  /** Kubernetes minor version of the target cluster, 1.27–1.34. */
  readonly kubeVersion: string;
  /** Storage tiers the cluster can provide. A tier left out is a synth error when asked for. */
  readonly storageTiers: Readonly<Partial<Record<StorageTierName, StorageTierSpec>>>;
  /** CSI driver a VolumeSnapshotClass can name. @default - no snapshots */
  readonly snapshotDriver?: CsiDriver;
  /** Node label spreading replicas across failure domains. */
  readonly zoneTopologyKey: string;
  /** GPU scheduling on this cloud. @default - no GPUs */
  readonly gpu?: GpuSettings;
  /** Service annotations that make a LoadBalancer internal. @default - no internal load balancer */
  readonly internalLoadBalancerAnnotations?: Readonly<Record<string, string>>;
  /** Sizing for containers that are given none. */
  readonly defaultResources: ResourceSizing;
  /** What to tell a user who asks for a tier this profile lacks, per tier. @default - a generic hint: declare the tier in the profile's `storageTiers` */
  readonly missingTierHints?: Readonly<Partial<Record<StorageTierName, string>>>;
}

/** Overrides accepted by every factory: anything in the table, tiers merged per tier. */
export type ProfileOverrides = Partial<Omit<ProfileProps, 'cloud' | 'storageTiers'>> & {
  readonly storageTiers?: Readonly<Partial<Record<StorageTierName, StorageTierSpec>>>;
};

export interface EksProfileOverrides extends ProfileOverrides {
  /**
   * EFS file system for the `shared` (ReadWriteMany) tier; EFS access points are created in it.
   * @default - no shared tier
   */
  readonly efsFileSystemId?: string;
}

export interface KindProfileOverrides extends ProfileOverrides {
  /**
   * Declare that the cluster runs the CSI hostpath driver (kubernetes-csi/csi-driver-host-path):
   * tiers use it, and snapshots and volume expansion become available.
   * @default false (kind's rancher.io/local-path: no snapshots, no expansion)
   */
  readonly csiHostpath?: boolean;
}

const PROFILE_CONTEXT_KEY = 'cdk8s-stateful-ml:profile';
const EXT4 = { 'csi.storage.k8s.io/fstype': 'ext4' };
const NVIDIA_GPU = 'nvidia.com/gpu';

/**
 * A target cluster as data: cloud, Kubernetes version and capabilities. Constructs ask the
 * profile (`profile.tier('fast')`, `profile.kubeVersion.hasPodIndexLabel`) instead of branching
 * on the cloud.
 */
export class Profile {
  /** Google Kubernetes Engine: PD CSI, Filestore, GKE accelerator labels. */
  public static gke(overrides: ProfileOverrides = {}): Profile {
    return Profile.build({
      cloud: 'gke',
      kubeVersion: '1.32',
      storageTiers: {
        standard: { driver: CsiDriver.gcePersistentDisk(), parameters: { type: 'pd-balanced', ...EXT4 } },
        fast: { driver: CsiDriver.gcePersistentDisk(), parameters: { type: 'pd-ssd', ...EXT4 } },
        // Hyperdisk Balanced provisions IOPS independently of size (pd-extreme needs 500Gi and
        // N2 machines with 64+ vCPUs); it needs a machine series that supports Hyperdisk (C3, C4, N4, ...).
        iops: {
          driver: CsiDriver.gcePersistentDisk(),
          parameters: { 'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '10000', 'provisioned-throughput-on-create': '400Mi', ...EXT4 },
          minimumSize: '4Gi',
        },
        // Standard PD: HDD, throughput scales with size (Hyperdisk Throughput starts at 2Ti).
        throughput: { driver: CsiDriver.gcePersistentDisk(), parameters: { type: 'pd-standard', ...EXT4 }, minimumSize: '10Gi' },
        // Filestore basic HDD ("standard") instances start at 1TiB.
        shared: { driver: CsiDriver.gkeFilestore(), parameters: { tier: 'standard', network: 'default' }, minimumSize: '1Ti' },
      },
      snapshotDriver: CsiDriver.gcePersistentDisk(),
      zoneTopologyKey: 'topology.kubernetes.io/zone',
      gpu: {
        resourceName: NVIDIA_GPU,
        // GKE labels GPU nodes with their accelerator type and taints them nvidia.com/gpu=present:NoSchedule.
        nodeLabelKey: 'cloud.google.com/gke-accelerator',
        tolerations: [{ key: NVIDIA_GPU, operator: 'Equal', value: 'present', effect: 'NoSchedule' }],
      },
      internalLoadBalancerAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' },
      defaultResources: { cpu: '500m', memory: '1Gi' },
    }, overrides);
  }

  /** Amazon EKS: EBS CSI (encrypted), EFS for ReadWriteMany when a file system is given. */
  public static eks(overrides: EksProfileOverrides = {}): Profile {
    const { efsFileSystemId, ...rest } = overrides;
    const ebs = (parameters: Record<string, string>, minimumSize?: string): StorageTierSpec => ({
      driver: CsiDriver.awsEbs(),
      parameters: { ...parameters, encrypted: 'true', ...EXT4 },
      ...(minimumSize ? { minimumSize } : {}),
    });
    return Profile.build({
      cloud: 'eks',
      kubeVersion: '1.32',
      storageTiers: {
        standard: ebs({ type: 'gp3' }),
        fast: ebs({ type: 'gp3', iops: '6000', throughput: '250' }),
        // io2 scales with size (50 IOPS/GiB) and is raised to the 100 IOPS floor for small volumes.
        iops: ebs({ type: 'io2', iopsPerGB: '50', allowAutoIOPSPerGBIncrease: 'true' }, '4Gi'),
        // st1 is throughput-optimised HDD; its minimum size is 125GiB.
        throughput: ebs({ type: 'st1' }, '125Gi'),
        ...(efsFileSystemId ? {
          shared: {
            driver: CsiDriver.awsEfs(),
            parameters: { provisioningMode: 'efs-ap', fileSystemId: efsFileSystemId, directoryPerms: '700' },
          },
        } : {}),
      },
      snapshotDriver: CsiDriver.awsEbs(),
      zoneTopologyKey: 'topology.kubernetes.io/zone',
      gpu: {
        resourceName: NVIDIA_GPU,
        // The label cluster-autoscaler uses for AWS GPU node groups; set it on your GPU node groups.
        nodeLabelKey: 'k8s.amazonaws.com/accelerator',
        tolerations: [{ key: NVIDIA_GPU, operator: 'Exists', effect: 'NoSchedule' }],
      },
      internalLoadBalancerAnnotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      },
      defaultResources: { cpu: '500m', memory: '1Gi' },
      missingTierHints: {
        shared: "EKS provides ReadWriteMany through EFS: pass Profile.eks({ efsFileSystemId: 'fs-…' }) with your file system's id.",
      },
    }, rest);
  }

  /** Azure Kubernetes Service: Azure Disk CSI, Azure Files (NFS) for ReadWriteMany. */
  public static aks(overrides: ProfileOverrides = {}): Profile {
    const disk = (parameters: Record<string, string>): StorageTierSpec => ({
      driver: CsiDriver.azureDisk(),
      parameters: { ...parameters, ...EXT4 },
    });
    return Profile.build({
      cloud: 'aks',
      kubeVersion: '1.32',
      storageTiers: {
        standard: disk({ skuName: 'StandardSSD_LRS' }),
        fast: disk({ skuName: 'Premium_LRS', cachingMode: 'ReadOnly' }),
        iops: disk({ skuName: 'PremiumV2_LRS', cachingMode: 'None', DiskIOPSReadWrite: '10000', DiskMBpsReadWrite: '400' }),
        throughput: disk({ skuName: 'PremiumV2_LRS', cachingMode: 'None', DiskIOPSReadWrite: '3000', DiskMBpsReadWrite: '750' }),
        // Premium file shares (required for NFS) start at 100GiB.
        shared: { driver: CsiDriver.azureFile(), parameters: { skuName: 'Premium_LRS', protocol: 'nfs' }, minimumSize: '100Gi' },
      },
      snapshotDriver: CsiDriver.azureDisk(),
      zoneTopologyKey: 'topology.kubernetes.io/zone',
      gpu: {
        resourceName: NVIDIA_GPU,
        // AKS labels GPU node pools accelerator=nvidia; its docs taint them sku=gpu:NoSchedule.
        nodeLabelKey: 'accelerator',
        nodeLabelValues: ['nvidia'],
        tolerations: [{ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      },
      internalLoadBalancerAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
      defaultResources: { cpu: '500m', memory: '1Gi' },
    }, overrides);
  }

  /** kind: local-path volumes, no ReadWriteMany, no GPUs, small sizing. */
  public static kind(overrides: KindProfileOverrides = {}): Profile {
    const { csiHostpath, ...rest } = overrides;
    const driver = csiHostpath ? CsiDriver.csiHostpath() : CsiDriver.localPath();
    const local: StorageTierSpec = { driver, parameters: {} };
    return Profile.build({
      cloud: 'kind',
      kubeVersion: '1.30',
      storageTiers: { standard: local, fast: local, iops: local, throughput: local },
      snapshotDriver: csiHostpath ? driver : undefined,
      zoneTopologyKey: 'topology.kubernetes.io/zone',
      defaultResources: { cpu: '100m', memory: '256Mi' },
      missingTierHints: {
        shared: 'kind has no ReadWriteMany driver: declare one with ' +
          'Profile.kind({ storageTiers: { shared: { driver: CsiDriver.custom({ provisioner: …, accessMode: \'ReadWriteMany\', … }), parameters: {} } } }), e.g. an NFS provisioner.',
      },
    }, rest);
  }

  /** A profile from a complete capability table (clusters other than the four above). */
  public static custom(props: ProfileProps): Profile {
    return new Profile(props);
  }

  /** The profile attached to `scope` or one of its parents by `profile.attachTo(...)`. */
  public static of(scope: IConstruct): Profile {
    const found = scope.node.tryGetContext(PROFILE_CONTEXT_KEY);
    if (!(found instanceof Profile)) {
      throw new Error(`No Profile for '${scope.node.path || '<app>'}': call profile.attachTo(app) (or the chart) before adding constructs, or pass { profile } in the construct's props.`);
    }
    return found;
  }

  private static build(defaults: ProfileProps, overrides: ProfileOverrides): Profile {
    return new Profile({
      ...defaults,
      ...overrides,
      storageTiers: { ...defaults.storageTiers, ...overrides.storageTiers },
      missingTierHints: { ...defaults.missingTierHints, ...overrides.missingTierHints },
    });
  }

  public readonly name: string;
  public readonly cloud: Cloud;
  public readonly kubeVersion: KubeVersion;
  public readonly snapshotDriver?: CsiDriver;
  public readonly zoneTopologyKey: string;
  public readonly gpu?: GpuSettings;
  public readonly internalLoadBalancerAnnotations?: Readonly<Record<string, string>>;
  public readonly defaultResources: ResourceSizing;
  private readonly tiers: Readonly<Partial<Record<StorageTierName, StorageTierSpec>>>;
  private readonly missingTierHints: Readonly<Partial<Record<StorageTierName, string>>>;

  private constructor(props: ProfileProps) {
    this.name = props.name ?? props.cloud;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name)) {
      throw new Error(`Invalid profile name '${this.name}': use lower-case letters, digits and '-' (it names the dist/ folder).`);
    }
    this.cloud = props.cloud;
    this.kubeVersion = KubeVersion.of(props.kubeVersion);
    this.snapshotDriver = props.snapshotDriver;
    this.zoneTopologyKey = props.zoneTopologyKey;
    this.gpu = props.gpu;
    this.internalLoadBalancerAnnotations = props.internalLoadBalancerAnnotations;
    this.defaultResources = props.defaultResources;
    this.tiers = props.storageTiers;
    this.missingTierHints = props.missingTierHints ?? {};
    for (const [name, spec] of Object.entries(this.tiers)) {
      if (!spec) continue;
      const errors = spec.driver.parameterErrors(spec.parameters);
      if (errors.length) {
        throw new Error(`Profile '${this.name}': invalid StorageClass parameters for tier '${name}' (${spec.driver.provisioner}): ${errors.join('; ')}.`);
      }
      if (name === 'shared' && spec.driver.accessMode !== 'ReadWriteMany') {
        throw new Error(`Profile '${this.name}': the 'shared' tier must be ReadWriteMany, but ${spec.driver.provisioner} provides ${spec.driver.accessMode}.`);
      }
    }
  }

  /** Storage tiers this profile provides, in canonical order. */
  public get tierNames(): StorageTierName[] {
    return STORAGE_TIER_NAMES.filter((name) => this.tiers[name] !== undefined);
  }

  public hasTier(name: StorageTierName): boolean {
    return this.tiers[name] !== undefined;
  }

  /** How `name` is provided; throws, saying what to declare, when the profile lacks it. */
  public tier(name: StorageTierName): StorageTierSpec {
    if (!STORAGE_TIER_NAMES.includes(name)) {
      throw new Error(`Unknown storage tier '${name}': tiers are ${STORAGE_TIER_NAMES.join(', ')}.`);
    }
    const spec = this.tiers[name];
    if (!spec) {
      const what = name === 'shared' ? "'shared' (ReadWriteMany)" : `'${name}'`;
      const hint = this.missingTierHints[name]
        ?? `declare it with Profile.${this.cloud}({ storageTiers: { ${name}: { driver, parameters } } }).`;
      throw new Error(`Profile '${this.name}' has no ${what} storage tier: ${hint}`);
    }
    return spec;
  }

  /** `true` when the profile has ReadWriteMany storage (the `shared` tier). */
  public get supportsReadWriteMany(): boolean {
    return this.hasTier('shared');
  }

  /** Attach this profile to a construct tree so constructs below find it with `Profile.of`. */
  public attachTo(scope: IConstruct): void {
    const where = scope.node.path || '<app>';
    const existing = scope.node.tryGetContext(PROFILE_CONTEXT_KEY);
    if (existing === this) return;
    if (existing instanceof Profile) {
      throw new Error(`Profile '${this.name}' cannot attach to '${where}': profile '${existing.name}' is already attached there; render each profile in its own App (new App() per profile).`);
    }
    if (scope.node.children.length) {
      throw new Error(`Profile '${this.name}' cannot attach to '${where}' after constructs were added to it: call profile.attachTo(app) right after creating the App.`);
    }
    scope.node.setContext(PROFILE_CONTEXT_KEY, this);
  }

  /** The profile attached to `scope` or a parent, or undefined (no error). */
  public static tryOf(scope: IConstruct): Profile | undefined {
    const found = scope.node.tryGetContext(PROFILE_CONTEXT_KEY);
    return found instanceof Profile ? found : undefined;
  }
}
