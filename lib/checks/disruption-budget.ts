/**
 * PodDisruptionBudgets: replicated workloads need one (or a node drain can take every replica at once), and none
 * may forbid all evictions (or every drain, and so every node upgrade, hangs).
 */
import { type Finding, finding } from './finding';
import { namespaceOf } from './object-identity';
import { formatLabels } from './label-selector';
import { type Json, ManifestIndex, type ManifestObject, type PodTemplateRef } from './manifest-index';

/** Workloads with a replica count the PDB arithmetic can use. */
const REPLICATED = new Set(['StatefulSet', 'Deployment', 'ReplicaSet']);

function replicasOf(t: PodTemplateRef): number | undefined {
  if (!REPLICATED.has(t.owner.kind)) return undefined;
  const r = (t.owner as Json).spec?.replicas;
  return typeof r === 'number' ? r : 1; // the API server defaults replicas to 1
}

/** intstr scaled like the disruption controller (GetScaledValueFromIntOrPercent, rounding up). */
function scaled(value: number | string, total: number): number | undefined {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : undefined;
}

function checkBudget(pdb: ManifestObject, selected: readonly PodTemplateRef[], out: Finding[]): void {
  const spec: Json = (pdb as Json).spec ?? {};
  const { maxUnavailable, minAvailable } = spec;
  if (maxUnavailable === 0 || maxUnavailable === '0%') {
    out.push(finding('pdb/blocks-drain', pdb, 'spec.maxUnavailable',
      `maxUnavailable: ${JSON.stringify(maxUnavailable)} forbids every voluntary eviction, so node drains hang; use maxUnavailable: 1`));
    return;
  }
  for (const t of selected) {
    const replicas = replicasOf(t);
    if (replicas === undefined || replicas === 0) continue;
    const who = `${t.owner.kind} ${t.owner.metadata?.name} (${replicas} replicas)`;
    if (maxUnavailable !== undefined) {
      const allowed = scaled(maxUnavailable, replicas);
      if (allowed !== undefined && allowed < 1) {
        out.push(finding('pdb/blocks-drain', pdb, 'spec.maxUnavailable',
          `maxUnavailable: ${JSON.stringify(maxUnavailable)} allows no eviction of ${who}, so node drains hang; use maxUnavailable: 1`));
      }
    } else if (minAvailable !== undefined) {
      const required = scaled(minAvailable, replicas);
      if (required !== undefined && required >= replicas) {
        out.push(finding('pdb/blocks-drain', pdb, 'spec.minAvailable',
          `minAvailable: ${JSON.stringify(minAvailable)} requires all ${replicas} pods of ${who} to stay up, so node drains hang; ` +
          `use maxUnavailable: 1 or minAvailable: ${Math.max(replicas - 1, 0)}`));
      }
    }
  }
}

export function checkDisruptionBudgets(objects: readonly ManifestObject[]): Finding[] {
  const index = ManifestIndex.of(objects);
  const out: Finding[] = [];
  const covered = new Set<PodTemplateRef>();
  for (const pdb of index.ofKind('PodDisruptionBudget')) {
    const ns = namespaceOf(pdb) ?? 'default';
    const selector = (pdb as Json).spec?.selector ?? {};
    const selected = index.templatesSelectedBy(ns, selector);
    for (const t of selected) covered.add(t);
    checkBudget(pdb, selected, out);
  }
  for (const t of index.podTemplates) {
    const replicas = replicasOf(t);
    if (replicas !== undefined && replicas >= 2 && !covered.has(t)) {
      out.push(finding('pdb/missing', t.owner, undefined,
        `${replicas} replicas and no PodDisruptionBudget selects its pods ${formatLabels(t.labels)}; ` +
        `add a PodDisruptionBudget in namespace ${t.namespace} with maxUnavailable: 1 so a drain cannot evict every replica at once`));
    }
  }
  return out;
}
