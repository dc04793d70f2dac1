import { k8s } from '../k8s';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import { VolumeClaimTemplateSpec } from '../stateful';

/** Name of the cache volume in the server pods. */
export const MLFLOW_CACHE_VOLUME = 'cache';

/**
 * Scratch space of each MLflow server: artifact uploads and downloads proxied by the server are
 * staged here (TMPDIR) instead of in memory or on the node's root disk.
 */
export class MlflowCache {
  /** One claim per pod (`cache-<server>-<i>`) from `tier`: ReadWriteOnce tiers are fine. */
  public static perPod(tier: StorageTier, size: string = '10Gi'): MlflowCache {
    Quantity.parse(size, 'MLflow cache size');
    return new MlflowCache('perPod', tier, size);
  }

  /**
   * One existing claim mounted by every server. It must come from a ReadWriteMany tier when more than
   * one server runs: a ReadWriteOnce volume attaches to a single node, so the other pods never start.
   */
  public static sharedClaim(claimName: string, tier: StorageTier): MlflowCache {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claimName) || claimName.length > 253) {
      throw new Error(`MlflowCache.sharedClaim: '${claimName}' is not a PersistentVolumeClaim name (DNS-1123 subdomain).`);
    }
    return new MlflowCache('shared', tier, undefined, claimName);
  }

  private constructor(
    public readonly kind: 'perPod' | 'shared',
    public readonly tier: StorageTier,
    public readonly size?: string,
    public readonly claimName?: string,
  ) {}

  /** The volume claim template of a per-pod cache. */
  public get volumeClaim(): VolumeClaimTemplateSpec | undefined {
    return this.kind === 'perPod' ? { name: MLFLOW_CACHE_VOLUME, tier: this.tier, size: this.size! } : undefined;
  }

  /** The pod volume of a shared cache. */
  public get volume(): k8s.Volume | undefined {
    return this.kind === 'shared' ? { name: MLFLOW_CACHE_VOLUME, persistentVolumeClaim: { claimName: this.claimName! } } : undefined;
  }

  /** Why `servers` pods cannot use this cache (undefined when they can). */
  public problem(servers: number): string | undefined {
    if (this.kind === 'shared' && servers > 1 && this.tier.accessMode === 'ReadWriteOnce') {
      return `${servers} replicas cannot share the ReadWriteOnce claim '${this.claimName}' (tier '${this.tier.name}'): ` +
        'use MlflowCache.perPod(tier, size) (one claim per pod) or a ReadWriteMany tier (pack.shared)';
    }
    return undefined;
  }
}
