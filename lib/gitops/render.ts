import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GateReport, ManifestObject, formatFindings, runGates } from '../checks';
import { Profile } from '../profiles';
import { CapacityReport } from './capacity-report';
import { KUSTOMIZATION_FILE, kustomization } from './kustomization';
import { SyncHints } from '../sync-phase';
import { applySyncPolicy } from './sync-policy';
import { Topology } from './topology';
import { toYaml } from './yaml-emitter';

/** One file of a rendered profile. */
export interface RenderedFile {
  /** File name inside `dist/<profile>/`, e.g. `ml-db.k8s.yaml`. */
  readonly name: string;
  /** The file's text. */
  readonly content: string;
  /** The Kubernetes objects in the file, when it is a manifest file. @default - none (a file that is not a manifest, e.g. `kustomization.yaml`) */
  readonly objects?: readonly ManifestObject[];
}

/** A folder of `dist/`, gated, ready to write. */
export interface RenderedFolder {
  /** Folder name inside `dist/`, e.g. `gke` or `argocd`. */
  readonly folder: string;
  /** The files of the folder, in write order. */
  readonly files: readonly RenderedFile[];
  /** Every object of the folder, in file order. */
  readonly objects: readonly ManifestObject[];
  /** The gates run on `objects` (passed: `ok` is true). */
  readonly gates: GateReport;
}

/** The manifests of one profile, gated, ready to write. */
export interface RenderedProfile extends RenderedFolder {
  /** The profile rendered. */
  readonly profile: Profile;
  /** What the profile requests of a cluster, when rendered with `reports`. @default - none (rendered without `reports`) */
  readonly capacity?: CapacityReport;
}

/** Options of `renderProfile`. */
export interface RenderProfileOptions {
  /**
   * Add `CAPACITY.md` (CapacityReport) and `topology.mmd` / `topology.dot` (Topology) to the profile's files. They
   * are derived from the gated objects, deterministic, and not listed in `kustomization.yaml`.
   * @default false
   */
  readonly reports?: boolean;
}

/** Files `renderProfile` adds with `reports`: the capacity report and the topology diagrams. */
export const REPORT_FILES = { capacity: 'CAPACITY.md', mermaid: 'topology.mmd', dot: 'topology.dot' } as const;

/** Raised when constructs fail validation or the rendered objects fail the gates. */
export class RenderError extends Error {}

/** Runs `node.validate()` on every construct, as `App.synth()` does, collecting all messages. */
export function validateConstructs(root: IConstruct): string[] {
  const errors: string[] = [];
  for (const construct of root.node.findAll()) {
    for (const message of construct.node.validate()) {
      errors.push(`[${construct.node.path}] ${message}`);
    }
  }
  return errors;
}

interface RenderOptions {
  readonly label: string;
  readonly kubeVersion: string;
  /** File name of a chart's objects. */
  readonly fileName: (chartId: string) => string;
  /** Annotate objects with sync waves and data protection. */
  readonly syncPolicy: boolean;
  /** Whether a file is listed in `kustomization.yaml` (cluster objects; not e.g. a plugin config file). */
  readonly inKustomization: (objects: readonly ManifestObject[]) => boolean;
}

function render(app: App, options: RenderOptions): Omit<RenderedFolder, 'folder'> {
  const invalid = validateConstructs(app);
  if (invalid.length) {
    throw new RenderError(`${options.label}: validation failed:\n  ${invalid.join('\n  ')}`);
  }
  if (options.syncPolicy) SyncHints.applyTo(app);
  const charts: { name: string; manifests: ManifestObject[] }[] = [];
  const objects: ManifestObject[] = [];
  for (const chart of app.charts) {
    const manifests = (chart as Chart).toJson() as ManifestObject[];
    if (!manifests.length) continue;
    charts.push({ name: options.fileName(chart.node.id), manifests });
    objects.push(...manifests);
  }
  // Across all charts at once: a chart's claims follow the workloads of another chart that mounts them.
  if (options.syncPolicy) applySyncPolicy(objects);
  const files: RenderedFile[] = charts.map(({ name, manifests }) => ({ name, content: toYaml(...manifests), objects: manifests }));
  const listed = charts.filter((c) => options.inKustomization(c.manifests)).map((c) => c.name);
  if (listed.length) files.push({ name: KUSTOMIZATION_FILE, content: kustomization(listed) });
  const gates = runGates(objects, { kubeVersion: options.kubeVersion });
  if (!gates.ok) {
    throw new RenderError(`${options.label}: gates failed:\n${formatFindings(gates.errors)}`);
  }
  return { files, objects, gates };
}

