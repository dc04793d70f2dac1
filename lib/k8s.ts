/**
 * The one door to the generated Kubernetes bindings (cdk8s-plus-27's L1 classes), so a
 * binding upgrade touches a single import.
 */
export { k8s } from 'cdk8s-plus-27';

/**
 * The bindings are Kubernetes 1.27's: their serializers drop fields added since (native sidecars' `restartPolicy`,
 * `trafficDistribution`, `volumeAttributesClassName`). Merges `newer` (JSON field names, the same shape as the
 * object) into what the binding `rendered`: objects key by key, lists index by index, `newer`'s leaves win.
 */
export function withNewerFields(rendered: any, newer: any): any {
  if (Array.isArray(rendered) && Array.isArray(newer)) {
    return rendered.map((item, i) => (i < newer.length ? withNewerFields(item, newer[i]) : item));
  }
  if (!isPlainObject(rendered) || !isPlainObject(newer)) return newer === undefined ? rendered : newer;
  const out: Record<string, unknown> = { ...rendered };
  for (const [key, value] of Object.entries(newer)) {
    if (value !== undefined) out[key] = key in rendered ? withNewerFields(rendered[key], value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
