import { Profile } from '../lib';

/**
 * The clusters the reference platform is rendered for, one `dist/<name>/` folder each.
 * These are the values of *your* clusters: the EFS file system id below is the reference
 * account's; change it (or drop it, and the trainer's shared dataset with it) for your own.
 */
export const REFERENCE_EFS_FILE_SYSTEM_ID = 'fs-0a1b2c3d4e5f60718';

export function referenceProfiles(): Profile[] {
  return [
    Profile.kind(),
    Profile.gke(),
    Profile.eks({ efsFileSystemId: REFERENCE_EFS_FILE_SYSTEM_ID }),
    Profile.aks(),
  ];
}
