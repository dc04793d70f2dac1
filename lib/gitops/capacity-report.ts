/**
 * What a render asks of a cluster, read from the rendered objects alone (not from construct internals), so it
 * works for any chart: objects by kind, storage per StorageClass, and CPU / memory / extended resources (GPUs)
 * at full scale, per namespace and in total.
 */
import { type ManifestObject, ManifestIndex, type PodTemplateRef } from '../checks';
import { Profile } from '../profiles';
import { Quantity } from '../storage';
import { ClusterNeeds } from './cluster-needs';

type Json = any;

/** The label StorageClassPack puts on its StorageClasses, naming the tier (`fast`, `shared`, ...). */
export const STORAGE_TIER_LABEL = 'ml.cdk8s.io/storage-tier';

/** Shown for claims without `storageClassName`: the cluster's default StorageClass provisions them. */
export const DEFAULT_STORAGE_CLASS = '(cluster default)';

/** Resources the report does not treat as extended (GPUs and other device-plugin resources are). */
const CORE_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);

/** Requests of one pod, or of many: exact integers (millicores, bytes, units of each extended resource). */
export interface ResourceAmounts {
  /** CPU in millicores (`500m` → 500). */
  readonly milliCpu: number;
  /** Memory in bytes. */
  readonly memoryBytes: number;
  /** Extended resources (`nvidia.com/gpu`, ...) by name; only those requested. */
  readonly extended: Readonly<Record<string, number>>;
}

/** A claim a workload's pods make through a volumeClaimTemplate (or a generic ephemeral volume). */
export interface ClaimTemplateRequest {
  /** The template's name (`data`): claims are `<name>-<statefulset>-<ordinal>`. */
  readonly name: string;
  /** `storageClassName`, or `(cluster default)` when unset. */
  readonly storageClass: string;
  /** The StorageClass's tier label, when the render defines the class. */
  readonly tier?: string;
  /** Requested size in bytes. */
  readonly bytes: number;
  /** The size as written, e.g. `20Gi`. */
  readonly size: string;
  /** `ReadWriteOnce`, `ReadWriteMany`, ... */
  readonly accessModes: readonly string[];
}

/** How many pods a workload runs at full scale, and why. */
export interface WorkloadScale {
  /** Pods at full scale (`spec.replicas`, the HPA's `maxReplicas`, a Job's `parallelism`). */
  readonly replicas: number;
  /** `spec.replicas` as declared (Kubernetes defaults it to 1). */
  readonly declaredReplicas: number;
  /** The HorizontalPodAutoscaler scaling the workload, if any: full scale is its `maxReplicas`. */
  readonly autoscaler?: { readonly name: string; readonly minReplicas: number; readonly maxReplicas: number };
  /** Jobs and CronJobs: pods that run to completion. */
  readonly transient: boolean;
  /** DaemonSets: one pod per matching node, so totals are per node. */
  readonly perNode: boolean;
}

/** One pod-owning object of the render with what it requests. */
export interface WorkloadCapacity extends WorkloadScale {
  /** `StatefulSet`, `Deployment`, `Job`, `CronJob`, ... */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Effective requests of one pod, as the scheduler computes them. */
  readonly pod: ResourceAmounts;
  /**
   * Size of the pod's `/dev/shm`: the size limit of the memory-backed emptyDir mounted there (0 when none).
   * It is not requested: its pages count against the container's memory limit.
   */
  readonly sharedMemoryBytes: number;
  /** `pod` × `replicas`. */
  readonly total: ResourceAmounts;
  /** Claims each pod makes from templates (volumeClaimTemplates, generic ephemeral volumes). */
  readonly claimTemplates: readonly ClaimTemplateRequest[];
}

