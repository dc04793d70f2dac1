import { type ClusterNetworkProps, Profile } from '../lib';

/**
 * The clusters the reference platform is rendered for, one `dist/<name>/` folder each.
 * These are the values of *your* clusters: the EFS file system id below is the reference
 * account's; change it (or drop it, and the trainer's shared dataset with it) for your own.
 */
export const REFERENCE_EFS_FILE_SYSTEM_ID = 'fs-0a1b2c3d4e5f60718';

/** The reference clusters run Prometheus (kube-prometheus-stack) in `monitoring`; it scrapes the exporters. */
export const REFERENCE_NETWORK: ClusterNetworkProps = {
  metricsScraper: { namespace: 'monitoring', podSelector: { 'app.kubernetes.io/name': 'prometheus' } },
};

export function referenceProfiles(): Profile[] {
  return [
    Profile.kind({ network: REFERENCE_NETWORK }),
    Profile.gke({ network: REFERENCE_NETWORK }),
    Profile.eks({ efsFileSystemId: REFERENCE_EFS_FILE_SYSTEM_ID, network: REFERENCE_NETWORK }),
    Profile.aks({ network: REFERENCE_NETWORK }),
  ];
}
