import { DNS_1123_LABEL, DNS_1123_SUBDOMAIN_PATTERN, isDns1123Label } from '../names';

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

/** A pool of GPU nodes of a cluster, as the cluster's owner declares it. */
export interface GpuNodePool {
  /** Pool (node group, NodePool) name, for CAPACITY.md and messages. */
  readonly name: string;
  /**
   * Labels GPU pods require on their nodes (required node affinity). Declare only labels your pool really
   * sets: managed node groups and Karpenter set no accelerator label unless told to.
   * @default - none: pods find GPU nodes by their GPU request (and tolerate the cloud's GPU taints)
   */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /**
   * Taints the pool carries besides the cloud's standard GPU taint; GPU pods tolerate them.
   * @default - none
   */
  readonly taints?: readonly TaintToleration[];
  /** Machine (instance, VM) type of the pool's nodes, e.g. `a2-highgpu-8g`, `p4d.24xlarge`. @default - not stated */
  readonly machineType?: string;
}

/** Props of `ClusterConfig.of`. */
export interface ClusterConfigProps {
  /** The cluster's name (Argo CD destination name, messages). */
  readonly name: string;
  /**
   * Zones the cluster's node pools run in, e.g. `['us-central1-a', 'us-central1-b']` or, on AKS, `['1', '2', '3']`.
   * Zonal disk families (AKS Premium SSD v2) are pinned to them.
   * @default - not declared: tiers that need zonal nodes are unavailable
   */
  readonly zones?: readonly string[];
  /** API server URL (`https://…`) Argo CD deploys to. @default - Argo CD addresses the cluster by `name` */
  readonly apiServer?: string;
  /** EKS: the EFS file system (`fs-…`) ReadWriteMany access points are created in. @default - no `shared` tier on EKS */
  readonly efsFileSystemId?: string;
  /**
   * GKE: the VPC network Filestore instances are attached to, the cluster's network: a name (`ml-vpc`) or
   * `projects/<host-project>/global/networks/<name>` for a shared VPC.
   * @default - no `shared` tier on GKE
   */
  readonly network?: string;
  /**
   * Machine families of the general-purpose node pool, lower case (`e2`, `n2`, `c3`); tiers whose disks attach
   * only to some families are checked against them in CAPACITY.md.
   * @default - not declared
   */
  readonly nodeFamilies?: readonly string[];
  /** GPU node pools. @default - none declared: GPU pods rely on their GPU request and the cloud's GPU taints */
  readonly gpuPools?: readonly GpuNodePool[];
}

const LABEL_KEY = new RegExp(`^(${DNS_1123_SUBDOMAIN_PATTERN}\\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`);
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Values known to be placeholders from documentation and earlier reference output; never accepted. */
export const PLACEHOLDER_VALUES: readonly RegExp[] = [
  /^fs-0a1b2c3d4e5f60718$/, /^fs-0123456789abcdef0?$/, /^fs-(0+|x+|12345678)$/i, /^default$/, /example/i, /^(changeme|todo|xxx+)$/i,
];

/**
 * What only the cluster's owner knows: file system ids, networks, zones, the API server address, node families and
 * GPU pools. The repo declares one per cluster (`apps/clusters.ts`; `init` writes it); profiles take it
 * (`Profile.eks({ cluster })`) and every cluster-specific value in the output comes from here, never from a
 * default. A feature whose input is missing is left out (and the synth log says so) or fails synth with the fix.
 */
export class ClusterConfig {
  /** Validates `props`; a malformed or placeholder value is an error naming the field and the fix. */
  public static of(props: ClusterConfigProps): ClusterConfig {
    return new ClusterConfig(props);
  }

  public readonly name: string;
  public readonly zones?: readonly string[];
  public readonly apiServer?: string;
  public readonly efsFileSystemId?: string;
  public readonly network?: string;
  public readonly nodeFamilies?: readonly string[];
  public readonly gpuPools: readonly GpuNodePool[];

  private constructor(props: ClusterConfigProps) {
    const where = `ClusterConfig '${props.name}'`;
    const fail = (message: string): never => { throw new Error(`${where}: ${message}.`); };
    if (!isDns1123Label(props.name)) fail(`name '${props.name}' must be a DNS-1123 label`);
    const placeholder = (field: string, value: string | undefined) => {
      if (value !== undefined && PLACEHOLDER_VALUES.some((p) => p.test(value))) {
        fail(`${field} '${value}' is a placeholder, not your cluster's value: put the real one here, or leave ${field} out to drop the feature that needs it`);
      }
    };
    if (props.zones !== undefined) {
      if (!props.zones.length) fail('zones is empty: list the zones of your node pools, or leave zones out');
      for (const z of props.zones) if (!DNS_1123_LABEL.test(z)) fail(`zone '${z}' is not a zone name (e.g. 'us-central1-a', or '1' on AKS)`);
    }
    if (props.apiServer !== undefined && !/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(props.apiServer)) {
      fail(`apiServer '${props.apiServer}' is not an https:// URL (e.g. 'https://ABC123.gr7.us-east-1.eks.amazonaws.com')`);
    }
    placeholder('efsFileSystemId', props.efsFileSystemId);
    if (props.efsFileSystemId !== undefined && !/^fs-[0-9a-f]{8,17}$/.test(props.efsFileSystemId)) {
      fail(`efsFileSystemId '${props.efsFileSystemId}' is not an EFS file system id (fs- and 8 or 17 hex digits): see 'aws efs describe-file-systems'`);
    }
    placeholder('network', props.network);
    if (props.network !== undefined && !/^([a-z]([-a-z0-9]{0,61}[a-z0-9])?|projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/global\/networks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$/.test(props.network)) {
      fail(`network '${props.network}' is neither a VPC name nor projects/<project>/global/networks/<name>: see 'gcloud container clusters describe <cluster> --format=value(network)'`);
    }
    for (const family of props.nodeFamilies ?? []) {
      if (!/^[a-z][a-z0-9]*$/.test(family)) fail(`node family '${family}' must be lower case, e.g. 'n2' or 'c3'`);
    }
    const pools = new Set<string>();
    for (const pool of props.gpuPools ?? []) {
      if (!DNS_1123_LABEL.test(pool.name)) fail(`GPU pool name '${pool.name}' must be a DNS-1123 label`);
      if (pools.has(pool.name)) fail(`GPU pool '${pool.name}' is declared twice`);
      pools.add(pool.name);
      for (const [key, value] of Object.entries(pool.nodeLabels ?? {})) {
        if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) fail(`GPU pool '${pool.name}': node label '${key}=${value}' is not a valid label`);
      }
    }
    this.name = props.name;
    this.zones = props.zones ? [...props.zones] : undefined;
    this.apiServer = props.apiServer;
    this.efsFileSystemId = props.efsFileSystemId;
    this.network = props.network;
    this.nodeFamilies = props.nodeFamilies ? [...props.nodeFamilies] : undefined;
    this.gpuPools = [...(props.gpuPools ?? [])];
  }

  /**
   * Cluster-specific identifiers this config puts into manifests (file system ids, networks, zones, the API server,
   * GPU pool labels): the only such values an output may contain.
   */
  public get identifiers(): string[] {
    const out = [this.efsFileSystemId, this.network, this.apiServer, ...(this.zones ?? [])];
    for (const pool of this.gpuPools) out.push(...Object.values(pool.nodeLabels ?? {}));
    return out.filter((v): v is string => v !== undefined);
  }
}
