import { k8s } from '../k8s';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';

/** Name of the cache volume in the server pods. */
export const MLFLOW_CACHE_VOLUME = 'cache';

/**
 * Scratch space of each MLflow server: artifact uploads and downloads proxied by the server are
 * staged here (TMPDIR) instead of in memory or on the container's read-only root. The servers are a
 * Deployment scaled by an autoscaler, so the cache lives and dies with its pod: nothing is left behind when
 * a server is removed, and nothing is provisioned for good when one is added.
 */
export class MlflowCache {
  /**
   * An `emptyDir` on the node's disk, capped at `sizeLimit` (the kubelet evicts a pod that writes more).
   * Attaches nothing: the right default for a cache of in-flight transfers.
   */
  public static emptyDir(sizeLimit: string = '10Gi'): MlflowCache {
    Quantity.parse(sizeLimit, 'MLflow cache sizeLimit');
    return new MlflowCache('emptyDir', sizeLimit);
  }

  /**
   * A generic ephemeral volume from `tier`: a claim created with each pod and deleted with it. The tier's
   * StorageClass must reclaim with `Delete` (a pack with `reclaimPolicy: 'Delete'`), or every removed pod
   * leaves a Released volume behind.
   */
  public static ephemeral(tier: StorageTier, size: string = '10Gi'): MlflowCache {
    Quantity.parse(size, 'MLflow cache size');
    return new MlflowCache('ephemeral', size, tier);
  }

  /**
   * One existing claim mounted by every server. It must come from a ReadWriteMany tier when more than
   * one server runs: a ReadWriteOnce volume attaches to a single node, so the other pods never start.
   */
  public static sharedClaim(claimName: string, tier: StorageTier): MlflowCache {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claimName) || claimName.length > 253) {
      throw new Error(`MlflowCache.sharedClaim: '${claimName}' is not a PersistentVolumeClaim name (DNS-1123 subdomain).`);
    }
    return new MlflowCache('shared', undefined, tier, claimName);
  }

  private constructor(
    public readonly kind: 'emptyDir' | 'ephemeral' | 'shared',
    /** Size (ephemeral) or size limit (emptyDir). */
    public readonly size?: string,
    /** Tier of an ephemeral or shared cache. */
    public readonly tier?: StorageTier,
    public readonly claimName?: string,
  ) {}

  /** The pod volume (`cache`). */
  public get volume(): k8s.Volume {
    switch (this.kind) {
      case 'emptyDir':
        return { name: MLFLOW_CACHE_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString(Quantity.parse(this.size!).text) } };
      case 'ephemeral':
        return {
          name: MLFLOW_CACHE_VOLUME,
          ephemeral: { volumeClaimTemplate: { metadata: { labels: { 'app.kubernetes.io/component': 'mlflow-cache' } }, spec: this.tier!.claimSpec(this.size!) } },
        };
      default:
        return { name: MLFLOW_CACHE_VOLUME, persistentVolumeClaim: { claimName: this.claimName! } };
    }
  }

  /** Why `servers` pods cannot use this cache (undefined when they can). */
  public problem(servers: number): string | undefined {
    if (this.kind === 'shared' && servers > 1 && this.tier!.accessMode === 'ReadWriteOnce') {
      return `${servers} replicas cannot share the ReadWriteOnce claim '${this.claimName}' (tier '${this.tier!.name}'): ` +
        'use MlflowCache.emptyDir(sizeLimit) (per pod, on the node) or a ReadWriteMany tier (pack.shared)';
    }
    if (this.kind === 'ephemeral') {
      const size = this.tier!.sizeProblem(this.size!);
      if (size) return size;
      if (this.tier!.pack.reclaimPolicy !== 'Delete') {
        return `MlflowCache.ephemeral on tier '${this.tier!.name}' of StorageClassPack '${this.tier!.pack.node.path}' (reclaimPolicy ${this.tier!.pack.reclaimPolicy}) ` +
          'would leave a Released volume behind for every server the autoscaler removes: use a pack with reclaimPolicy \'Delete\' for scratch, or MlflowCache.emptyDir(sizeLimit)';
      }
    }
    return undefined;
  }
}
