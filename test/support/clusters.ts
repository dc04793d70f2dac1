import { ClusterConfig, Profile } from '../../lib';

/** A GKE cluster whose config declares its VPC, so the profile has the Filestore `shared` tier. */
export const TEST_GKE_CLUSTER = ClusterConfig.of({ name: 'test-gke', network: 'ml-vpc' });

/** `Profile.gke(overrides)` on TEST_GKE_CLUSTER: every tier including `shared`. */
export function gkeWithShared(overrides: Parameters<typeof Profile.gke>[0] = {}): Profile {
  return Profile.gke({ cluster: TEST_GKE_CLUSTER, ...overrides });
}
