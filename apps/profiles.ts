import { Profile } from '../lib';
import { REFERENCE_CLUSTERS } from './clusters';

/**
 * The clusters the reference platform is rendered for, one `dist/<name>/` folder each. Cluster-specific inputs
 * (file systems, networks, zones, GPU pools) come from `apps/clusters.ts`, never from a default here.
 */
export function referenceProfiles(): Profile[] {
  return [
    Profile.kind({ cluster: REFERENCE_CLUSTERS.kind }),
    Profile.gke({ cluster: REFERENCE_CLUSTERS.gke }),
    Profile.eks({ cluster: REFERENCE_CLUSTERS.eks }),
    Profile.aks({ cluster: REFERENCE_CLUSTERS.aks }),
  ];
}
