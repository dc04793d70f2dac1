import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** Fields of a `storage.k8s.io/v1` VolumeAttributesClass (cluster-scoped; driverName and parameters are immutable). */
export interface KubeVolumeAttributesClassProps {
  /** Must carry an explicit `name`. */
  readonly metadata: ApiObjectMetadata;
  /** CSI driver that applies the attributes: the provisioner of the volumes that name the class. */
  readonly driverName: string;
  /** Driver-specific mutable attributes (IOPS, throughput). */
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * `storage.k8s.io/v1` VolumeAttributesClass (Kubernetes 1.34+). cdk8s-plus-27's bindings predate it, so this is a
 * typed ApiObject; its fields are top-level, not under `spec`. A claim that names another class is modified in
 * place by the CSI driver (ControllerModifyVolume): IOPS and throughput change without a new volume.
 */
export class KubeVolumeAttributesClass extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass' };

  constructor(scope: Construct, id: string, props: KubeVolumeAttributesClassProps) {
    super(scope, id, {
      ...KubeVolumeAttributesClass.GVK,
      metadata: props.metadata,
      driverName: props.driverName,
      parameters: { ...props.parameters },
    });
  }
}

/**
 * `<prefix>-<tier>-<8 hex digits of the parameters>`: a class's parameters are immutable, so new values get a new
 * name, and claims move to it by changing their volumeAttributesClassName (which the API server allows).
 */
export function volumeAttributesClassName(prefix: string, tier: string, driverName: string, parameters: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify([driverName, Object.keys(parameters).sort().map((k) => [k, parameters[k]])]);
  return `${prefix}-${tier}-${createHash('sha256').update(canonical).digest('hex').slice(0, 8)}`;
}
