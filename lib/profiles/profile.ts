import { IConstruct } from 'constructs';
import { ClusterNetwork, type ClusterNetworkProps } from './cluster-network';
import { ClusterConfig, type TaintToleration } from './cluster-config';
import { CsiDriver } from './csi-driver';
import { KubeVersion } from './kube-version';
import { DNS_1123_LABEL } from '../names';

/** The clouds (and the local kind cluster) we generate manifests for. */
export type Cloud = 'gke' | 'eks' | 'aks' | 'kind';

/** Storage tiers a StorageClassPack offers; `shared` is the ReadWriteMany tier. */
export type StorageTierName = 'standard' | 'fast' | 'iops' | 'throughput' | 'shared';
export const STORAGE_TIER_NAMES: readonly StorageTierName[] = ['standard', 'fast', 'iops', 'throughput', 'shared'];

/** Tiers whose default disk attaches to every general-purpose node, with a high-performance family as an opt-in. */
export type PerformanceTierName = 'iops' | 'throughput';

/** A node label requirement (`key In values`) a tier's volumes impose on the pods that mount them. */
export interface NodeRequirement {
  /** Node label key, e.g. `cloud.google.com/machine-family` or `topology.kubernetes.io/zone`. */
  readonly key: string;
  /** Accepted values. */
  readonly values: readonly string[];
}

/** Nodes a tier's disks attach to, when not every node of the cloud's general-purpose pools qualifies. */
export interface TierNodeAffinity {
  /** Required node labels; every pod mounting the tier gets them as required node affinity. */
  readonly requirements: readonly NodeRequirement[];
  /** Why, for CAPACITY.md and messages, e.g. `Hyperdisk Balanced attaches only to C3, C4, N4, … machines`. */
  readonly reason: string;
}

/**
 * Provisioned performance of a disk type and the provider's per-GiB caps, from which the smallest volume that can
 * carry it follows: `max(floor, iops / iopsPerGiB, throughput / throughputPerGiB)`.
 */
export interface ProvisionedPerformance {
  /** Smallest size of the disk type in GiB. */
  readonly floorGi: number;
  /** IOPS the StorageClass provisions. @default - none */
  readonly iops?: number;
  /** Most IOPS the provider allows per GiB. @default - no cap */
  readonly maxIopsPerGi?: number;
  /** MiB/s the StorageClass provisions. @default - none */
  readonly throughputMiBps?: number;
  /** Most MiB/s the provider allows per GiB. @default - no cap */
  readonly maxThroughputPerGi?: number;
}

/** Smallest claim (`20Gi`) that can carry `perf` under the provider's per-GiB caps. */
export function provisionedMinimum(perf: ProvisionedPerformance): string {
  const byIops = perf.iops && perf.maxIopsPerGi ? Math.ceil(perf.iops / perf.maxIopsPerGi) : 0;
  const byThroughput = perf.throughputMiBps && perf.maxThroughputPerGi ? Math.ceil(perf.throughputMiBps / perf.maxThroughputPerGi) : 0;
  const gi = Math.max(perf.floorGi, byIops, byThroughput);
  return gi % 1024 === 0 ? `${gi / 1024}Ti` : `${gi}Gi`;
}

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
  /**
   * Nodes the tier's disks attach to, when not all general-purpose nodes do; pods mounting the tier require them.
   * @default - any node
   */
  readonly nodeAffinity?: TierNodeAffinity;
  /** One line for the README and CAPACITY.md: the disk type and what it delivers. @default - the driver and parameters */
  readonly description?: string;
}

/** CPU and memory a container requests when a construct is given no sizing. */
export interface ResourceSizing {
  /** CPU request, e.g. `500m`. */
  readonly cpu: string;
  /** Memory request and limit, e.g. `1Gi` (memory is not compressible: request = limit). */
  readonly memory: string;
}

/** Where GPU nodes are and how pods ask for GPUs on a cloud. */
export interface GpuSettings {
  /** Extended resource name of one GPU, e.g. `nvidia.com/gpu`. */
  readonly resourceName: string;
  /**
   * Node label that marks GPU nodes (required node affinity). Only for clusters that set it: clouds do not
   * label GPU nodes consistently (EKS managed node groups and Karpenter set no accelerator label).
   * @default - no label requirement (the GPU request and the cloud's GPU taints place the pods; label
   * requirements come from `ClusterConfig.gpuPools[].nodeLabels` when declared)
   */
  readonly nodeLabelKey?: string;
  /**
   * Accepted values of `nodeLabelKey`.
   * @default - any value (`Exists`)
   */
  readonly nodeLabelValues?: readonly string[];
  /** Tolerations for the taints GPU nodes carry on this cloud. */
  readonly tolerations: readonly TaintToleration[];
  /** What GPU nodes need to advertise the resource (driver, device plugin), for CAPACITY.md. @default - 'a device plugin advertising the resource' */
  readonly setup?: string;
}

