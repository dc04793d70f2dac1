import { k8s } from '../k8s';
import type { StorageTier } from './storage-class-pack';

/**
 * `affinity` with the node requirements of every tier in `tiers` added to each of its required node selector terms
 * (a term is created when there is none), so pods mounting Hyperdisk or Premium SSD v2 volumes land only on nodes
 * that can attach them. Returns `affinity` unchanged when no tier restricts nodes.
 */
export function withTierNodeAffinity(affinity: k8s.Affinity | undefined, tiers: readonly StorageTier[]): k8s.Affinity | undefined {
  const requirements: k8s.NodeSelectorRequirement[] = [];
  const seen = new Set<string>();
  for (const tier of tiers) {
    for (const r of tier.nodeAffinity?.requirements ?? []) {
      const key = `${r.key}=${r.values.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      requirements.push({ key: r.key, operator: 'In', values: [...r.values] });
    }
  }
  if (!requirements.length) return affinity;
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required?.nodeSelectorTerms.length ? required.nodeSelectorTerms : [{}];
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((term) => ({ ...term, matchExpressions: [...(term.matchExpressions ?? []), ...requirements] })),
      },
    },
  };
}