/** Storage requested from one StorageClass in one namespace. */
export interface StorageRequest {
  readonly namespace: string;
  readonly storageClass: string;
  /** The StorageClass's tier (its `ml.cdk8s.io/storage-tier` label), when the render defines the class. */
  readonly tier?: string;
  /** Claims at full scale: templates × replicas, plus standalone PersistentVolumeClaims. */
  readonly claims: number;
  /** Requested bytes over those claims. */
  readonly bytes: number;
}

/** Compute requests of a namespace (or of the whole render). */
export interface ComputeRequest {
  /** The namespace, or `total`. */
  readonly namespace: string;
  /** Pods at full scale. */
  readonly pods: number;
  /** Pod-owning objects counted. */
  readonly workloads: number;
  /** Their summed requests. */
  readonly requests: ResourceAmounts;
}

/** Options of `CapacityReport.of`. */
export interface CapacityReportOptions {
  /** Heading of the Markdown report, e.g. `gke (Kubernetes 1.31)`. @default 'rendered manifests' */
  readonly title?: string;
  /** The profile rendered: adds "What this cluster needs" (drivers, snapshots, nodes per tier, GPUs, operators, Secrets). @default - no such section */
  readonly profile?: Profile;
}

const ZERO: ResourceAmounts = { milliCpu: 0, memoryBytes: 0, extended: {} };

/** Where each workload kind keeps its pod template, and so what scales it. */
const WORKLOAD_KINDS = new Set(['StatefulSet', 'Deployment', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob', 'JobSet', 'Pod']);

/** A Kubernetes quantity as a number of base units; the exponent forms the API accepts (`1e3`) too. */
function quantityValue(text: unknown, what: string): number {
  if (typeof text === 'number') return text;
  const value = String(text).trim();
  const exponent = /^([+-]?[0-9]*\.?[0-9]+)[eE]([+-]?[0-9]+)$/.exec(value);
  if (exponent) return Number(exponent[1]) * 10 ** Number(exponent[2]);
  return Quantity.parse(value.replace(/^\+/, ''), what).value;
}

function add(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const extended: Record<string, number> = { ...a.extended };
  for (const [k, v] of Object.entries(b.extended)) extended[k] = (extended[k] ?? 0) + v;
  return { milliCpu: a.milliCpu + b.milliCpu, memoryBytes: a.memoryBytes + b.memoryBytes, extended };
}

function max(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const extended: Record<string, number> = { ...a.extended };
  for (const [k, v] of Object.entries(b.extended)) extended[k] = Math.max(extended[k] ?? 0, v);
  return { milliCpu: Math.max(a.milliCpu, b.milliCpu), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes), extended };
}

function times(a: ResourceAmounts, n: number): ResourceAmounts {
  const extended: Record<string, number> = {};
  for (const [k, v] of Object.entries(a.extended)) extended[k] = v * n;
  return { milliCpu: a.milliCpu * n, memoryBytes: a.memoryBytes * n, extended };
}

/** A container's requests; a resource with a limit and no request is requested at its limit (API defaulting). */
function containerRequests(container: Json): ResourceAmounts {
  const requests: Record<string, unknown> = { ...(container?.resources?.limits ?? {}), ...(container?.resources?.requests ?? {}) };
  const extended: Record<string, number> = {};
  let milliCpu = 0;
  let memoryBytes = 0;
  for (const [name, raw] of Object.entries(requests)) {
    if (name === 'cpu') milliCpu = Math.round(quantityValue(raw, `cpu request of container '${container?.name}'`) * 1000);
    else if (name === 'memory') memoryBytes = Math.round(quantityValue(raw, `memory request of container '${container?.name}'`));
    else if (!CORE_RESOURCES.has(name) && !name.startsWith('hugepages-')) {
      extended[name] = quantityValue(raw, `${name} request of container '${container?.name}'`);
    }
  }
  return { milliCpu, memoryBytes, extended };
}

/**
 * A pod's effective requests as the scheduler computes them: the larger of (app containers + sidecars) and each
 * init container's peak (itself + the sidecars started before it), plus the pod overhead.
 */
export function podRequests(spec: Json): ResourceAmounts {
  let sidecars = ZERO;
  let initPeak = ZERO;
  for (const init of spec?.initContainers ?? []) {
    const r = containerRequests(init);
    if (init.restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(r, sidecars));
    }
  }
  let app = sidecars;
  for (const c of spec?.containers ?? []) app = add(app, containerRequests(c));
  let total = max(app, initPeak);
  if (spec?.overhead) total = add(total, containerRequests({ name: 'overhead', resources: { requests: spec.overhead } }));
  return total;
}

