/**
 * The one shape every gate reports in, so a render's problems can be listed, filtered and failed on uniformly.
 */
import type { ManifestObject } from './manifest-object';
import { describeObject } from './object-identity';
import { type RuleId, type Severity, ruleInfo } from './rules';

export type { Severity } from './rules';

export interface Finding {
  /** Rule id, e.g. `pss/run-as-non-root`; `skip` and `warn` in GateOptions take these ids. */
  readonly rule: RuleId;
  /** The upstream check this rule mirrors, e.g. `pod-security-admission restricted: runAsNonRoot`. */
  readonly upstream: string;
  readonly severity: Severity;
  /** `Kind namespace/name` for namespaced objects, `Kind name` otherwise, e.g. `StatefulSet ml-db/postgres`. */
  readonly object: string;
  /** JSON path inside the object, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly path?: string;
  readonly message: string;
}

/** Builds a finding for a catalogued rule; upstream and default severity come from the catalogue. */
export function finding(rule: RuleId, obj: ManifestObject, path: string | undefined, message: string): Finding {
  const info = ruleInfo(rule);
  return { rule, upstream: info.upstream, severity: info.severity, object: describeObject(obj), path, message };
}

/** One line per finding: `error [rule] Kind ns/name path: message (mirrors: upstream)`. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.severity} [${f.rule}] ${f.object}${f.path ? ` ${f.path}` : ''}: ${f.message} (mirrors: ${f.upstream})`)
    .join('\n');
}
