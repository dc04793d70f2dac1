/**
 * One pass over a render builds every lookup the cross-object rules need (by kind/namespace/name, pod templates
 * per namespace, an inverted label index), so no rule scans the whole render per object: a render with thousands
 * of StatefulSets stays linear.
 */
import { joinPath } from './json-path';
import { namespaceOf } from './object-identity';
import { type LabelSelector, type Labels, mapSelects, selectorMatches } from './label-selector';
import type { Json, ManifestObject } from './manifest-object';

export type { Json, ManifestObject } from './manifest-object';

/** A pod template found in a workload, with where it lives so findings can name the exact path. */
export interface PodTemplateRef {
  readonly owner: ManifestObject;
  readonly namespace: string;
  /** Path of the template inside the owner, e.g. `spec.template` or `spec.jobTemplate.spec.template`; `` for a Pod. */
  readonly path: string;
  /** Path of the pod spec, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly metadata: Json;
  readonly spec: Json;
  readonly labels: Labels;
}

/** One container of a pod template, with the path findings name, e.g. `spec.template.spec.containers[0]`. */
export interface ContainerRef {
  /** The container object (`{}` for a null entry). */
  readonly container: Json;
  /** `initContainers`, `containers` or `ephemeralContainers`. */
  readonly field: string;
  readonly index: number;
  readonly path: string;
}

/** Every container of `t` in `fields` order (all three kinds unless a check reads only the long-running ones). */
export function podContainers(
  t: PodTemplateRef, fields: readonly string[] = ['initContainers', 'containers', 'ephemeralContainers'],
): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const field of fields) {
    const list = t.spec?.[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c: Json, index: number) => out.push({ container: c ?? {}, field, index, path: joinPath(t.specPath, field, index) }));
  }
  return out;
}

/**
 * Labels the StatefulSet controller puts on each pod at runtime (they are not in the template):
 * a Service selecting `statefulset.kubernetes.io/pod-name: db-0` serves pod 0 of StatefulSet `db`.
 */
const STATEFULSET_POD_LABELS = new Set(['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index']);

/**
 * Pod template annotation listing `key=value` labels the pod's own process sets on the pod at
 * runtime (comma-separated), e.g. Patroni's `role=primary,role=replica`: a Service may select them.
 */
export const RUNTIME_LABELS_ANNOTATION = 'ml.cdk8s.io/runtime-labels';

/** Whether a pod of the StatefulSet owning `t` carries runtime label `key=value` (ordinal within replicas). */
function statefulSetPodLabelMatches(t: PodTemplateRef, key: string, value: string): boolean {
  if (t.owner.kind !== 'StatefulSet') return false;
  const replicas: number = (t.owner as Json).spec?.replicas ?? 1;
  const start: number = (t.owner as Json).spec?.ordinals?.start ?? 0;
  const name = String(t.owner.metadata?.name ?? '');
  const ordinalText = key === 'apps.kubernetes.io/pod-index'
    ? value
    : value.startsWith(`${name}-`) ? value.slice(name.length + 1) : '';
  if (!/^(0|[1-9]\d*)$/.test(ordinalText)) return false;
  const ordinal = Number(ordinalText);
  return ordinal >= start && ordinal < start + replicas;
}

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  StatefulSet: ['spec', 'template'],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

