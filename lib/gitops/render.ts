import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GateReport, ManifestObject, formatFindings, runGates } from '../checks';
import { Profile } from '../profiles';

/** One file of a rendered profile. */
export interface RenderedFile {
  /** File name inside `dist/<profile>/`, e.g. `ml-db.k8s.yaml`. */
  readonly name: string;
  /** The file's text. */
  readonly content: string;
  /** The Kubernetes objects in the file, when it is a manifest file. */
  readonly objects?: readonly ManifestObject[];
}

/** The manifests of one profile, gated, ready to write. */
export interface RenderedProfile {
  readonly profile: Profile;
  readonly files: readonly RenderedFile[];
  /** Every Kubernetes object of the profile, in file order. */
  readonly objects: readonly ManifestObject[];
  readonly gates: GateReport;
}

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

/**
 * Synthesizes `app` in memory (one manifest file per chart, named after the chart's id) and runs
 * the gates for `profile` on all its objects. Throws RenderError with every problem found.
 */
export function renderProfile(app: App, profile: Profile): RenderedProfile {
  const invalid = validateConstructs(app);
  if (invalid.length) {
    throw new RenderError(`profile ${profile.name}: validation failed:\n  ${invalid.join('\n  ')}`);
  }
  const files: RenderedFile[] = [];
  const objects: ManifestObject[] = [];
  for (const chart of app.charts) {
    const manifests = (chart as Chart).toJson() as ManifestObject[];
    if (!manifests.length) continue;
    files.push({ name: `${chart.node.id}.k8s.yaml`, content: Yaml.stringify(...manifests), objects: manifests });
    objects.push(...manifests);
  }
  const gates = runGates(objects, { kubeVersion: profile.kubeVersion.toString() });
  if (!gates.ok) {
    throw new RenderError(`profile ${profile.name}: gates failed:\n${formatFindings(gates.errors)}`);
  }
  return { profile, files, objects, gates };
}

/**
 * Replaces `<outdir>/<profile>/` with the rendered files for every profile, only once all of them
 * are rendered: each folder is written beside the old one and swapped in by rename, so a crash
 * never leaves a half-written folder and a failed render never touches `outdir`.
 */
export function writeRendered(outdir: string, rendered: readonly RenderedProfile[]): void {
  fs.mkdirSync(outdir, { recursive: true });
  for (const { profile, files } of rendered) {
    const target = path.join(outdir, profile.name);
    const staging = path.join(outdir, `.${profile.name}.new-${process.pid}`);
    const previous = path.join(outdir, `.${profile.name}.old-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const file of files) fs.writeFileSync(path.join(staging, file.name), file.content);
    const hadPrevious = fs.existsSync(target);
    if (hadPrevious) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    if (hadPrevious) fs.rmSync(previous, { recursive: true, force: true });
  }
}