/** Every capability of a profile; the factories fill it per cloud, users override parts. */
export interface ProfileProps {
  /** Folder name under `dist/` and label for messages. @default - the cloud */
  readonly name?: string;
  /** Which kind of cluster this is (`gke`, `eks`, `aks` or `kind`). */
  readonly cloud: Cloud;
  /** Kubernetes minor version of the target cluster, 1.27–1.36 (the factories default to DEFAULT_KUBE_VERSIONS). */
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
  /** Cluster DNS, API server and metrics scraper, for the NetworkPolicies. @default - kube-dns, API server unknown, no scraper */
  readonly network?: ClusterNetworkProps;
  /** The cluster's own values (file systems, networks, zones, GPU pools). @default - none declared */
  readonly cluster?: ClusterConfig;
  /**
   * Features left out because the cluster config lacks an input, one line each (the synth log prints them).
   * @default - none
   */
  readonly omissions?: readonly string[];
}

/** Overrides accepted by every factory: anything in the table, tiers merged per tier. */
export type ProfileOverrides = Partial<Omit<ProfileProps, 'cloud' | 'storageTiers' | 'omissions'>> & {
  readonly storageTiers?: Readonly<Partial<Record<StorageTierName, StorageTierSpec>>>;
  /**
   * Tiers that use the cloud's high-performance disk family instead of one every general-purpose node attaches:
   * GKE Hyperdisk Balanced (`iops`) / Hyperdisk Throughput (`throughput`), which attach only to some machine
   * families; AKS Premium SSD v2, which needs zonal node pools (`cluster.zones`). Pods mounting them get the node
   * affinity the disk needs. EKS io2/st1 attach to every Nitro instance and need no opt-in.
   * @default - none: every tier attaches to the general-purpose nodes
   */
  readonly performanceDisks?: readonly PerformanceTierName[];
};

