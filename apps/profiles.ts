import { type ClusterNetworkProps, Profile } from '../lib';
import { REFERENCE_CLUSTERS } from './clusters';

/**
 * The clusters the reference platform is rendered for, one `dist/<name>/` folder each. Cluster-specific inputs
 * (file systems, networks, zones, GPU pools) come from `apps/clusters.ts`, never from a default here.
 */
/** The reference clusters run Prometheus (kube-prometheus-stack) in `monitoring`; it scrapes the exporters. */
export const REFERENCE_NETWORK: ClusterNetworkProps = {
  metricsScraper: { namespace: 'monitoring', podSelector: { 'app.kubernetes.io/name': 'prometheus' } },
};

export function referenceProfiles(): Profile[] {
  return [
    Profile.kind({ cluster: REFERENCE_CLUSTERS.kind, network: REFERENCE_NETWORK }),
    Profile.gke({ cluster: REFERENCE_CLUSTERS.gke, network: REFERENCE_NETWORK }),
    Profile.eks({ cluster: REFERENCE_CLUSTERS.eks, network: REFERENCE_NETWORK }),
    Profile.aks({ cluster: REFERENCE_CLUSTERS.aks, network: REFERENCE_NETWORK }),
  ];
}
