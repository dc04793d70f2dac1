import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { PersistentVolumeClaimResource, Quantity, SnapshotRef, StorageTier } from '../storage';
import type { VolumeClaimTemplateSpec } from './stateful-workload';
import { WorkloadSource, workloadOf } from './snapshot-schedule';
import { MANAGED_BY_LABELS } from '../names';
import { describeConstruct, propsError } from '../private/errors';

/** Props of `RestoredClaim`. */
export interface RestoredClaimProps {
  /** Claim name. */
  readonly name: string;
  /** Namespace of the claim (the snapshot's). */
  readonly namespace: string;
  /** Tier of the new volume; its driver must be the one that took the snapshot. */
  readonly tier: StorageTier;
  /** Size of the new volume: at least the snapshot's `restoreSize` (the source claim's size). */
  readonly size: string;
  /** The VolumeSnapshot to restore from. */
  readonly snapshot: SnapshotRef;
  /** @default - `app.kubernetes.io/managed-by` only */
  readonly labels?: Readonly<Record<string, string>>;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A PersistentVolumeClaim populated from a VolumeSnapshot: to inspect a snapshot, copy data out,
 * or (with `RestoredClaim.forWorkload`) to give a StatefulSet's pods their restored volumes.
 */
export class RestoredClaim extends Construct {
  /**
   * Pre-creates the claims of `template` for ordinals 0..n-1 of a workload, each from its own
   * snapshot (`snapshots[i]` for ordinal i), named exactly as the StatefulSet names its claims
   * (`<template>-<statefulset>-<i>`): the controller adopts existing claims instead of creating
   * empty ones. The claims are ordered before the StatefulSet in the output and share its Argo CD
   * sync wave (an earlier wave would wait forever: with WaitForFirstConsumer a claim stays Pending
   * until its pod exists). Apply them only into a namespace where the claims do not exist yet: an
   * existing claim keeps its data.
   */
  public static forWorkload(scope: Construct, id: string, props: {
    readonly target: WorkloadSource;
    /** Volume claim template the snapshots are restored into. */
    readonly template: string;
    /** One snapshot per ordinal, ordinal 0 first; at most `replicas`. */
    readonly snapshots: readonly SnapshotRef[];
  }): RestoredClaim[] {
    const workload = workloadOf(props.target);
    const spec = workload.volumeClaims.find((c) => c.name === props.template);
    const group = new Construct(scope, id);
    if (!spec) {
      throw propsError(group, 'RestoredClaim', `StatefulWorkload '${workload.name}' has no volume claim template '${props.template}' ` +
        `(it has: ${workload.volumeClaims.map((c) => c.name).join(', ') || 'none'}).`);
    }
    if (!props.snapshots.length || props.snapshots.length > workload.replicas) {
      throw propsError(group, 'RestoredClaim', `give one snapshot per ordinal, 1 to ${workload.replicas} (the replicas of '${workload.name}'), got ${props.snapshots.length}.`);
    }
    return props.snapshots.map((snapshot, ordinal) => {
      const claim = new RestoredClaim(group, String(ordinal), {
        name: workload.claimName(spec.name, ordinal),
        namespace: workload.namespace,
        tier: spec.tier,
        size: spec.size,
        snapshot,
        labels: { ...workload.selectorLabels, ...MANAGED_BY_LABELS },
      });
      workload.statefulSet.addDependency(claim.resource);
      return claim;
    });
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly resource: k8s.KubePersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: RestoredClaimProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    if (!NAME.test(props.name) || props.name.length > 253) {
      throw propsError(this, 'RestoredClaim', `invalid claim name '${props.name}': a DNS-1123 subdomain (lower-case letters, digits, '-' and '.').`);
    }
    const problem = props.snapshot.restoreProblem(props.tier, props.namespace);
    if (problem) throw propsError(this, 'RestoredClaim', `${problem}.`);
    Quantity.parse(props.size, `size of ${describeConstruct(this, 'RestoredClaim')}`);
    const sizeProblem = props.tier.sizeProblem(props.size);
    if (sizeProblem) throw propsError(this, 'RestoredClaim', `${sizeProblem}.`);
    this.resource = new PersistentVolumeClaimResource(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...MANAGED_BY_LABELS, ...props.labels },
        annotations: { 'ml.cdk8s.io/restored-from': props.snapshot.name },
      },
      spec: props.tier.claimSpec(props.size, props.snapshot.dataSource),
    });
  }
}

/**
 * A volume claim template whose new claims are all populated from `snapshot`, checked against
 * the tier and namespace: `volumeClaims: [restoredTemplate({ name: 'data', tier, size }, snap, 'ml-db')]`.
 * Only claims that do not exist yet are populated (a fresh workload, or ordinals added later).
 */
export function restoredTemplate(spec: Omit<VolumeClaimTemplateSpec, 'dataSource'>, snapshot: SnapshotRef, namespace: string): VolumeClaimTemplateSpec {
  const problem = snapshot.restoreProblem(spec.tier, namespace);
  if (problem) throw new Error(`Volume claim template '${spec.name}' restored from a snapshot: ${problem}.`);
  return { ...spec, dataSource: snapshot.dataSource };
}
