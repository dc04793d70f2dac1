import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GateReport, ManifestObject, duplicateObjectErrors, formatFindings, runGates } from '../checks';
import { Profile } from '../profiles';
import { CapacityReport } from './capacity-report';
import { KUSTOMIZATION_FILE, kustomization } from './kustomization';
import { SyncHints } from '../sync-phase';
import { SECRETS_FILES, SecretsInventory } from './secrets-inventory';
import { applySyncPolicy } from './sync-policy';
import { Topology } from './topology';
import { toYaml, toYamlDocument } from './yaml-emitter';

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
  /** Every Secret the render reads, when rendered with `reports`. @default - none (rendered without `reports`) */
  readonly secrets?: SecretsInventory;
}

/** Options of `renderProfile`. */
export interface RenderProfileOptions {
  /**
   * Add `CAPACITY.md` (CapacityReport), `topology.mmd` / `topology.dot` (Topology) and `SECRETS.md` / `secrets.json`
   * (SecretsInventory) to the profile's files. They are derived from the gated objects, deterministic, and not listed
   * in `kustomization.yaml`.
   * @default false
   */
  readonly reports?: boolean;
}

/** Files `renderProfile` adds with `reports`: the capacity report, the topology diagrams and the secrets inventory. */
export const REPORT_FILES = {
  capacity: 'CAPACITY.md', mermaid: 'topology.mmd', dot: 'topology.dot', secrets: SECRETS_FILES.markdown, secretsJson: SECRETS_FILES.json,
} as const;

/** Raised when constructs fail validation or the rendered objects fail the gates. */
export class RenderError extends Error {}

/**
 * Runs `node.validate()` on every construct, as `App.synth()` does, collecting all messages, and refuses two
 * constructs rendering the same object (naming both construct paths).
 */
export function validateConstructs(root: IConstruct): string[] {
  const errors: string[] = [];
  const objects: { source: string; object: ManifestObject }[] = [];
  for (const construct of root.node.findAll()) {
    for (const message of construct.node.validate()) {
      errors.push(`[${construct.node.path}] ${message}`);
    }
    if (ApiObject.isApiObject(construct)) {
      objects.push({ source: construct.node.path, object: { apiVersion: construct.apiVersion, kind: construct.kind, metadata: { name: construct.name, namespace: construct.metadata.namespace } } });
    }
  }
  errors.push(...duplicateObjectErrors(objects));
  return errors;
}

/**
 * A manifest file whose text is written from its objects when asked for (`content`), not held: a render keeps
 * its objects, and the YAML goes to disk object by object (`writeRendered`), so the text of a whole profile is
 * never in memory at once. Reading `content` twice writes it twice, with the same result.
 */
export function manifestFile(name: string, objects: readonly ManifestObject[]): RenderedFile {
  return { name, objects, get content() { return toYaml(...objects); } };
}

/** Bytes of YAML gathered before each write of `writeManifestFile`. */
const WRITE_CHUNK = 1 << 20;

/** Writes `docs` as one YAML stream (exactly `prefix + toYaml(...docs)`) to `file`, a chunk of documents at a time. */
export function writeManifestFile(file: string, docs: readonly unknown[], prefix = ''): void {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk = prefix;
    for (let i = 0; i < docs.length; i++) {
      chunk += i ? `---\n${toYamlDocument(docs[i])}` : toYamlDocument(docs[i]);
      if (chunk.length >= WRITE_CHUNK) {
        writeAll(fd, chunk);
        chunk = '';
      }
    }
    if (chunk) writeAll(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
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
  const files: RenderedFile[] = charts.map(({ name, manifests }) => manifestFile(name, manifests));
  const listed = charts.filter((c) => options.inKustomization(c.manifests)).map((c) => c.name);
  if (listed.length) files.push({ name: KUSTOMIZATION_FILE, content: kustomization(listed) });
  const gates = runGates(objects, { kubeVersion: options.kubeVersion });
  if (!gates.ok) {
    throw new RenderError(`${options.label}: gates failed:\n${formatFindings(gates.errors)}`);
  }
  return { files, objects, gates };
}

/** Title of a profile's capacity report and topology diagrams. */
export function reportTitle(profile: Profile): string {
  return `${profile.name} (Kubernetes ${profile.kubeVersion})`;
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
  const title = reportTitle(profile);
  const capacity = CapacityReport.of(rendered.objects, { title, profile });
  const topology = Topology.of(rendered.objects, { title });
  const secrets = SecretsInventory.of(rendered.objects);
  const files = [
    ...rendered.files,
    { name: REPORT_FILES.capacity, content: capacity.toMarkdown() },
    { name: REPORT_FILES.mermaid, content: topology.toMermaid() },
    { name: REPORT_FILES.dot, content: topology.toDot() },
    { name: REPORT_FILES.secrets, content: secrets.toMarkdown(title) },
    { name: REPORT_FILES.secretsJson, content: secrets.toJson() },
  ];
  return { profile, folder: profile.name, ...rendered, files, capacity, secrets };
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
  const staged = rendered.map((folder) => stageRendered(outdir, folder));
  swapInStaged(staged);
}

/** A folder written beside its target by `stageRendered`, waiting to be swapped in (`swapInStaged`) or dropped (`discardStaged`). */
export interface StagedFolder {
  /** Where the folder goes, e.g. `dist/gke`. */
  readonly target: string;
  /** Where it was written. */
  readonly staging: string;
}

/**
 * Writes the files of `folder` into a temporary folder beside `<outdir>/<folder>/` (manifest files object by
 * object, see `writeManifestFile`), so a render can go to disk as soon as it is gated and be dropped from
 * memory; nothing in `outdir` changes until `swapInStaged`.
 */
export function stageRendered(outdir: string, folder: RenderedFolder): StagedFolder {
  fs.mkdirSync(outdir, { recursive: true });
  const target = path.join(outdir, folder.folder);
  const staging = path.join(outdir, `.${folder.folder}.new-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const file of folder.files) {
    if (file.objects) writeManifestFile(path.join(staging, file.name), file.objects);
    else fs.writeFileSync(path.join(staging, file.name), file.content);
  }
  return { target, staging };
}

/** Replaces each target with its staged folder, by rename (a crash never leaves a half-written folder). */
export function swapInStaged(staged: readonly StagedFolder[]): void {
  for (const { target, staging } of staged) {
    const previous = path.join(path.dirname(target), `.${path.basename(target)}.old-${process.pid}`);
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    if (hadPrevious) fs.rmSync(previous, { recursive: true, force: true });
  }
}

/** Removes staged folders that will not be swapped in (a later render failed or the upgrade guard refused). */
export function discardStaged(staged: readonly StagedFolder[]): void {
  for (const { staging } of staged) fs.rmSync(staging, { recursive: true, force: true });
}

/**
 * Writes what `cdk8s synth --stdout` prints: one `<folder>.k8s.yaml` per profile with all its objects. The CLI
 * concatenates every `.yaml` under its output folder, concurrently and without separators, so each profile is
 * a single file (no interleaving), starts with `---` (safe to concatenate) and no kustomization.yaml is there.
 */
export function writeForCli(outdir: string, rendered: readonly RenderedFolder[]): void {
  fs.mkdirSync(outdir, { recursive: true });
  for (const { folder, objects } of rendered) {
    writeManifestFile(path.join(outdir, `${folder}.k8s.yaml`), objects, '---\n');
  }
}
