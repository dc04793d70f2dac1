import { ArgoCdDestination, GitOpsSettings } from '../lib';

/**
 * Where Argo CD pulls the reference platform from: the git repository holding `dist/`, the branch it follows,
 * and where each profile's cluster is registered in Argo CD. The URL is a placeholder for the reference
 * repository; a repository made with `cdk8s-stateful-ml init --repo-url URL` gets its own.
 */
export const REFERENCE_GITOPS: GitOpsSettings = {
  repoUrl: 'https://github.com/example-org/ml-platform.git',
  targetRevision: 'main',
  project: 'default',
  destinations: {
    gke: ArgoCdDestination.clusterName('ml-gke'),
    eks: ArgoCdDestination.clusterName('ml-eks'),
    aks: ArgoCdDestination.clusterName('ml-aks'),
  },
};
