import { ClusterConfig } from '../lib';

/**
 * The clusters the reference platform is rendered for: what only their owner knows. Every cluster-specific value
 * in `dist/` comes from here (a test checks it). Put your own values here (`npx cdk8s-stateful-ml init` writes
 * this file); an input left out drops the feature that needs it, and the synth log says so:
 * - `network` (GKE) and `efsFileSystemId` (EKS) give the `shared` ReadWriteMany tier, and with it the trainer's
 *   shared dataset. The reference clusters declare neither: there is no real VPC or file system behind them.
 * - `zones` pin Premium SSD v2 (`Profile.aks({ performanceDisks })`) to zonal node pools.
 * - `gpuPools[].nodeLabels` add a label requirement to GPU pods; without it they are placed by their GPU request
 *   and the cloud's GPU taints, which every GPU node pool has.
 * - `apiServer` makes Argo CD address the cluster by URL instead of by its registered name.
 */
export const REFERENCE_CLUSTERS: Readonly<Record<string, ClusterConfig>> = {
  kind: ClusterConfig.of({ name: 'ml-kind' }),
  gke: ClusterConfig.of({
    name: 'ml-gke',
    // The default node pool's machine families (GKE's default pools are E2).
    nodeFamilies: ['e2', 'n2'],
    gpuPools: [{ name: 'gpu-a100', machineType: 'a2-highgpu-8g' }],
  }),
  eks: ClusterConfig.of({
    name: 'ml-eks',
    gpuPools: [{ name: 'gpu-p4d', machineType: 'p4d.24xlarge' }],
  }),
  aks: ClusterConfig.of({
    name: 'ml-aks',
    gpuPools: [{ name: 'gpua100', machineType: 'Standard_ND96asr_v4' }],
  }),
};
