import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** API group of the CSI snapshot CRDs (kubernetes-csi/external-snapshotter). */
export const SNAPSHOT_API_GROUP = 'snapshot.storage.k8s.io';

/** What happens to the VolumeSnapshotContent and the storage snapshot when a VolumeSnapshot is deleted. */
export type SnapshotDeletionPolicy = 'Retain' | 'Delete';

/** Fields of a `snapshot.storage.k8s.io/v1` VolumeSnapshotClass (cluster-scoped). */
export interface KubeVolumeSnapshotClassProps {
  /** Must carry an explicit `name`. */
  readonly metadata: ApiObjectMetadata;
  /** CSI driver that takes the snapshots: the provisioner of the volumes it snapshots. */
  readonly driver: string;
  /** `Retain` keeps the storage snapshot when the VolumeSnapshot is deleted; `Delete` removes it. */
  readonly deletionPolicy: SnapshotDeletionPolicy;
  /** Driver-specific parameters. @default - none */
  readonly parameters?: Readonly<Record<string, string>>;
}

/**
 * `snapshot.storage.k8s.io/v1` VolumeSnapshotClass. cdk8s-plus-27 has no binding for the CSI
 * snapshot CRDs, so this is a typed ApiObject; its fields are top-level, not under `spec`.
 */
export class KubeVolumeSnapshotClass extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: `${SNAPSHOT_API_GROUP}/v1`, kind: 'VolumeSnapshotClass' };

  constructor(scope: Construct, id: string, props: KubeVolumeSnapshotClassProps) {
    super(scope, id, {
      ...KubeVolumeSnapshotClass.GVK,
      metadata: props.metadata,
      driver: props.driver,
      deletionPolicy: props.deletionPolicy,
      ...(props.parameters && Object.keys(props.parameters).length ? { parameters: { ...props.parameters } } : {}),
    });
  }
}

/** Where a VolumeSnapshot takes its data from: exactly one of the two fields. */
export type VolumeSnapshotSource =
  | { readonly persistentVolumeClaimName: string }
  | { readonly volumeSnapshotContentName: string };

/** Fields of a `snapshot.storage.k8s.io/v1` VolumeSnapshot (namespaced, like the claim it copies). */
export interface KubeVolumeSnapshotProps {
  /** Must carry an explicit `name` and `namespace`. */
  readonly metadata: ApiObjectMetadata;
  /** Source of the snapshot and its class. */
  readonly spec: {
    readonly source: VolumeSnapshotSource;
    /** @default - the cluster's default VolumeSnapshotClass for the driver */
    readonly volumeSnapshotClassName?: string;
  };
}

/** `snapshot.storage.k8s.io/v1` VolumeSnapshot, a typed ApiObject (no binding exists in cdk8s-plus-27). */
export class KubeVolumeSnapshot extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: `${SNAPSHOT_API_GROUP}/v1`, kind: 'VolumeSnapshot' };

  constructor(scope: Construct, id: string, props: KubeVolumeSnapshotProps) {
    super(scope, id, {
      ...KubeVolumeSnapshot.GVK,
      metadata: props.metadata,
      spec: {
        source: { ...props.spec.source },
        ...(props.spec.volumeSnapshotClassName ? { volumeSnapshotClassName: props.spec.volumeSnapshotClassName } : {}),
      },
    });
  }
}
