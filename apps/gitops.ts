import { ArgoCdDestination, GitOpsSettings } from '../lib';
import { REFERENCE_CLUSTERS } from './clusters';

/**
 * Where Argo CD pulls the reference platform from: the git repository holding `dist/`, the branch it follows,
 * and where each profile's cluster is registered in Argo CD. The URL is a placeholder for the reference
 * repository; a repository made with `cdk8s-stateful-ml init --repo-url URL` gets its own.
 */
export const REFERENCE_GITOPS: GitOpsSettings = {
  repoUrl: 'https://github.com/example-org/ml-platform.git',
  targetRevision: 'main',
  project: 'default',
  // Each cloud cluster by its API server when its config declares one, else by its name in Argo CD; kind is where Argo CD runs.
  destinations: Object.fromEntries(['gke', 'eks', 'aks'].map((name) => {
    const cluster = REFERENCE_CLUSTERS[name];
    return [name, cluster.apiServer ? ArgoCdDestination.server(cluster.apiServer) : ArgoCdDestination.clusterName(cluster.name)];
  })),
};
