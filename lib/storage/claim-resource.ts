import { Construct } from 'constructs';
import { k8s, withNewerFields } from '../k8s';

/**
 * A PersistentVolumeClaim that keeps `spec.volumeAttributesClassName` (Kubernetes 1.34+, set by
 * `StorageTier.claimSpec` where the tier has a VolumeAttributesClass), which the 1.27 binding drops.
 * Use it instead of `k8s.KubePersistentVolumeClaim` for claims built from a tier.
 */
export class PersistentVolumeClaimResource extends k8s.KubePersistentVolumeClaim {
  private readonly volumeAttributesClassName?: string;

  constructor(scope: Construct, id: string, props: k8s.KubePersistentVolumeClaimProps) {
    super(scope, id, props);
    this.volumeAttributesClassName = (props.spec as { volumeAttributesClassName?: string } | undefined)?.volumeAttributesClassName;
  }

  public toJson(): any {
    const json = super.toJson();
    return this.volumeAttributesClassName ? withNewerFields(json, { spec: { volumeAttributesClassName: this.volumeAttributesClassName } }) : json;
  }
}