export interface EksProfileOverrides extends ProfileOverrides {
  /**
   * EFS file system for the `shared` (ReadWriteMany) tier; EFS access points are created in it.
   * @default - `cluster.efsFileSystemId`; without either, no shared tier
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

/**
 * Default Kubernetes minor per cloud, as of December 2026 (a newer one needs its schema vendored first):
 * - EKS: 1.35 is in standard support until 2027-03-27 (1.34 ends 2026-12-02), per the EKS Kubernetes release
 *   calendar (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).
 * - GKE: 1.35 (upstream 2025-12) is in the Regular channel and in its ~14 months of standard support
 *   (cloud.google.com/kubernetes-engine/versioning, GKE release schedule).
 * - AKS: 1.35 is GA with 12 months of support from its AKS GA (learn.microsoft.com/azure/aks/supported-kubernetes-versions,
 *   AKS Kubernetes release calendar); AKS uses Ubuntu 24.04 nodes from 1.35 on.
 * - kind: v0.33.0 (2026-09) defaults to kindest/node v1.37.0 and publishes node images of the previous minors
 *   (github.com/kubernetes-sigs/kind/releases/tag/v0.33.0, kubernetes-sigs/kind#4248); 1.36 is the newest minor
 *   with vendored definitions here (there is no v1.37.0 in cdk8s' kubernetes-schemas yet).
 */
export const DEFAULT_KUBE_VERSIONS: Readonly<Record<Cloud, string>> = { gke: '1.35', eks: '1.35', aks: '1.35', kind: '1.36' };
const EXT4 = { 'csi.storage.k8s.io/fstype': 'ext4' };
const NVIDIA_GPU = 'nvidia.com/gpu';
/** Node label GKE sets to the node's machine family (`e2`, `n2`, `c3`). */
export const GKE_MACHINE_FAMILY_LABEL = 'cloud.google.com/machine-family';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Machine families Hyperdisk Balanced attaches to (GKE docs, "Hyperdisk: machine type support"). */
const HYPERDISK_BALANCED_FAMILIES = ['a3', 'c3', 'c3d', 'c4', 'c4a', 'c4d', 'h3', 'm3', 'n4', 'z3'];
/** Machine families Hyperdisk Throughput attaches to. */
const HYPERDISK_THROUGHPUT_FAMILIES = ['c3', 'c3d', 'h3', 'm3', 'n2', 'n2d', 't2d', 'z3'];

/** The families of `supported` the cluster runs, when it declares its node families and runs some; else all. */
function familiesFor(supported: readonly string[], cluster?: ClusterConfig): string[] {
  const declared = cluster?.nodeFamilies?.filter((f) => supported.includes(f));
  return declared?.length ? declared : [...supported];
}

function upper(values: readonly string[]): string {
  return values.map((v) => v.toUpperCase()).join(', ');
}

/**
 * A target cluster as data: cloud, Kubernetes version and capabilities. Constructs ask the
 * profile (`profile.tier('fast')`, `profile.kubeVersion.hasPodIndexLabel`) instead of branching
 * on the cloud.
 */
export class Profile {
  /** Google Kubernetes Engine: PD CSI, Filestore, GKE accelerator labels. */
  public static gke(overrides: ProfileOverrides = {}): Profile {
    const { performanceDisks = [], ...rest } = overrides;
    const cluster = overrides.cluster;
    const pd = (type: string, description: string, minimumSize?: string): StorageTierSpec => ({
      driver: CsiDriver.gcePersistentDisk(), parameters: { type, ...EXT4 }, description, ...(minimumSize ? { minimumSize } : {}),
    });
    const balancedFamilies = familiesFor(HYPERDISK_BALANCED_FAMILIES, cluster);
    const throughputFamilies = familiesFor(HYPERDISK_THROUGHPUT_FAMILIES, cluster);
    const omissions: string[] = [];
    if (!cluster?.network) omissions.push("no 'shared' (ReadWriteMany, Filestore) tier: the cluster config declares no network (ClusterConfig network: your cluster's VPC)");
    return Profile.build({
      cloud: 'gke',
      kubeVersion: DEFAULT_KUBE_VERSIONS.gke,
      storageTiers: {
        standard: pd('pd-balanced', 'Balanced PD (pd-balanced): 6 IOPS and 0.28 MiB/s per GiB'),
        fast: pd('pd-ssd', 'SSD PD (pd-ssd): 30 IOPS and 0.48 MiB/s per GiB'),
        // SSD PD scales with size and attaches to every family with PD (E2, N1, N2, N2D, C2, ...); Hyperdisk Balanced
        // provisions IOPS independently of size but attaches only to newer families: opt-in.
        iops: performanceDisks.includes('iops') ? {
          driver: CsiDriver.gcePersistentDisk(),
          parameters: { 'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '10000', 'provisioned-throughput-on-create': '400Mi', ...EXT4 },
          // Hyperdisk Balanced: 4GiB minimum, at most 500 IOPS per GiB.
          minimumSize: provisionedMinimum({ floorGi: 4, iops: 10000, maxIopsPerGi: 500 }),
          nodeAffinity: {
            requirements: [{ key: GKE_MACHINE_FAMILY_LABEL, values: balancedFamilies }],
            reason: `Hyperdisk Balanced attaches only to ${upper(balancedFamilies)} machines`,
          },
          description: 'Hyperdisk Balanced: 10000 IOPS, 400 MiB/s provisioned',
        } : pd('pd-ssd', 'SSD PD (pd-ssd): 30 IOPS per GiB, 3000 at 100Gi'),
        // Standard PD: HDD, throughput scales with size, 10GiB minimum; Hyperdisk Throughput (2TiB minimum) is opt-in.
        throughput: performanceDisks.includes('throughput') ? {
          driver: CsiDriver.gcePersistentDisk(),
          parameters: { 'type': 'hyperdisk-throughput', 'provisioned-throughput-on-create': '180Mi', ...EXT4 },
          // Hyperdisk Throughput: 2TiB minimum, at most 0.09 MiB/s per GiB (90 per TiB).
          minimumSize: provisionedMinimum({ floorGi: 2048, throughputMiBps: 180, maxThroughputPerGi: 0.09 }),
          nodeAffinity: {
            requirements: [{ key: GKE_MACHINE_FAMILY_LABEL, values: throughputFamilies }],
            reason: `Hyperdisk Throughput attaches only to ${upper(throughputFamilies)} machines`,
          },
          description: 'Hyperdisk Throughput: 180 MiB/s provisioned',
        } : pd('pd-standard', 'Standard PD (pd-standard, HDD): 0.12 MiB/s per GiB', '10Gi'),
        // Filestore basic HDD ("standard") instances start at 1TiB, on the cluster's VPC.
        ...(cluster?.network ? {
          shared: {
            driver: CsiDriver.gkeFilestore(),
            parameters: { tier: 'standard', network: cluster.network },
            minimumSize: '1Ti',
            description: `Filestore basic HDD on network ${cluster.network} (NFS, ReadWriteMany)`,
          },
        } : {}),
      },
      snapshotDriver: CsiDriver.gcePersistentDisk(),
      zoneTopologyKey: ZONE_LABEL,
      gpu: {
        resourceName: NVIDIA_GPU,
        // GKE taints GPU nodes nvidia.com/gpu=present:NoSchedule.
        tolerations: [{ key: NVIDIA_GPU, operator: 'Equal', value: 'present', effect: 'NoSchedule' }],
        setup: 'GPU node pools with automatic driver installation (gpu-driver-version=default); GKE runs the NVIDIA device plugin',
      },
      internalLoadBalancerAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' },
      defaultResources: { cpu: '500m', memory: '1Gi' },
      missingTierHints: {
        shared: "GKE provides ReadWriteMany through Filestore on the cluster's VPC: pass Profile.gke({ cluster: ClusterConfig.of({ name, network: '<your VPC>' }) }).",
      },
      omissions,
    }, rest);
  }

  /** Amazon EKS: EBS CSI (encrypted), EFS for ReadWriteMany when a file system is given. */
  public static eks(overrides: EksProfileOverrides = {}): Profile {
    const { efsFileSystemId: explicitEfs, performanceDisks: _ignored, ...rest } = overrides;
    const efsFileSystemId = explicitEfs ?? overrides.cluster?.efsFileSystemId;
    const ebs = (parameters: Record<string, string>, description: string, minimumSize?: string): StorageTierSpec => ({
      driver: CsiDriver.awsEbs(),
      parameters: { ...parameters, encrypted: 'true', ...EXT4 },
      description,
      ...(minimumSize ? { minimumSize } : {}),
    });
    return Profile.build({
      cloud: 'eks',
      kubeVersion: DEFAULT_KUBE_VERSIONS.eks,
      storageTiers: {
        standard: ebs({ type: 'gp3' }, 'gp3: 3000 IOPS, 125 MiB/s, encrypted'),
        // gp3 allows at most 500 IOPS per GiB: 6000 IOPS need 12GiB.
        fast: ebs({ type: 'gp3', iops: '6000', throughput: '250' }, 'gp3: 6000 IOPS, 250 MiB/s provisioned, encrypted',
          provisionedMinimum({ floorGi: 1, iops: 6000, maxIopsPerGi: 500 })),
        // io2 scales with size (50 IOPS/GiB) and is raised to the 100 IOPS floor for small volumes; 4GiB minimum.
        iops: ebs({ type: 'io2', iopsPerGB: '50', allowAutoIOPSPerGBIncrease: 'true' }, 'io2: 50 IOPS per GiB (100 IOPS floor), encrypted', '4Gi'),
        // st1 is throughput-optimised HDD; its minimum size is 125GiB.
        throughput: ebs({ type: 'st1' }, 'st1 (HDD): 40 MiB/s per TiB baseline, bursts to 250 MiB/s per TiB, encrypted', '125Gi'),
        ...(efsFileSystemId ? {
          shared: {
            driver: CsiDriver.awsEfs(),
            parameters: { provisioningMode: 'efs-ap', fileSystemId: efsFileSystemId, directoryPerms: '700' },
            description: `EFS ${efsFileSystemId}, one access point per claim (NFS, ReadWriteMany)`,
          },
        } : {}),
      },
      snapshotDriver: CsiDriver.awsEbs(),
      zoneTopologyKey: ZONE_LABEL,
      gpu: {
        resourceName: NVIDIA_GPU,
        // Karpenter's and the EKS GPU AMI's convention; managed node groups untainted by default tolerate it harmlessly.
        tolerations: [{ key: NVIDIA_GPU, operator: 'Exists', effect: 'NoSchedule' }],
        setup: 'GPU node groups on the EKS-optimized accelerated AMI, with the NVIDIA device plugin DaemonSet (or the NVIDIA GPU Operator)',
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
      omissions: efsFileSystemId ? [] : ["no 'shared' (ReadWriteMany, EFS) tier: the cluster config declares no efsFileSystemId"],
    }, rest);
  }

  /** Azure Kubernetes Service: Azure Disk CSI, Azure Files (NFS) for ReadWriteMany. */
  public static aks(overrides: ProfileOverrides = {}): Profile {
    const { performanceDisks = [], ...rest } = overrides;
    const disk = (parameters: Record<string, string>, description: string, extra: Partial<StorageTierSpec> = {}): StorageTierSpec => ({
      driver: CsiDriver.azureDisk(),
      parameters: { ...parameters, ...EXT4 },
      description,
      ...extra,
    });
    const zones = overrides.cluster?.zones;
    if (performanceDisks.length && !zones) {
      throw new Error(`Profile 'aks': performanceDisks [${performanceDisks.join(', ')}] use Premium SSD v2, which attaches only to nodes in ` +
        "availability zones: declare your node pools' zones with Profile.aks({ cluster: ClusterConfig.of({ name, zones: ['<region>-1', '<region>-2', '<region>-3'] }) }), " +
        'or drop performanceDisks to keep Premium SSD (any node pool).');
    }
    // Premium SSD v2: 3000 IOPS and 125 MB/s free at any size, at most 500 IOPS per GiB beyond, zonal pools only.
    const v2 = (iops: number, mbps: number): StorageTierSpec => disk(
      { skuName: 'PremiumV2_LRS', cachingMode: 'None', DiskIOPSReadWrite: String(iops), DiskMBpsReadWrite: String(mbps) },
      `Premium SSD v2 (PremiumV2_LRS): ${iops} IOPS, ${mbps} MB/s provisioned`,
      {
        minimumSize: iops > 3000 ? provisionedMinimum({ floorGi: 1, iops, maxIopsPerGi: 500 }) : undefined,
        nodeAffinity: {
          requirements: [{ key: ZONE_LABEL, values: [...zones!] }],
          reason: `Premium SSD v2 attaches only to zonal node pools (zones ${zones!.join(', ')})`,
        },
      },
    );
    return Profile.build({
      cloud: 'aks',
      kubeVersion: DEFAULT_KUBE_VERSIONS.aks,
      storageTiers: {
        standard: disk({ skuName: 'StandardSSD_LRS' }, 'Standard SSD (StandardSSD_LRS): 500 IOPS up to 512GiB'),
        fast: disk({ skuName: 'Premium_LRS', cachingMode: 'ReadOnly' }, 'Premium SSD (Premium_LRS), read cache: IOPS by size, P10 500, P30 5000'),
        iops: performanceDisks.includes('iops') ? v2(10000, 400)
          : disk({ skuName: 'Premium_LRS', cachingMode: 'None' }, 'Premium SSD (Premium_LRS), no cache: IOPS by size, P15 1100, P30 5000'),
        throughput: performanceDisks.includes('throughput') ? v2(3000, 750)
          : disk({ skuName: 'Premium_LRS', cachingMode: 'None' }, 'Premium SSD (Premium_LRS), no cache: throughput by size, P30 200 MB/s'),
        // Premium file shares (required for NFS) start at 100GiB.
        shared: {
          driver: CsiDriver.azureFile(), parameters: { skuName: 'Premium_LRS', protocol: 'nfs' }, minimumSize: '100Gi',
          description: 'Azure Files premium, NFS (ReadWriteMany)',
        },
      },
      snapshotDriver: CsiDriver.azureDisk(),
      zoneTopologyKey: ZONE_LABEL,
      gpu: {
        resourceName: NVIDIA_GPU,
        // AKS docs taint GPU node pools sku=gpu:NoSchedule; the NVIDIA GPU operator taints nvidia.com/gpu.
        tolerations: [
          { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
          { key: NVIDIA_GPU, operator: 'Exists', effect: 'NoSchedule' },
        ],
        setup: 'GPU node pools (taint sku=gpu:NoSchedule) with the NVIDIA device plugin DaemonSet (or the NVIDIA GPU Operator)',
      },
      internalLoadBalancerAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
      defaultResources: { cpu: '500m', memory: '1Gi' },
    }, rest);
  }

  /** kind: local-path volumes, no ReadWriteMany, no GPUs, small sizing. */
  public static kind(overrides: KindProfileOverrides = {}): Profile {
    const { csiHostpath, performanceDisks: _ignored, ...rest } = overrides;
    const driver = csiHostpath ? CsiDriver.csiHostpath() : CsiDriver.localPath();
    const local: StorageTierSpec = { driver, parameters: {}, description: csiHostpath ? 'CSI hostpath (node-local)' : 'local-path (node-local directory)' };
    return Profile.build({
      cloud: 'kind',
      kubeVersion: DEFAULT_KUBE_VERSIONS.kind,
      storageTiers: { standard: local, fast: local, iops: local, throughput: local },
      snapshotDriver: csiHostpath ? driver : undefined,
      zoneTopologyKey: ZONE_LABEL,
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
    const { performanceDisks: _ignored, ...rest } = overrides;
    const tiers = { ...defaults.storageTiers, ...rest.storageTiers };
    return new Profile({
      ...defaults,
      ...rest,
      storageTiers: tiers,
      missingTierHints: { ...defaults.missingTierHints, ...rest.missingTierHints },
      // A tier the user declares is no longer missing.
      omissions: (defaults.omissions ?? []).filter((line) => !STORAGE_TIER_NAMES.some((t) => tiers[t] && line.startsWith(`no '${t}'`))),
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
  /** Cluster DNS, API server and metrics scraper the NetworkPolicies admit. */
  public readonly network: ClusterNetwork;
  /** The cluster's own values, when declared. */
  public readonly cluster?: ClusterConfig;
  /** Features left out for lack of a cluster input, one line each (printed in the synth log). */
  public readonly omissions: readonly string[];
  private readonly tiers: Readonly<Partial<Record<StorageTierName, StorageTierSpec>>>;
  private readonly missingTierHints: Readonly<Partial<Record<StorageTierName, string>>>;

  private constructor(props: ProfileProps) {
    this.name = props.name ?? props.cloud;
    if (!DNS_1123_LABEL.test(this.name)) {
      throw new Error(`Invalid profile name '${this.name}': use lower-case letters, digits and '-' (it names the dist/ folder).`);
    }
    this.cloud = props.cloud;
    this.kubeVersion = KubeVersion.of(props.kubeVersion);
    this.snapshotDriver = props.snapshotDriver;
    this.zoneTopologyKey = props.zoneTopologyKey;
    this.gpu = props.gpu;
    this.internalLoadBalancerAnnotations = props.internalLoadBalancerAnnotations;
    this.defaultResources = props.defaultResources;
    this.network = props.network ? new ClusterNetwork(props.network) : ClusterNetwork.DEFAULT;
    this.cluster = props.cluster;
    this.omissions = [...(props.omissions ?? [])];
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

  /**
   * Required node selector terms (ORed) placing GPU pods: the profile's `gpu.nodeLabelKey` when set (`accelerators`
   * narrows its values), else one term per declared GPU pool with node labels; `undefined` when nothing is declared
   * (the GPU request and tolerations place the pods). Throws when `accelerators` are given but no label is declared.
   */
  public gpuNodeSelectorTerms(accelerators?: readonly string[]): { matchExpressions: { key: string; operator: string; values?: string[] }[] }[] | undefined {
    const gpu = this.gpu;
    if (!gpu) return undefined;
    if (gpu.nodeLabelKey) {
      const values = accelerators ?? gpu.nodeLabelValues;
      return [{ matchExpressions: [values?.length ? { key: gpu.nodeLabelKey, operator: 'In', values: [...values] } : { key: gpu.nodeLabelKey, operator: 'Exists' }] }];
    }
    if (accelerators) {
      throw new Error(`Profile '${this.name}': accelerators [${accelerators.join(', ')}] select GPU nodes by label, but no GPU node label is declared: ` +
        `set gpu.nodeLabelKey on the profile (the label your GPU pools carry), or leave accelerators out.`);
    }
    const pools = this.cluster?.gpuPools ?? [];
    if (!pools.length || pools.some((p) => !Object.keys(p.nodeLabels ?? {}).length)) return undefined;
    return pools.map((p) => ({
      matchExpressions: Object.entries(p.nodeLabels!).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
    }));
  }

  /** Tolerations of GPU pods: the cloud's standard GPU taints plus the taints of declared GPU pools. */
  public get gpuTolerations(): TaintToleration[] {
    const all = [...(this.gpu?.tolerations ?? []), ...(this.cluster?.gpuPools ?? []).flatMap((p) => p.taints ?? [])];
    const seen = new Set<string>();
    return all.filter((t) => {
      const key = `${t.key}\u0000${t.operator}\u0000${t.value ?? ''}\u0000${t.effect}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }).map((t) => ({ ...t }));
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