/** The size limit of the memory-backed emptyDir a container mounts at `/dev/shm` (the largest, if several do). */
export function sharedMemoryBytes(spec: Json): number {
  const memoryVolumes = new Map<string, number>();
  for (const v of spec?.volumes ?? []) {
    if (v?.emptyDir?.medium === 'Memory') {
      const limit = v.emptyDir.sizeLimit;
      memoryVolumes.set(String(v.name), limit === undefined ? 0 : Math.round(quantityValue(limit, `sizeLimit of volume '${v.name}'`)));
    }
  }
  let bytes = 0;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const m of c?.volumeMounts ?? []) {
      if (m?.mountPath === '/dev/shm' && memoryVolumes.has(String(m.name))) bytes = Math.max(bytes, memoryVolumes.get(String(m.name))!);
    }
  }
  return bytes;
}

/** HorizontalPodAutoscalers by `<namespace>/<kind>/<name>` of their scale target. */
function autoscalers(index: ManifestIndex): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const hpa of index.ofKind('HorizontalPodAutoscaler') as Json[]) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    out.set(`${hpa.metadata?.namespace ?? 'default'}/${ref.kind}/${ref.name}`, hpa);
  }
  return out;
}

function scaleOf(template: PodTemplateRef, hpas: Map<string, Json>): WorkloadScale {
  const owner = template.owner as Json;
  const spec = owner.spec ?? {};
  switch (owner.kind) {
    case 'Job':
      return { replicas: spec.parallelism ?? 1, declaredReplicas: spec.parallelism ?? 1, transient: true, perNode: false };
    case 'CronJob': {
      const parallelism = spec.jobTemplate?.spec?.parallelism ?? 1;
      return { replicas: parallelism, declaredReplicas: parallelism, transient: true, perNode: false };
    }
    case 'JobSet': {
      // One template per replicated Job: its Jobs (replicas) × their parallelism, run to completion.
      const index = Number(/^spec\.replicatedJobs\[(\d+)\]/.exec(template.path)?.[1] ?? 0);
      const replicated = spec.replicatedJobs?.[index] ?? {};
      const pods = (replicated.replicas ?? 1) * (replicated.template?.spec?.parallelism ?? 1);
      return { replicas: pods, declaredReplicas: pods, transient: true, perNode: false };
    }
    case 'DaemonSet':
      return { replicas: 1, declaredReplicas: 1, transient: false, perNode: true };
    case 'Pod':
      return { replicas: 1, declaredReplicas: 1, transient: false, perNode: false };
    default: {
      const declared: number = spec.replicas ?? 1;
      const hpa = hpas.get(`${template.namespace}/${owner.kind}/${owner.metadata?.name}`);
      if (!hpa) return { replicas: declared, declaredReplicas: declared, transient: false, perNode: false };
      const maxReplicas: number = hpa.spec?.maxReplicas ?? declared;
      return {
        replicas: maxReplicas,
        declaredReplicas: declared,
        autoscaler: { name: String(hpa.metadata?.name), minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas },
        transient: false,
        perNode: false,
      };
    }
  }
}

/** Tier of each StorageClass the render defines (its StorageClassPack label). */
function tiersOf(index: ManifestIndex): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const sc of index.ofKind('StorageClass')) out.set(String(sc.metadata?.name), sc.metadata?.labels?.[STORAGE_TIER_LABEL]);
  return out;
}

