import { Chart } from 'cdk8s';
import { ClusterConfig, Profile, StorageClassPack, WorkloadNamespace } from '../../lib';
import { newChart } from './synth';

/** A GKE cluster whose config declares its VPC, so the profile has the Filestore `shared` tier. */
export const TEST_GKE_CLUSTER = ClusterConfig.of({ name: 'test-gke', network: 'ml-vpc' });

/** `Profile.gke(overrides)` on TEST_GKE_CLUSTER: every tier including `shared`. */
export function gkeWithShared(overrides: Parameters<typeof Profile.gke>[0] = {}): Profile {
  return Profile.gke({ cluster: TEST_GKE_CLUSTER, ...overrides });
}

/** A chart on `profile` with the `ml-training` namespace and a storage pack: where the trainer tests build. */
export function trainingChart(profile: Profile): { chart: Chart; pack: StorageClassPack } {
  const { chart } = newChart(profile);
  new WorkloadNamespace(chart, 'ns', { name: 'ml-training' });
  return { chart, pack: new StorageClassPack(chart, 'storage') };
}
