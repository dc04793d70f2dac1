/**
 * The gate a render passes before it is written: strict schema, Pod Security `restricted`, and hygiene, over all
 * objects of one profile at once so cross-object rules (Service <-> StatefulSet, PDBs, StorageClasses) see everything.
 */
import { type Finding, formatFindings } from './finding';
import type { ManifestObject } from './manifest-object';
import { describeObject } from './object-identity';
import { runChecks } from './registry';
import { type RuleSelector, RULES } from './rules';
import type { CustomResourceSchema } from './schema';

/** Per-object opt-out, comma-separated rule ids, for the rare object that is right to break a rule. */
export const SKIP_ANNOTATION = 'checks.cdk8s-stateful-ml.io/skip';

export interface GateOptions {
  /** Kubernetes version the render targets, e.g. `"1.31"`; versions without vendored schemas use the nearest lower one. */
  readonly kubeVersion: string;
  /** Schemas for custom resources with no built-in schema (or to override a built-in one). @default none */
  readonly customResourceSchemas?: readonly CustomResourceSchema[];
  /** Rule ids (or families like `pss/*`) not to run; a misspelt id does not compile (and throws from JavaScript). @default none */
  readonly skip?: readonly RuleSelector[];
  /** Rule ids (or families) reported as warnings instead of errors. @default none */
  readonly warn?: readonly RuleSelector[];
}

export interface GateReport {
  readonly findings: readonly Finding[];
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** No errors (warnings do not fail a render). */
  readonly ok: boolean;
}

export class GateError extends Error {
  constructor(readonly report: GateReport) {
    super(`${report.errors.length} validation gate error(s):\n${formatFindings(report.errors)}`);
    this.name = 'GateError';
  }
}

/**
 * Compiles `skip`/`warn` entries into a predicate. Entries are checked again here because they also come untyped
 * (JavaScript callers, the skip annotation): unknown ids throw so a typo cannot silently disable nothing.
 */
function ruleMatcher(entries: readonly string[] | undefined, option: string): (rule: string) => boolean {
  const known = Object.keys(RULES);
  const exact = new Set<string>();
  const families: string[] = [];
  for (const e of entries ?? []) {
    if (e.endsWith('/*')) {
      const family = e.slice(0, -1);
      if (!known.some((r) => r.startsWith(family))) throw new Error(`${option}: no rule matches "${e}"`);
      families.push(family);
    } else {
      if (!known.includes(e)) throw new Error(`${option}: unknown rule id "${e}" (known: ${known.join(', ')})`);
      exact.add(e);
    }
  }
  return (rule) => exact.has(rule) || families.some((f) => rule.startsWith(f));
}

/**
 * Runs every check of the registry (registry.ts) on the whole render of one profile (all charts at once, so
 * cross-object rules see everything): strict schema validation for `options.kubeVersion`, Pod Security Standards
 * `restricted`, StatefulSet/workload hygiene, and the API server's value rules (duplicates, limits, env names, keys, ...). Errors make `ok` false; `skip` and `warn`
 * switch rules (or rule families like `pss/*`) off or down to warnings.
 */
export function runGates(objects: readonly ManifestObject[], options: GateOptions): GateReport {
  const skipped = ruleMatcher(options.skip, 'skip');
  const warned = ruleMatcher(options.warn, 'warn');
  const raw = runChecks(objects, options);

  // Findings name their object with describeObject, so that string is the join key for per-object skips.
  const perObjectSkips = new Map<string, (rule: string) => boolean>();
  for (const obj of objects) {
    const value = obj?.metadata?.annotations?.[SKIP_ANNOTATION];
    if (typeof value === 'string') {
      const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
      perObjectSkips.set(describeObject(obj), ruleMatcher(ids, `${SKIP_ANNOTATION} on ${describeObject(obj)}`));
    }
  }

  const findings: Finding[] = [];
  for (const f of raw) {
    if (skipped(f.rule) || perObjectSkips.get(f.object)?.(f.rule)) continue;
    findings.push(warned(f.rule) && f.severity === 'error' ? { ...f, severity: 'warning' } : f);
  }
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  return { findings, errors, warnings, ok: errors.length === 0 };
}

/** Runs the gates and throws a GateError listing every error; returns the report (with any warnings) otherwise. */
export function assertGates(objects: readonly ManifestObject[], options: GateOptions): GateReport {
  const report = runGates(objects, options);
  if (!report.ok) throw new GateError(report);
  return report;
}