function claimRequest(name: string, spec: Json, tiers: Map<string, string | undefined>): ClaimTemplateRequest {
  const storageClass: string = spec?.storageClassName ?? DEFAULT_STORAGE_CLASS;
  const size = spec?.resources?.requests?.storage;
  return {
    name,
    storageClass,
    tier: tiers.get(storageClass),
    bytes: size === undefined ? 0 : Math.round(quantityValue(size, `storage request of claim '${name}'`)),
    size: size === undefined ? '0' : String(size),
    accessModes: [...(spec?.accessModes ?? [])],
  };
}

/** The workloads of a render with their scale at full size, sorted by namespace, kind and name. */
export function workloadScales(objects: readonly ManifestObject[]): { template: PodTemplateRef; scale: WorkloadScale }[] {
  const index = ManifestIndex.of(objects);
  const hpas = autoscalers(index);
  return index.podTemplates
    .filter((t) => WORKLOAD_KINDS.has(t.owner.kind))
    .map((template) => ({ template, scale: scaleOf(template, hpas) }))
    .sort((a, b) => compareObjects(a.template, b.template));
}

function compareObjects(a: PodTemplateRef, b: PodTemplateRef): number {
  return cmp(a.namespace, b.namespace) || cmp(a.owner.kind, b.owner.kind) || cmp(String(a.owner.metadata?.name), String(b.owner.metadata?.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Millicores as cores: `500` → `0.5`, `142750` → `142.75`. */
export function formatCpu(milliCpu: number): string {
  return String(Number((milliCpu / 1000).toFixed(3)));
}

/** Bytes in the largest binary unit that keeps the value ≥ 1, at most two decimals: `1.25Ti`, `90Gi`, `512Mi`. */
export function formatBytes(bytes: number): string {
  const units: [string, number][] = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))}${unit}`;
  }
  return String(bytes);
}

/** Storage in Gi or Ti (what volumes are sized in): `90Gi`, `1.95Ti`, `0.5Gi`. */
export function formatStorage(bytes: number): string {
  if (bytes >= 2 ** 40) return `${Number((bytes / 2 ** 40).toFixed(2))}Ti`;
  return `${Number((bytes / 2 ** 30).toFixed(2))}Gi`;
}

function formatExtended(value: number): string {
  return String(Number(value.toFixed(3)));
}

/**
 * The capacity a render requests: objects by kind, storage per StorageClass (claim templates × replicas at full
 * scale, plus standalone claims), and CPU / memory / extended-resource requests at full scale (HPA-scaled
 * workloads at `maxReplicas`), with Jobs and CronJobs apart as transient, per namespace and in total.
 */
export class CapacityReport {
  /** Computes the report of `objects` (one profile's render). */
  public static of(objects: readonly ManifestObject[], options: CapacityReportOptions = {}): CapacityReport {
    return new CapacityReport(objects, options.title ?? 'rendered manifests', options.profile ? ClusterNeeds.of(objects, options.profile) : undefined);
  }

  /** Objects per kind, sorted by kind. */
  public readonly objectsByKind: Readonly<Record<string, number>>;
  public readonly objectCount: number;
  /** Every pod-owning object, sorted by namespace, kind, name. */
  public readonly workloads: readonly WorkloadCapacity[];
  /** Storage per namespace and StorageClass, sorted. */
  public readonly storage: readonly StorageRequest[];
  /** Long-running workloads (not Jobs, CronJobs, DaemonSets) per namespace at full scale, sorted. */
  public readonly compute: readonly ComputeRequest[];
  /** Jobs and CronJobs per namespace, one run each. */
  public readonly transient: readonly ComputeRequest[];
  /** DaemonSets per namespace: requests per node. */
  public readonly perNode: readonly ComputeRequest[];
  /** Extended resources requested anywhere, sorted (`nvidia.com/gpu`, ...). */
  public readonly extendedResources: readonly string[];

  private constructor(
    objects: readonly ManifestObject[],
    public readonly title: string,
    /** What the cluster needs, when the report was made for a profile. */
    public readonly needs?: ClusterNeeds,
  ) {
    const byKind: Record<string, number> = {};
    for (const o of objects) byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
    this.objectsByKind = Object.fromEntries(Object.keys(byKind).sort(cmp).map((k) => [k, byKind[k]]));
    this.objectCount = objects.length;

    const index = ManifestIndex.of(objects);
    const tiers = tiersOf(index);
    const storage = new Map<string, { namespace: string; storageClass: string; tier?: string; claims: number; bytes: number }>();
    const addStorage = (namespace: string, claim: ClaimTemplateRequest, count: number) => {
      const key = `${namespace}\u0000${claim.storageClass}`;
      const entry = storage.get(key) ?? { namespace, storageClass: claim.storageClass, tier: claim.tier, claims: 0, bytes: 0 };
      entry.claims += count;
      entry.bytes += claim.bytes * count;
      storage.set(key, entry);
    };

    this.workloads = workloadScales(objects).map(({ template, scale }) => {
      const owner = template.owner as Json;
      const vcts = owner.kind === 'StatefulSet' ? (owner.spec?.volumeClaimTemplates ?? []) : [];
      const ephemeral = (template.spec?.volumes ?? []).filter((v: Json) => v?.ephemeral?.volumeClaimTemplate);
      const claimTemplates = [
        ...vcts.map((t: Json) => claimRequest(String(t.metadata?.name), t.spec, tiers)),
        ...ephemeral.map((v: Json) => claimRequest(String(v.name), v.ephemeral.volumeClaimTemplate.spec, tiers)),
      ];
      // Claims of transient and per-node pods have no fixed count; long-running ones scale with replicas.
      if (!scale.transient && !scale.perNode) for (const c of claimTemplates) addStorage(template.namespace, c, scale.replicas);
      const pod = podRequests(template.spec);
      return {
        kind: owner.kind, namespace: template.namespace, name: String(owner.metadata?.name), ...scale,
        pod, sharedMemoryBytes: sharedMemoryBytes(template.spec), total: times(pod, scale.replicas), claimTemplates,
      };
    });
    for (const pvc of index.ofKind('PersistentVolumeClaim') as Json[]) {
      addStorage(pvc.metadata?.namespace ?? 'default', claimRequest(String(pvc.metadata?.name), pvc.spec, tiers), 1);
    }
    this.storage = [...storage.values()].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.storageClass, b.storageClass));

    const perNamespace = (selected: readonly WorkloadCapacity[]): ComputeRequest[] => {
      const out = new Map<string, { namespace: string; pods: number; workloads: number; requests: ResourceAmounts }>();
      for (const w of selected) {
        const entry = out.get(w.namespace) ?? { namespace: w.namespace, pods: 0, workloads: 0, requests: ZERO };
        entry.pods += w.replicas;
        entry.workloads += 1;
        entry.requests = add(entry.requests, w.total);
        out.set(w.namespace, entry);
      }
      return [...out.values()];
    };
    this.compute = perNamespace(this.workloads.filter((w) => !w.transient && !w.perNode));
    this.transient = perNamespace(this.workloads.filter((w) => w.transient));
    this.perNode = perNamespace(this.workloads.filter((w) => w.perNode));
    this.extendedResources = [...new Set(this.workloads.flatMap((w) => Object.keys(w.pod.extended)))].sort(cmp);
  }

  /** Long-running requests at full scale, all namespaces together. */
  public get total(): ComputeRequest {
    return sum('total', this.compute);
  }

  /** Jobs and CronJobs, one run each, all namespaces together. */
  public get transientTotal(): ComputeRequest {
    return sum('total', this.transient);
  }

  /** Storage per StorageClass over all namespaces, sorted by class. */
  public get storageByClass(): readonly StorageRequest[] {
    const out = new Map<string, StorageRequest>();
    for (const s of this.storage) {
      const prev = out.get(s.storageClass);
      out.set(s.storageClass, {
        namespace: '', storageClass: s.storageClass, tier: s.tier,
        claims: (prev?.claims ?? 0) + s.claims, bytes: (prev?.bytes ?? 0) + s.bytes,
      });
    }
    return [...out.values()].sort((a, b) => cmp(a.storageClass, b.storageClass));
  }

  /** Total storage requested (bytes) and claims. */
  public get storageTotal(): { readonly claims: number; readonly bytes: number } {
    return this.storage.reduce((acc, s) => ({ claims: acc.claims + s.claims, bytes: acc.bytes + s.bytes }), { claims: 0, bytes: 0 });
  }

  /** The report as Markdown (`dist/<profile>/CAPACITY.md`): deterministic, no timestamps. */
  public toMarkdown(): string {
    const lines: string[] = [];
    const ext = this.extendedResources;
    const amounts = (r: ResourceAmounts) => [formatCpu(r.milliCpu), formatBytes(r.memoryBytes), ...ext.map((e) => formatExtended(r.extended[e] ?? 0))];
    const computeTable = (rows: readonly ComputeRequest[], total: ComputeRequest) => {
      lines.push(row(['Namespace', 'Workloads', 'Pods', 'CPU', 'Memory', ...ext]), row(['---', '---:', '---:', '---:', '---:', ...ext.map(() => '---:')]));
      for (const c of rows) lines.push(row([c.namespace, String(c.workloads), String(c.pods), ...amounts(c.requests)]));
      lines.push(row(['**Total**', `**${total.workloads}**`, `**${total.pods}**`, ...amounts(total.requests).map((a) => `**${a}**`)]));
    };

    lines.push(
      `# Capacity: ${this.title}`,
      '',
      'Generated by cdk8s-stateful-ml from the rendered manifests of this folder; do not edit.',
      '',
      '- **Full scale**: StatefulSets and Deployments at `spec.replicas`, or at `maxReplicas` of the HorizontalPodAutoscaler',
      '  that scales them (marked *HPA max*). Requests are what the scheduler reserves; limits are not summed.',
      '- **Per pod**: the larger of the containers (+ sidecars) and each init container, as the scheduler counts it;',
      '  a resource with a limit and no request is requested at its limit. **Shm** is the size of `/dev/shm` (a',
      '  memory-backed emptyDir): not requested, it counts against the container\'s memory limit.',
      '- **Transient**: Jobs, CronJobs and JobSets run to completion; they are counted apart, one run each at its parallelism.',
      '- **Storage**: claim templates × replicas at full scale, plus standalone PersistentVolumeClaims (Jobs\' and',
      '  CronJobs\' ephemeral claims are not counted).',
      '',
      `## Objects (${this.objectCount})`,
      '',
      row(['Kind', 'Count']),
      row(['---', '---:']),
      ...Object.entries(this.objectsByKind).map(([k, n]) => row([k, String(n)])),
      '',
    );

    const st = this.storageTotal;
    lines.push(`## Storage requested: ${formatStorage(st.bytes)} in ${st.claims} claim(s)`, '');
    if (this.storage.length) {
      lines.push(row(['StorageClass', 'Tier', 'Claims', 'Requested']), row(['---', '---', '---:', '---:']));
      for (const s of this.storageByClass) lines.push(row([s.storageClass, s.tier ?? '—', String(s.claims), formatStorage(s.bytes)]));
      lines.push(row(['**Total**', '', `**${st.claims}**`, `**${formatStorage(st.bytes)}**`]), '', '### By namespace', '');
      lines.push(row(['Namespace', 'StorageClass', 'Tier', 'Claims', 'Requested']), row(['---', '---', '---', '---:', '---:']));
      for (const s of this.storage) lines.push(row([s.namespace, s.storageClass, s.tier ?? '—', String(s.claims), formatStorage(s.bytes)]));
    } else {
      lines.push('No persistent storage requested.');
    }
    lines.push('');

    lines.push('## Compute requests at full scale', '');
    if (!ext.length) lines.push('No GPUs or other extended resources are requested.', '');
    if (this.compute.length) computeTable(this.compute, this.total);
    else lines.push('No long-running workloads.');
    lines.push('');
    if (this.transient.length) {
      lines.push('### Transient: Jobs and CronJobs (one run each)', '');
      computeTable(this.transient, this.transientTotal);
      lines.push('');
    }
    if (this.perNode.length) {
      lines.push('### DaemonSets (per node)', '');
      computeTable(this.perNode, sum('total', this.perNode));
      lines.push('');
    }

    lines.push('## Workloads', '');
    if (this.workloads.length) {
      lines.push(
        row(['Namespace', 'Kind', 'Name', 'Pods', 'Per pod: CPU', 'Memory', 'Shm', ...ext, 'Claims per pod']),
        row(['---', '---', '---', '---', '---:', '---:', '---:', ...ext.map(() => '---:'), '---']),
      );
      for (const w of this.workloads) {
        const pods = w.autoscaler
          ? `${w.replicas} (HPA max; min ${w.autoscaler.minReplicas})`
          : w.perNode ? '1 per node' : String(w.replicas);
        const claims = w.claimTemplates.map((c) => `${c.name} ${c.size} ${c.storageClass}`).join(', ') || '—';
        const [cpu, memory, ...extended] = amounts(w.pod);
        const shm = w.sharedMemoryBytes ? formatBytes(w.sharedMemoryBytes) : '—';
        lines.push(row([w.namespace, w.kind, w.name, pods, cpu, memory, shm, ...extended, claims]));
      }
    } else {
      lines.push('No workloads.');
    }
    lines.push('');
    if (this.needs) lines.push(...this.needs.toMarkdown());
    return lines.join('\n');
  }

  /** A compact summary for the synth log (a few lines, no trailing newline). */
  public toSummary(): string {
    const total = this.total;
    const extended = (r: ResourceAmounts) => this.extendedResources
      .filter((e) => r.extended[e])
      .map((e) => `, ${e} ${formatExtended(r.extended[e])}`).join('');
    const scaled = this.workloads.filter((w) => w.autoscaler).map((w) => `${w.name} ${w.replicas}`);
    const lines = [
      `full scale: ${total.pods} pods, CPU ${formatCpu(total.requests.milliCpu)}, memory ${formatBytes(total.requests.memoryBytes)}` +
        `${extended(total.requests)}${scaled.length ? ` (HPA max: ${scaled.join(', ')})` : ''}`,
    ];
    if (this.transient.length) {
      const t = this.transientTotal;
      lines.push(`transient: ${t.workloads} Job(s)/CronJob(s), ${t.pods} pods, CPU ${formatCpu(t.requests.milliCpu)}, ` +
        `memory ${formatBytes(t.requests.memoryBytes)}${extended(t.requests)}`);
    }
    const st = this.storageTotal;
    const byClass = this.storageByClass.map((s) => `${s.tier ?? s.storageClass} ${formatStorage(s.bytes)}`).join(', ');
    lines.push(`storage: ${formatStorage(st.bytes)} in ${st.claims} claims${byClass ? ` (${byClass})` : ''}`);
    return lines.join('\n');
  }
}

function sum(namespace: string, rows: readonly ComputeRequest[]): ComputeRequest {
  return rows.reduce<ComputeRequest>(
    (acc, c) => ({ namespace, pods: acc.pods + c.pods, workloads: acc.workloads + c.workloads, requests: add(acc.requests, c.requests) }),
    { namespace, pods: 0, workloads: 0, requests: ZERO },
  );
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}
