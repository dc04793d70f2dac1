import { ContainerResources, Profile } from '../lib';

/**
 * How big the reference platform is on a target. This is the app's own configuration (like the
 * EFS id in profiles.ts): production-like sizes on the clouds, laptop sizes on kind, where the
 * whole platform must fit in a few GiB of a developer machine.
 */
export interface PlatformSizing {
  readonly database: { readonly size: string; readonly resources: ContainerResources };
  readonly objectStore: { readonly replicas: number; readonly size: string; readonly resources: ContainerResources };
  readonly tracking: { readonly minReplicas: number; readonly maxReplicas: number; readonly cacheSize: string };
  readonly onlineStore: { readonly size: string; readonly resources: ContainerResources };
  /** Scratch space (emptyDir size limit) a nightly dump is written to before it is uploaded to MinIO. */
  readonly backups: { readonly size: string };
}

export const CLUSTER_SIZING: PlatformSizing = {
  database: { size: '20Gi', resources: { cpu: '1', memory: '2Gi' } },
  objectStore: { replicas: 4, size: '100Gi', resources: { cpu: '250m', memory: '1Gi' } },
  tracking: { minReplicas: 3, maxReplicas: 10, cacheSize: '10Gi' },
  onlineStore: { size: '100Gi', resources: { cpu: '1', memory: '8Gi' } },
  backups: { size: '50Gi' },
};

export const LAPTOP_SIZING: PlatformSizing = {
  database: { size: '2Gi', resources: { cpu: '250m', memory: '512Mi' } },
  // One MinIO pod runs standalone; a distributed pool needs 4.
  objectStore: { replicas: 1, size: '5Gi', resources: { cpu: '100m', memory: '256Mi' } },
  tracking: { minReplicas: 2, maxReplicas: 3, cacheSize: '1Gi' },
  onlineStore: { size: '2Gi', resources: { cpu: '100m', memory: '512Mi' } },
  backups: { size: '5Gi' },
};

/** Sizing per reference profile name; profiles not listed get CLUSTER_SIZING. */
export const REFERENCE_SIZING: Readonly<Record<string, PlatformSizing>> = { kind: LAPTOP_SIZING };

export function sizingFor(profile: Profile): PlatformSizing {
  return REFERENCE_SIZING[profile.name] ?? CLUSTER_SIZING;
}
