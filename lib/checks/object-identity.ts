/** How findings and cross-object rules name an object: its kind, its namespace (if it has one) and its name. */
import type { ManifestObject } from './manifest-object';

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

/** `Kind namespace/name` for namespaced objects, `Kind name` otherwise, e.g. `StatefulSet ml-db/postgres`. */
export function describeObject(obj: ManifestObject): string {
  const name = obj.metadata?.name ?? '<unnamed>';
  const ns = namespaceOf(obj);
  return `${obj.kind ?? '<no kind>'} ${ns ? `${ns}/` : ''}${name}`;
}