/**
 * Synthesizes `app` in memory (one manifest file per chart, named after the chart's id, plus a
 * `kustomization.yaml` listing them), annotates every object with its Argo CD sync wave and data protection
 * (`applySyncPolicy`), and runs the gates for `profile` on all its objects. Throws RenderError with every
 * problem found.
 */
export function renderProfile(app: App, profile: Profile, options: RenderProfileOptions = {}): RenderedProfile {
  const rendered = render(app, {
    label: `profile ${profile.name}`,
    kubeVersion: profile.kubeVersion.toString(),
    fileName: (id) => `${id}.k8s.yaml`,
    syncPolicy: true,
    inKustomization: () => true,
  });
  if (!options.reports) return { profile, folder: profile.name, ...rendered };
  const title = `${profile.name} (Kubernetes ${profile.kubeVersion})`;
  const capacity = CapacityReport.of(rendered.objects, { title });
  const topology = Topology.of(rendered.objects, { title });
  const files = [
    ...rendered.files,
    { name: REPORT_FILES.capacity, content: capacity.toMarkdown() },
    { name: REPORT_FILES.mermaid, content: topology.toMermaid() },
    { name: REPORT_FILES.dot, content: topology.toDot() },
  ];
  return { profile, folder: profile.name, ...rendered, files, capacity };
}

/**
 * Renders the Argo CD objects of `app` (Applications, ApplicationSets, the plugin config) into a folder such as
 * `dist/argocd/`: one `<chart id>.yaml` per chart, validated against the Argo CD schemas. `kustomization.yaml`
 * lists the cluster objects only; the ConfigManagementPlugin file is a sidecar config, not applied.
 */
export function renderArgoCd(app: App, options: { readonly folder?: string; readonly kubeVersion: string }): RenderedFolder {
  const folder = options.folder ?? 'argocd';
  const rendered = render(app, {
    label: `dist/${folder}`,
    kubeVersion: options.kubeVersion,
    fileName: (id) => `${id}.yaml`,
    syncPolicy: false,
    inKustomization: (objects) => objects.every((o) => o.kind !== 'ConfigManagementPlugin'),
  });
  return { folder, ...rendered };
}

/**
 * Replaces `<outdir>/<folder>/` with the rendered files of every folder, only once all of them are rendered:
 * each folder is written beside the old one and swapped in by rename, so a crash never leaves a half-written
 * folder and a failed render never touches `outdir`.
 */
export function writeRendered(outdir: string, rendered: readonly RenderedFolder[]): void {
  fs.mkdirSync(outdir, { recursive: true });
  for (const { folder, files } of rendered) {
    const target = path.join(outdir, folder);
    const staging = path.join(outdir, `.${folder}.new-${process.pid}`);
    const previous = path.join(outdir, `.${folder}.old-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(staging, file.name), file.content);
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    if (hadPrevious) fs.rmSync(previous, { recursive: true, force: true });
  }
}

/**
 * Writes what `cdk8s synth --stdout` prints: one `<folder>.k8s.yaml` per profile with all its objects. The CLI
 * concatenates every `.yaml` under its output folder, concurrently and without separators, so each profile is
 * a single file (no interleaving), starts with `---` (safe to concatenate) and no kustomization.yaml is there.
 */
export function writeForCli(outdir: string, rendered: readonly RenderedFolder[]): void {
  fs.mkdirSync(outdir, { recursive: true });
  for (const { folder, objects } of rendered) {
    fs.writeFileSync(path.join(outdir, `${folder}.k8s.yaml`), `---\n${toYaml(...objects)}`);
  }
}
