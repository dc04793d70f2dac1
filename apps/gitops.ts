import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  ArgoCdApplication, ArgoCdDestination, ConfigManagementPlugin, ManifestSource, RenderedFolder, RenderedProfile,
  driftAllowances, renderArgoCd,
} from '../lib';
import { REFERENCE_CLUSTERS } from './clusters';

/**
 * Your values: the git repository Argo CD pulls `dist/` from, the branch it follows, and where each profile's
 * cluster is registered in Argo CD. The reference values below are placeholders for the reference repository;
 * change them for your own.
 */
export interface GitOpsSettings {
  /** Git URL of the repository holding `dist/`. */
  readonly repoUrl: string;
  /** Branch, tag or commit Argo CD follows. */
  readonly targetRevision: string;
  /** Argo CD project. */
  readonly project: string;
  /** Cluster of each profile; profiles not listed deploy to the cluster Argo CD runs in. */
  readonly destinations: Readonly<Record<string, ArgoCdDestination>>;
}

/** The reference repository's settings (a placeholder URL: put your repository here). */
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

/**
 * The Argo CD side of the reference platform, rendered into `dist/argocd/`: `applications.yaml` (one
 * Application per profile, syncing the committed `dist/<profile>/`) and `cmp-plugin.yaml` (the config
 * management plugin, for rendering in the repo server instead of committing `dist/`).
 */
export function buildGitOps(app: App, profiles: readonly RenderedProfile[], settings: GitOpsSettings = REFERENCE_GITOPS): void {
  const applications = new Chart(app, 'applications');
  for (const { profile, objects } of profiles) {
    new ArgoCdApplication(applications, profile.name, {
      name: `ml-platform-${profile.name}`,
      repoUrl: settings.repoUrl,
      targetRevision: settings.targetRevision,
      project: settings.project,
      source: ManifestSource.renderedManifests(path.posix.join('dist', profile.name)),
      destination: settings.destinations[profile.name] ?? ArgoCdDestination.inCluster(),
      ignoreDifferences: driftAllowances(objects),
    });
  }
  new ConfigManagementPlugin(new Chart(app, 'cmp-plugin'), 'plugin');
}

/** Renders `dist/argocd/` for these profile renders (validated against the Argo CD schemas). */
export function renderGitOps(profiles: readonly RenderedProfile[], settings: GitOpsSettings = REFERENCE_GITOPS): RenderedFolder {
  const app = new App({ outdir: path.resolve(__dirname, '..', '.cdk8s.out') });
  buildGitOps(app, profiles, settings);
  // Argo CD objects only use ObjectMeta from Kubernetes; validate against the oldest targeted version.
  const oldest = [...profiles].sort((a, b) => a.profile.kubeVersion.minor - b.profile.kubeVersion.minor)[0];
  return renderArgoCd(app, { kubeVersion: oldest.profile.kubeVersion.toString() });
}
