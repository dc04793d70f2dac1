/**
 * Object names the API server accepts, checked at synth time so a bad name fails the render instead of the sync.
 */
import { type Finding, finding } from './finding';
import type { ManifestObject } from './manifest-index';
import { isDns1123Label, isDns1123Subdomain } from '../names';

export { isDns1123Label, isDns1123Subdomain };
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** RBAC names are path segments (e.g. `system:controller:foo`), not DNS names. */
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameProblem(kind: string, name: string): string | undefined {
  if (PATH_SEGMENT_KINDS.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? `must be a path segment (no "/", "%", "." or "..")` : undefined;
  }
  if (kind === 'Namespace') {
    return isDns1123Label(name) ? undefined : 'must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)';
  }
  if (kind === 'Service') {
    // Services are DNS-1035 labels: the name becomes a DNS label and must start with a letter.
    return name.length <= 63 && DNS1035.test(name) ? undefined : 'must be a DNS-1035 label (lowercase alphanumerics and "-", starting with a letter, at most 63 characters)';
  }
  return isDns1123Subdomain(name) ? undefined : 'must be a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", at most 253 characters)';
}

/** StatefulSet pods are labelled controller-revision-hash=<name>-<10-char hash>; label values stop at 63. */
export const MAX_STATEFULSET_NAME = 52;

export function checkNames(objects: readonly ManifestObject[]): Finding[] {
  const out: Finding[] = [];
  for (const obj of objects) {
    if (!obj || typeof obj !== 'object') continue; // reported by schema validation
    const name = obj.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      out.push(finding('names/dns-1123', obj, 'metadata.name', 'metadata.name is missing; every object needs an explicit, deterministic name'));
    } else {
      const problem = nameProblem(obj.kind, name);
      if (problem) out.push(finding('names/dns-1123', obj, 'metadata.name', `name "${name}" ${problem}`));
    }
    const ns = obj.metadata?.namespace;
    if (typeof ns === 'string' && !isDns1123Label(ns)) {
      out.push(finding('names/dns-1123', obj, 'metadata.namespace',
        `namespace "${ns}" must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)`));
    }
    if (obj.kind === 'StatefulSet' && typeof name === 'string' && name.length > MAX_STATEFULSET_NAME) {
      out.push(finding('names/statefulset-length', obj, 'metadata.name',
        `name "${name}" is ${name.length} characters; the controller labels every pod controller-revision-hash=<name>-<10-character hash>, ` +
        `which must fit in a 63-character label value, so pods are never created; shorten it to at most ${MAX_STATEFULSET_NAME} characters`));
    }
  }
  return out;
}
