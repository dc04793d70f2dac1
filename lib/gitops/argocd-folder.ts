import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ArgoCdApplication } from './argocd-application';
import { ArgoCdDestination } from './argocd-destination';
import { driftAllowances } from './argocd-sync-policy';
import { ConfigManagementPlugin } from './config-management-plugin';
import { ManifestSource } from './manifest-source';
import { type RenderedFolder, type RenderedProfile, renderArgoCd } from './render';

/**
 * Where Argo CD finds your renders: the git repository holding `dist/`, the revision it follows, and the
 * cluster of each profile. Rendered by `renderGitOps` into `dist/argocd/`.
 */
export interface GitOpsSettings {
  /** Git URL of the repository holding `dist/` (your repository, e.g. `https://github.com/acme/ml-platform.git`). */
  readonly repoUrl: string;
  /** Branch, tag or commit Argo CD follows. @default 'main' */
  readonly targetRevision?: string;
  /** Argo CD project. @default 'default' */
  readonly project?: string;
  /** Prefix of each Application's name, followed by the profile name (`ml-platform-gke`). @default 'ml-platform-' */
  readonly applicationPrefix?: string;
  /** Cluster of each profile, by profile name; profiles not listed deploy to the cluster Argo CD runs in. @default - every profile in-cluster */
  readonly destinations?: Readonly<Record<string, ArgoCdDestination>>;
  /** Folder of the renders inside the repository. @default 'dist' */
  readonly distPath?: string;
  /** Also render the config management plugin (`cmp-plugin.yaml`), for rendering in the repo server. @default true */
  readonly plugin?: boolean;
}

/**
 * The Argo CD side of a platform: `applications.yaml` (one Application per profile, syncing the committed
 * `dist/<profile>/`) and, unless `plugin: false`, `cmp-plugin.yaml` (the config management plugin).
 */
export function buildGitOps(app: App, profiles: readonly RenderedProfile[], settings: GitOpsSettings): void {
  const applications = new Chart(app, 'applications');
  for (const { profile, objects } of profiles) {
    new ArgoCdApplication(applications, profile.name, {
      name: `${settings.applicationPrefix ?? 'ml-platform-'}${profile.name}`,
      repoUrl: settings.repoUrl,
      targetRevision: settings.targetRevision ?? 'main',
      project: settings.project ?? 'default',
      source: ManifestSource.renderedManifests(path.posix.join(settings.distPath ?? 'dist', profile.name)),
      destination: settings.destinations?.[profile.name] ?? ArgoCdDestination.inCluster(),
      ignoreDifferences: driftAllowances(objects),
    });
  }
  if (settings.plugin ?? true) new ConfigManagementPlugin(new Chart(app, 'cmp-plugin'), 'plugin');
}

/** Renders `dist/argocd/` for these profile renders (validated against the Argo CD schemas). */
export function renderGitOps(profiles: readonly RenderedProfile[], settings: GitOpsSettings): RenderedFolder {
  if (!profiles.length) throw new Error('renderGitOps: no profile renders given: render at least one profile first.');
  // outdir is never written: the folder is rendered in memory.
  const app = new App({ outdir: path.join(process.cwd(), '.cdk8s.out') });
  buildGitOps(app, profiles, settings);
  // Argo CD objects only use ObjectMeta from Kubernetes; validate against the oldest targeted version.
  const oldest = [...profiles].sort((a, b) => a.profile.kubeVersion.minor - b.profile.kubeVersion.minor)[0];
  return renderArgoCd(app, { kubeVersion: oldest.profile.kubeVersion.toString() });
}
