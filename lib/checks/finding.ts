/**
 * The one shape every gate reports in, so a render's problems can be listed, filtered and failed on uniformly.
 */
import type { ManifestObject } from './manifest-object';
import { ruleInfo, type Severity } from './rules';

export type { Severity } from './rules';

export interface Finding {
  /** Rule id, e.g. `pss/run-as-non-root`; `skip` and `warn` in GateOptions take these ids. */
  readonly rule: string;
  /** The upstream check this rule mirrors, e.g. `pod-security-admission restricted: runAsNonRoot`. */
  readonly upstream: string;
  readonly severity: Severity;
  /** `Kind namespace/name` for namespaced objects, `Kind name` otherwise, e.g. `StatefulSet ml-db/postgres`. */
  readonly object: string;
  /** JSON path inside the object, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly path?: string;
  readonly message: string;
}

/** Kinds (of the groups we render) that have no namespace; everything else is namespaced. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'VolumeAttributesClass', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'IngressClass', 'IPAddress',
  'ServiceCIDR', 'ComponentStatus', 'VolumeSnapshotClass', 'VolumeSnapshotContent', 'ClusterSecretStore',
  'ClusterExternalSecret', 'CustomResourceDefinition', 'ConfigManagementPlugin', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** Objects without a namespace land in `default` when applied, so that is where cross-object rules look. */
export function namespaceOf(obj: ManifestObject): string | undefined {
  if (isClusterScoped(obj.kind)) return undefined;
  return obj.metadata?.namespace ?? 'default';
}

export function describeObject(obj: ManifestObject): string {
  const name = obj.metadata?.name ?? '<unnamed>';
  const ns = namespaceOf(obj);
  return `${obj.kind ?? '<no kind>'} ${ns ? `${ns}/` : ''}${name}`;
}

/** Builds a finding for a catalogued rule; upstream and default severity come from the catalogue. */
export function finding(rule: string, obj: ManifestObject, path: string | undefined, message: string): Finding {
  const info = ruleInfo(rule);
  return { rule, upstream: info.upstream, severity: info.severity, object: describeObject(obj), path, message };
}

/** One line per finding: `error [rule] Kind ns/name path: message (mirrors: upstream)`. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${f.severity} [${f.rule}] ${f.object}${f.path ? ` ${f.path}` : ''}: ${f.message} (mirrors: ${f.upstream})`)
    .join('\n');
}

/** `a.b[0].c` from path segments; numeric segments become indices. */
export function joinPath(...segments: ReadonlyArray<string | number | undefined>): string {
  let out = '';
  for (const s of segments) {
    if (s === undefined || s === '') continue;
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}
