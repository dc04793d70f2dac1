import { Construct } from 'constructs';
import { k8s } from '../k8s';
import type { ServiceStorage, StatefulServiceProps } from '../stateful';
import { StorageTier } from '../storage/storage-class-pack';
import { MANAGED_BY_LABELS, isDns1123Label } from '../names';
import { propsError } from '../private/errors';

/** Props of `SharedDataset`: one claim of `tier` and `size`, named and placed like a service's. */
export interface SharedDatasetProps extends ServiceStorage, Pick<StatefulServiceProps, 'name' | 'namespace'> {
  /** Namespace of the claim; only pods in this namespace can mount it. */
  readonly namespace: string;
  /**
   * A ReadWriteMany tier, so every worker pod (on any node) mounts the same volume: `pack.shared`.
   * Asking a pack for `shared` on a profile without ReadWriteMany storage (kind, EKS without EFS)
   * fails there, saying what to declare.
   */
  readonly tier: StorageTier;
  /** Requested size, a Kubernetes quantity (`500Gi`). */
  readonly size: string;
  /** PersistentVolumeClaim name (DNS-1123). @default - the construct id */
  readonly name?: string;
  /**
   * Source to populate the claim from, e.g. a VolumeSnapshot of a prepared dataset.
   * @default - an empty volume (fill it with a Job that mounts it read-write)
   */
  readonly dataSource?: k8s.TypedLocalObjectReference;
}

/** Options of `SharedDataset.mount()`. */
export interface DatasetMountOptions {
  /**
   * Mount read-only. Training only reads; a Job that downloads or preprocesses the data mounts
   * it read-write.
   * @default true
   */
  readonly readOnly?: boolean;
}

/** A dataset mounted into pods at a path. */
export interface DatasetMount {
  /** The dataset mounted. */
  readonly dataset: SharedDataset;
  /** Where the dataset appears in the container. */
  readonly mountPath: string;
  /** Whether the volume is mounted read-only. */
  readonly readOnly: boolean;
}

/**
 * A dataset every worker reads: one standalone ReadWriteMany PersistentVolumeClaim (not a
 * per-pod claim template), mounted read-only by trainers through `dataset.mount('/data')`.
 * Its lifetime is independent of any StatefulSet, and the pack's Retain reclaim policy keeps the
 * volume if the claim is deleted.
 */
export class SharedDataset extends Construct {
  public readonly claimName: string;
  public readonly namespace: string;
  public readonly tier: StorageTier;
  public readonly size: string;
  public readonly claim: k8s.KubePersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: SharedDatasetProps) {
    super(scope, id);
    this.claimName = props.name ?? id;
    this.namespace = props.namespace;
    this.tier = props.tier;
    this.size = props.size;
    if (!isDns1123Label(this.claimName)) {
      throw propsError(this, 'SharedDataset', `invalid claim name '${this.claimName}': use a DNS-1123 label (lower-case letters, digits, '-', at most 63 characters).`);
    }
    if (!isDns1123Label(this.namespace)) {
      throw propsError(this, 'SharedDataset', `invalid namespace '${this.namespace}': a DNS-1123 label of at most 63 characters.`);
    }
    if (props.tier.accessMode !== 'ReadWriteMany') {
      throw propsError(this, 'SharedDataset', `tier '${props.tier.name}' (${props.tier.storageClassName}) is ${props.tier.accessMode}, ` +
        'but every worker mounts a shared dataset at once: use the ReadWriteMany tier, pack.shared.');
    }
    this.claim = new k8s.KubePersistentVolumeClaim(this, 'Resource', {
      metadata: {
        name: this.claimName,
        namespace: this.namespace,
        labels: {
          'app.kubernetes.io/name': 'dataset',
          'app.kubernetes.io/instance': this.claimName,
          ...MANAGED_BY_LABELS,
        },
      },
      spec: props.tier.claimSpec(props.size, props.dataSource),
    });
  }

  /** Mounts the dataset at `mountPath` (absolute), read-only unless told otherwise. */
  public mount(mountPath: string, options: DatasetMountOptions = {}): DatasetMount {
    if (!mountPath.startsWith('/')) {
      throw propsError(this, 'SharedDataset', `mount path '${mountPath}' must be absolute, e.g. '/data'.`);
    }
    return { dataset: this, mountPath, readOnly: options.readOnly ?? true };
  }
}
