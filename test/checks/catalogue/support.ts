/**
 * Shared machinery of the catalogue: the reference platform rendered once per profile (kind: Kubernetes 1.30,
 * gke: 1.32), helpers to break one object the way a user would (an escape-hatch patch of the rendered object),
 * and the public synth entry run into a temporary folder whose contents are hashed before and after.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { renderWith, synthesize } from '../../../apps/main';
import { buildPlatform } from '../../../apps/platform';
import { type Finding, type ManifestObject, Profile, runGates } from '../../../lib';
import { gkeWithShared } from '../../support/clusters';

export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

const renders = new Map<string, readonly Obj[]>();

/** The reference platform's objects for `profile` ('kind' or 'gke'), rendered and gated once per test file. */
export function baseRender(profile: 'kind' | 'gke'): readonly Obj[] {
  let objects = renders.get(profile);
  if (!objects) {
    // gke with a network declared, so its shared tier (and the trainer's standalone dataset claim) is rendered.
    const p = profile === 'kind' ? Profile.kind() : gkeWithShared();
    objects = renderWith(p, buildPlatform).objects as Obj[];
    renders.set(profile, objects);
  }
  return objects;
}

export const KUBE_VERSION = { kind: '1.30', gke: '1.32' } as const;

/** A deep copy of the base render (the cases mutate it). */
export function freshRender(profile: 'kind' | 'gke'): Obj[] {
  return JSON.parse(JSON.stringify(baseRender(profile)));
}

/** The object of `kind` named `name` in `objects` (throws, listing names, when absent). */
export function pick(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}; ${kind}s: ${objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).join(', ')}`);
  return found;
}

/** The first object of `kind` (optionally whose name starts with `prefix`). */
export function first(objects: Obj[], kind: string, prefix = ''): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.startsWith(prefix));
  if (!found) throw new Error(`no ${kind} ${prefix}*`);
  return found;
}

/** The pod spec of a workload (StatefulSet, Deployment, Job, CronJob). */
export function podSpec(o: Obj): any {
  return o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}

export interface GateOutcome {
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

export function gate(objects: readonly Obj[], kubeVersion: string): GateOutcome {
  const report = runGates(objects as unknown as ManifestObject[], { kubeVersion });
  return { errors: report.errors, warnings: report.warnings };
}

/** One line as the synth entry prints a finding: object, path, message. */
export function line(f: Finding): string {
  return `${f.object} ${f.path ?? ''}: ${f.message}`;
}

/** sha256 over every file (path and content) under `dir`. */
export function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else hash.update(`${path.relative(dir, p)}\0`).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** A temporary outdir holding a previous render (a stand-in `dist/`), so "left unchanged" is checkable. */
export function previousDist(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-dist-'));
  fs.mkdirSync(path.join(dir, 'kind'));
  fs.writeFileSync(path.join(dir, 'kind', 'platform.k8s.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: previous\n');
  return dir;
}

export interface SynthOutcome {
  readonly code: number;
  /** Everything the entry logged. */
  readonly log: string;
  /** Whether the outdir's files are byte-identical afterwards. */
  readonly unchanged: boolean;
}

/** Runs the public synth entry (`synthesize`, as `npm run synth` does) for `profiles` with `build`, into `outdir`. */
export function runSynth(build: (app: App, profile: Profile) => void, profiles: () => Profile[] = () => [Profile.kind()]): SynthOutcome {
  const outdir = previousDist();
  try {
    const before = treeHash(outdir);
    const lines: string[] = [];
    const code = synthesize({ outdir, profiles, build, log: (l) => lines.push(l) });
    return { code, log: lines.join('\n'), unchanged: treeHash(outdir) === before };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