function dig(obj: Json, keys: readonly string[]): Json {
  let cur = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

function key(ns: string | undefined, name: string | undefined): string {
  return `${ns ?? ''}/${name ?? ''}`;
}

export class ManifestIndex {
  private static readonly cache = new WeakMap<readonly ManifestObject[], ManifestIndex>();

  /** Index of a render, cached per array so the gates of one `runGates` call share it. */
  static of(objects: readonly ManifestObject[]): ManifestIndex {
    let idx = ManifestIndex.cache.get(objects);
    if (!idx) {
      idx = new ManifestIndex(objects);
      ManifestIndex.cache.set(objects, idx);
    }
    return idx;
  }

  readonly podTemplates: PodTemplateRef[] = [];
  private readonly kinds = new Map<string, ManifestObject[]>();
  private readonly named = new Map<string, Map<string, ManifestObject>>();
  private readonly templatesByNs = new Map<string, PodTemplateRef[]>();
  /** namespace -> `key=value` -> templates carrying that label. */
  private readonly labelIndex = new Map<string, Map<string, PodTemplateRef[]>>();

  private constructor(readonly objects: readonly ManifestObject[]) {
    for (const obj of objects) {
      if (!obj || typeof obj !== 'object') continue;
      const kind = String(obj.kind);
      let list = this.kinds.get(kind);
      if (!list) this.kinds.set(kind, (list = []));
      list.push(obj);
      let byName = this.named.get(kind);
      if (!byName) this.named.set(kind, (byName = new Map()));
      byName.set(key(namespaceOf(obj), obj.metadata?.name), obj);
      this.addTemplate(obj);
    }
  }

  private addTemplate(obj: ManifestObject): void {
    const ns = namespaceOf(obj) ?? 'default';
    // A JobSet (jobset.x-k8s.io) holds one Job template per replicated Job.
    if (obj.kind === 'JobSet' && String(obj.apiVersion).startsWith('jobset.x-k8s.io/')) {
      const replicated = dig(obj, ['spec', 'replicatedJobs']);
      (Array.isArray(replicated) ? replicated : []).forEach((r: Json, i: number) => {
        const template = dig(r, ['template', 'spec', 'template']);
        if (!template || typeof template !== 'object') return;
        const path = `spec.replicatedJobs[${i}].template.spec.template`;
        this.indexTemplate(ns, {
          owner: obj, namespace: ns, path, specPath: `${path}.spec`,
          metadata: template.metadata ?? {}, spec: template.spec ?? {}, labels: template.metadata?.labels ?? {},
        });
      });
      return;
    }
    let ref: PodTemplateRef | undefined;
    if (obj.kind === 'Pod' && obj.apiVersion === 'v1') {
      ref = { owner: obj, namespace: ns, path: '', specPath: 'spec', metadata: obj.metadata ?? {}, spec: (obj as Json).spec ?? {}, labels: obj.metadata?.labels ?? {} };
    } else {
      const keys = TEMPLATE_PATHS[obj.kind];
      const template = keys && dig(obj, keys);
      if (!template || typeof template !== 'object') return;
      const path = joinPath(...keys);
      ref = {
        owner: obj, namespace: ns, path, specPath: joinPath(path, 'spec'),
        metadata: template.metadata ?? {}, spec: template.spec ?? {}, labels: template.metadata?.labels ?? {},
      };
    }
    this.indexTemplate(ns, ref);
  }

  private indexTemplate(ns: string, ref: PodTemplateRef): void {
    this.podTemplates.push(ref);
    let inNs = this.templatesByNs.get(ns);
    if (!inNs) this.templatesByNs.set(ns, (inNs = []));
    inNs.push(ref);
    let labels = this.labelIndex.get(ns);
    if (!labels) this.labelIndex.set(ns, (labels = new Map()));
    for (const [k, v] of Object.entries(ref.labels)) {
      const lk = `${k}=${v}`;
      let posting = labels.get(lk);
      if (!posting) labels.set(lk, (posting = []));
      posting.push(ref);
    }
  }

  ofKind(kind: string): readonly ManifestObject[] {
    return this.kinds.get(kind) ?? [];
  }

  /** `namespace` undefined for cluster-scoped kinds. */
  get(kind: string, namespace: string | undefined, name: string): ManifestObject | undefined {
    return this.named.get(kind)?.get(key(namespace, name));
  }

  templatesIn(namespace: string): readonly PodTemplateRef[] {
    return this.templatesByNs.get(namespace) ?? [];
  }

  /**
   * Templates in `namespace` whose labels satisfy `matchLabels` (and `test`, for expressions). Starts from the
   * shortest posting list of the selector's pairs, so a selector costs its candidates, not the namespace.
   */
  private candidates(namespace: string, matchLabels: Labels): readonly PodTemplateRef[] {
    const entries = Object.entries(matchLabels);
    if (entries.length === 0) return this.templatesIn(namespace);
    const labels = this.labelIndex.get(namespace);
    let best: readonly PodTemplateRef[] | undefined;
    for (const [k, v] of entries) {
      const posting = labels?.get(`${k}=${v}`) ?? [];
      if (!best || posting.length < best.length) best = posting;
      if (best.length === 0) break;
    }
    return best ?? [];
  }

  /** Templates a Service's `spec.selector` map selects (an empty map selects nothing: no endpoints are managed). */
  templatesSelectedByMap(namespace: string, selector: Labels): PodTemplateRef[] {
    if (Object.keys(selector).length === 0) return [];
    const declared: Record<string, string> = {};
    const runtime: Record<string, string> = {};
    for (const [k, v] of Object.entries(selector)) (STATEFULSET_POD_LABELS.has(k) ? runtime : declared)[k] = v;
    const strict = this.candidates(namespace, declared).filter((t) => mapSelects(declared, t.labels)
      && Object.entries(runtime).every(([k, v]) => statefulSetPodLabelMatches(t, k, v)));
    if (strict.length) return strict;
    // Labels a process in the pod sets on its own pod (Patroni's role label), declared on the
    // template with the annotation RUNTIME_LABELS_ANNOTATION.
    return this.templatesIn(namespace).filter((t) => {
      const declaredAtRuntime = new Set(String(t.metadata.annotations?.[RUNTIME_LABELS_ANNOTATION] ?? '').split(',').map((l) => l.trim()));
      return Object.entries(declared).every(([k, v]) => t.labels[k] === v || declaredAtRuntime.has(`${k}=${v}`))
        && Object.entries(runtime).every(([k, v]) => statefulSetPodLabelMatches(t, k, v));
    });
  }

  /** Templates a `metav1.LabelSelector` selects (PDB semantics: empty selects every pod in the namespace). */
  templatesSelectedBy(namespace: string, selector: LabelSelector): PodTemplateRef[] {
    return this.candidates(namespace, selector.matchLabels ?? {}).filter((t) => selectorMatches(selector, t.labels));
  }
}
