import { App, Chart } from 'cdk8s';
import { Profile } from '../../lib';
import { validateConstructs } from '../../lib/gitops';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** A fresh app with `profile` attached and one chart to build into. */
export function newChart(profile: Profile = Profile.kind()): { app: App; chart: Chart; profile: Profile } {
  const app = new App();
  profile.attachTo(app);
  return { app, chart: new Chart(app, 'test'), profile };
}

/** Construct validations (as synth runs them) then the chart's objects. Throws on validation errors. */
export function synth(chart: Chart): Manifest[] {
  const errors = validateConstructs(chart);
  if (errors.length) throw new Error(errors.join('\n'));
  return chart.toJson() as Manifest[];
}

/** The single object of `kind` named `name`; fails with the names present otherwise. */
export function find(objects: readonly Manifest[], kind: string, name: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} '${name}', found ${found.length}; ${kind}s: ${objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).join(', ')}`);
  }
  return found[0];
}

export function all(objects: readonly Manifest[], kind: string): Manifest[] {
  return objects.filter((o) => o.kind === kind);
}

/** `true` when `selector` (matchLabels-style) selects an object carrying `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The single Job whose content-versioned name is `<base>-<8 hex digits>` (see contentVersionedName). */
export function findJob(objects: readonly Manifest[], base: string): Manifest {
  const found = objects.filter((o) => o.kind === 'Job' && new RegExp(`^${base}-[0-9a-f]{8}$`).test(o.metadata.name));
  if (found.length !== 1) {
    throw new Error(`expected one Job '${base}-<hash>', found ${found.length}; Jobs: ${objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.name).join(', ')}`);
  }
  return found[0];
}
