/**
 * Kubernetes label-selector semantics (apimachinery labels.Selector), shared by the Service, PDB and
 * StatefulSet rules so they agree on what "selects" means.
 */
export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

function requirementMatches(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In': return has && values.includes(labels[req.key]);
    case 'NotIn': return !has || !values.includes(labels[req.key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    default: return false; // unknown operators select nothing, as the API server rejects them
  }
}

/**
 * `metav1.LabelSelector` semantics: every matchLabels pair and every expression must hold. An empty selector
 * selects everything (PDB policy/v1), so callers that treat empty as "nothing" (Service) must check first.
 */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(req, labels)) return false;
  }
  return true;
}

/** Service `spec.selector` is a plain map; it selects pods carrying all of its pairs. */
export function mapSelects(selector: Labels, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector)) {
    if (labels[k] !== v) return false;
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

export function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}` : '{}';
}
