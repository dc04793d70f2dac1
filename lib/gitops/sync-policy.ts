import { ManifestIndex, type ManifestObject, type PodTemplateRef, selectorMatches } from '../checks';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, SyncPhase, withDataProtection } from '../sync-phase';

/** Loosely typed view of manifest fields; the schema gate guarantees their shapes. */
type Json = any;

/** Phase of each kind when nothing more specific is known; anything unlisted syncs last. */
const KIND_PHASE: Readonly<Record<string, SyncPhase>> = {
  Namespace: SyncPhase.FOUNDATION,
  StorageClass: SyncPhase.FOUNDATION,
  VolumeSnapshotClass: SyncPhase.FOUNDATION,
  VolumeAttributesClass: SyncPhase.FOUNDATION,
  CustomResourceDefinition: SyncPhase.FOUNDATION,
  PriorityClass: SyncPhase.FOUNDATION,
  RuntimeClass: SyncPhase.FOUNDATION,
  IngressClass: SyncPhase.FOUNDATION,
  ClusterRole: SyncPhase.FOUNDATION,
  ClusterRoleBinding: SyncPhase.FOUNDATION,
  ResourceQuota: SyncPhase.FOUNDATION,
  LimitRange: SyncPhase.FOUNDATION,
  ExternalSecret: SyncPhase.CREDENTIALS,
  SecretStore: SyncPhase.CREDENTIALS,
  ClusterSecretStore: SyncPhase.CREDENTIALS,
  ServiceAccount: SyncPhase.CREDENTIALS,
  Role: SyncPhase.CREDENTIALS,
  RoleBinding: SyncPhase.CREDENTIALS,
  ConfigMap: SyncPhase.CREDENTIALS,
  StatefulSet: SyncPhase.DATA,
  PersistentVolume: SyncPhase.DATA,
  PersistentVolumeClaim: SyncPhase.DATA,
  VolumeSnapshot: SyncPhase.DATA,
  VolumeSnapshotContent: SyncPhase.DATA,
  Job: SyncPhase.MIGRATIONS,
};

/** Kinds that are data, or hold it: pruning or deleting them with the Application loses it. */
const DATA_KINDS = new Set(['PersistentVolumeClaim', 'PersistentVolume', 'VolumeSnapshot', 'VolumeSnapshotContent']);

/** The phase an object gets from its kind alone. */
export function phaseOfKind(kind: string): SyncPhase {
  return KIND_PHASE[kind] ?? SyncPhase.WORKLOADS;
}

/** Whether Argo CD must never prune or delete this object (claims, snapshots, StatefulSets with claim templates). */
export function holdsData(obj: ManifestObject): boolean {
  if (DATA_KINDS.has(obj.kind)) return true;
  return obj.kind === 'StatefulSet' && ((obj as Json).spec?.volumeClaimTemplates?.length ?? 0) > 0;
}

function annotationsOf(obj: ManifestObject): Record<string, string> {
  const meta = ((obj as Json).metadata ??= {});
  return (meta.annotations ??= {});
}

function explicitWave(obj: ManifestObject): number | undefined {
  const value = obj.metadata?.annotations?.[SYNC_WAVE_ANNOTATION];
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw new Error(`${obj.kind} ${obj.metadata?.name}: annotation ${SYNC_WAVE_ANNOTATION}="${value}" is not an integer; use e.g. "20".`);
  }
  return Number(value);
}

/** Labels controllers add to pods, absent from templates: a Service pinned to one pod still follows its workload. */
const CONTROLLER_LABELS = ['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'controller-revision-hash', 'pod-template-hash'];

function withoutControllerLabels(selector: Record<string, string>): Record<string, string> {
  const out = { ...selector };
  for (const key of CONTROLLER_LABELS) delete out[key];
  return out;
}

/** Names of the ConfigMaps and claims a pod spec mounts or reads. */
function referencedBy(spec: Json): { configMaps: string[]; claims: string[] } {
  const configMaps: string[] = [];
  const claims: string[] = [];
  for (const v of spec.volumes ?? []) {
    if (v.configMap?.name) configMaps.push(v.configMap.name);
    if (v.persistentVolumeClaim?.claimName) claims.push(v.persistentVolumeClaim.claimName);
    for (const source of v.projected?.sources ?? []) if (source.configMap?.name) configMaps.push(source.configMap.name);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const from of c.envFrom ?? []) if (from.configMapRef?.name) configMaps.push(from.configMapRef.name);
    for (const env of c.env ?? []) if (env.valueFrom?.configMapKeyRef?.name) configMaps.push(env.valueFrom.configMapKeyRef.name);
  }
  return { configMaps, claims };
}

/**
 * Annotates every object of one render for Argo CD, in place:
 *
 * - `argocd.argoproj.io/sync-wave`: an explicit annotation (set by a construct, or through `SyncHints`) wins;
 *   objects that serve a workload (its Services, PodDisruptionBudget, NetworkPolicies, ConfigMaps, claims,
 *   autoscaler; claims pre-created under a StatefulSet's claim names) sync in the wave of the earliest workload
 *   they serve, so a claim that binds on first consumer never waits in a wave before its pod (Argo CD holds the
 *   next wave while a claim is Pending); a LoadBalancer Service syncs last, since nothing should wait for a
 *   cloud address; everything else gets the phase of its kind.
 * - `argocd.argoproj.io/sync-options: Prune=false,Delete=false` on claims, snapshots, StatefulSets with claim
 *   templates and the Namespaces that contain any of them (deleting a Namespace deletes its claims).
 *
 * Linear in the number of objects: one index, one pass over pod templates, one over the objects.
 */
