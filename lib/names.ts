/**
 * Literals every layer shares: the managed-by label, Kubernetes name syntax, the pod-index fieldRef.
 * Defined once here (layer 0) so a change reaches every object; test/architecture/literals.test.ts
 * fails if a copy reappears in lib/.
 */

/** Label stamped on every object this library renders. */
export const MANAGED_BY_LABELS: { readonly 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' } = Object.freeze({
  'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml',
});

/** One DNS-1123 label, unanchored (for composing larger patterns, e.g. a label key's prefix). */
export const DNS_1123_LABEL_PATTERN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** A DNS-1123 subdomain (dot-separated labels), unanchored. */
export const DNS_1123_SUBDOMAIN_PATTERN = `${DNS_1123_LABEL_PATTERN}(\\.${DNS_1123_LABEL_PATTERN})*`;

/** DNS-1123 label syntax (no length limit: callers apply theirs, 63 for most names). */
export const DNS_1123_LABEL = new RegExp(`^${DNS_1123_LABEL_PATTERN}$`);
/** DNS-1123 subdomain syntax (no length limit; see isDns1123Subdomain). */
export const DNS_1123_SUBDOMAIN = new RegExp(`^${DNS_1123_SUBDOMAIN_PATTERN}$`);

/** A DNS-1123 label of at most `max` characters (63, the API server's limit, unless a caller needs room for a suffix). */
export function isDns1123Label(s: string, max = 63): boolean {
  return s.length <= max && DNS_1123_LABEL.test(s);
}

/** A DNS-1123 subdomain of at most 253 characters. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS_1123_SUBDOMAIN.test(s);
}

/** Downward-API fieldRef for a StatefulSet pod's ordinal, from its `apps.kubernetes.io/pod-index` label (KubeVersion.hasPodIndexLabel). */
export function podIndexFieldRef(): { fieldRef: { fieldPath: string } } {
  return { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } };
}