export function applySyncPolicy(objects: readonly ManifestObject[]): void {
  const index = ManifestIndex.of(objects);
  const workloadWave = new Map<ManifestObject, number>();
  const waveOfTemplate = (t: PodTemplateRef) => workloadWave.get(t.owner)!;
  const configMapWave = new Map<string, number>();
  const claimWave = new Map<string, number>();
  const lower = (map: Map<string, number>, key: string, wave: number) => {
    const current = map.get(key);
    if (current === undefined || wave < current) map.set(key, wave);
  };
  let lastWave = SyncPhase.WORKLOADS.wave;

  // Claims pre-created for a StatefulSet (restored from snapshots) carry its claim names, `<template>-<name>-<ordinal>`.
  const templateClaimWave = new Map<string, number>();
  for (const t of index.podTemplates) {
    if (!workloadWave.has(t.owner)) {
      workloadWave.set(t.owner, explicitWave(t.owner) ?? phaseOfKind(t.owner.kind).wave);
    }
    const wave = waveOfTemplate(t);
    if (t.owner.kind === 'StatefulSet') {
      for (const vct of (t.owner as Json).spec?.volumeClaimTemplates ?? []) {
        lower(templateClaimWave, `${t.namespace}/${vct.metadata?.name}-${t.owner.metadata?.name}`, wave);
      }
    }
    lastWave = Math.max(lastWave, wave);
    const refs = referencedBy(t.spec);
    for (const name of refs.configMaps) lower(configMapWave, `${t.namespace}/${name}`, wave);
    for (const name of refs.claims) lower(claimWave, `${t.namespace}/${name}`, wave);
  }

  const earliest = (templates: readonly PodTemplateRef[]) =>
    templates.length ? Math.min(...templates.map(waveOfTemplate)) : undefined;

  const claimNamespaces = new Set<string>();
  for (const obj of objects) {
    const namespace = obj.metadata?.namespace ?? 'default';
    const spec = (obj as Json).spec ?? {};
    let wave = workloadWave.get(obj) ?? explicitWave(obj);
    if (wave === undefined) {
      switch (obj.kind) {
        case 'Service':
          wave = spec.type === 'LoadBalancer' ? lastWave : earliest(index.templatesSelectedByMap(namespace, withoutControllerLabels(spec.selector ?? {})));
          break;
        case 'PodDisruptionBudget':
          wave = spec.selector ? earliest(index.templatesSelectedBy(namespace, spec.selector)) : undefined;
          break;
        case 'NetworkPolicy':
          // A namespace-wide policy (default-deny, DNS) goes with the namespace, before any pod starts.
          wave = selectsWholeNamespace(spec.podSelector)
            ? SyncPhase.FOUNDATION.wave
            : earliest(index.templatesIn(namespace).filter((t) => selectorMatches(spec.podSelector ?? {}, t.labels)));
          break;
        case 'ConfigMap':
          wave = configMapWave.get(`${namespace}/${obj.metadata?.name}`);
          break;
        case 'PersistentVolumeClaim': {
          const name = obj.metadata?.name ?? '';
          wave = claimWave.get(`${namespace}/${name}`) ?? templateClaimWave.get(`${namespace}/${name.replace(/-\d+$/, '')}`);
          break;
        }
        case 'HorizontalPodAutoscaler': {
          const target = spec.scaleTargetRef ?? {};
          const owner = index.get(target.kind, namespace, target.name);
          wave = owner ? workloadWave.get(owner) : undefined;
          break;
        }
      }
      wave ??= phaseOfKind(obj.kind).wave;
      annotationsOf(obj)[SYNC_WAVE_ANNOTATION] = String(wave);
    } else if (obj.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] === undefined) {
      annotationsOf(obj)[SYNC_WAVE_ANNOTATION] = String(wave);
    }
    if (holdsData(obj)) {
      const annotations = annotationsOf(obj);
      annotations[SYNC_OPTIONS_ANNOTATION] = withDataProtection(annotations[SYNC_OPTIONS_ANNOTATION]);
      if (obj.kind !== 'PersistentVolume' && obj.kind !== 'VolumeSnapshotContent') claimNamespaces.add(namespace);
    }
  }
  for (const ns of index.ofKind('Namespace')) {
    if (!claimNamespaces.has(ns.metadata?.name ?? '')) continue;
    const annotations = annotationsOf(ns);
    annotations[SYNC_OPTIONS_ANNOTATION] = withDataProtection(annotations[SYNC_OPTIONS_ANNOTATION]);
  }
}

/** `podSelector: {}` selects every pod of the namespace. */
function selectsWholeNamespace(selector: Json): boolean {
  return !Object.keys(selector?.matchLabels ?? {}).length && !(selector?.matchExpressions ?? []).length;
}
