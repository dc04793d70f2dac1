/**
 * The topology of a render — namespaces, workloads, Services, claims and who talks to whom — read from the
 * rendered objects alone, so it draws any chart: wiring comes from NetworkPolicy ingress rules, from Service DNS
 * names in env vars, args and mounted ConfigMaps, and from claims mounted into pods.
 */
import { type LabelSelector, type ManifestObject, ManifestIndex, type PodTemplateRef, selectorMatches } from '../checks';
import { DEFAULT_STORAGE_CLASS, STORAGE_TIER_LABEL, type WorkloadScale, workloadScales } from './capacity-report';

type Json = any;

/** What a node of the diagram stands for. */
export type TopologyNodeType = 'workload' | 'service' | 'claim-template' | 'claim';

/**
 * What an edge means: `connects` a client workload to the workload it reaches (NetworkPolicy admission or a
 * Service DNS name it is given); `selects` a Service to the pods it serves; `claims` a StatefulSet to its claim
 * template; `mounts` a workload to a standalone PersistentVolumeClaim.
 */
export type TopologyEdgeType = 'connects' | 'selects' | 'claims' | 'mounts';

/** A box of the diagram. */
export interface TopologyNode {
  /** Stable id, unique in the diagram (derived from kind, namespace and name). */
  readonly id: string;
  readonly type: TopologyNodeType;
  /** Kubernetes kind (`StatefulSet`, `Service`, ...); `volumeClaimTemplate` for claim templates. */
  readonly kind: string;
  readonly namespace: string;
  /** The object's name; a claim template's own name (`data`) for claim templates. */
  readonly name: string;
  /** Label lines, first the kind and name. */
  readonly lines: readonly string[];
  /** Services: `clusterIP: None` (a StatefulSet's governing Service). */
  readonly headless: boolean;
}

/** An arrow of the diagram, between node ids. */
export interface TopologyEdge {
  /** Id of the source node (the client, the selecting Service, the claiming workload). */
  readonly from: string;
  /** Id of the target node. */
  readonly to: string;
  readonly type: TopologyEdgeType;
  /** What the edge carries: Services and ports (connects), mount paths (mounts). */
  readonly label?: string;
}

/** Options of `Topology.of`. */
export interface TopologyOptions {
  /** Title of the diagram, e.g. `gke (Kubernetes 1.31)`. @default 'rendered manifests' */
  readonly title?: string;
}

/** A Service's DNS name: `<service>.<namespace>.svc[.cluster.local]`, possibly under a pod's hostname. */
const SERVICE_DNS = /(?<![a-z0-9-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?![a-z0-9-])/g;

const ACCESS_MODES: Readonly<Record<string, string>> = {
  ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP',
};

const ID_PREFIX: Readonly<Record<string, string>> = {
  StatefulSet: 'sts', Deployment: 'deploy', DaemonSet: 'ds', ReplicaSet: 'rs', ReplicationController: 'rc', Job: 'job',
  CronJob: 'cronjob', Pod: 'pod', Service: 'svc', volumeClaimTemplate: 'vct', PersistentVolumeClaim: 'pvc',
};

/**
 * A DNS name as an id part: `-` → `_`, and a second `-` of a run → `H`, `.` → `D`, anything else → `X<hex>`
 * (names are lowercase, so the uppercase escapes cannot collide and `__` only ever separates parts).
 */
function idPart(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (/[a-z0-9]/.test(c)) out += c;
    else if (c === '-') out += name[i - 1] === '-' ? 'H' : '_';
    else if (c === '.') out += 'D';
    else out += `X${c.charCodeAt(0).toString(16)}`;
  }
  return out;
}

function nodeId(kind: string, namespace: string, ...names: string[]): string {
  return [ID_PREFIX[kind] ?? idPart(kind.toLowerCase()), idPart(namespace), ...names.map(idPart)].join('__');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function replicasText(scale: WorkloadScale, kind: string): string | undefined {
  if (scale.perNode) return 'one pod per node';
  if (kind === 'Job' || kind === 'CronJob') return scale.replicas > 1 ? `parallelism ${scale.replicas}` : undefined;
  if (kind === 'Pod') return undefined;
  if (scale.autoscaler) return `${scale.autoscaler.minReplicas}–${scale.autoscaler.maxReplicas} replicas (HPA)`;
  return `${scale.replicas} replica${scale.replicas === 1 ? '' : 's'}`;
}

function sizeText(spec: Json, tiers: Map<string, string | undefined>): string {
  const storageClass: string = spec?.storageClassName ?? DEFAULT_STORAGE_CLASS;
  const tier = tiers.get(storageClass);
  const modes = (spec?.accessModes ?? []).map((m: string) => ACCESS_MODES[m] ?? m).join('/');
  return [spec?.resources?.requests?.storage ?? '?', `${storageClass}${tier ? ` (${tier})` : ''}`, modes].filter(Boolean).join(', ');
}

/** Claim names a StatefulSet's template gets: `data-pg-0`, or `data-pg-{0..2}` for several. */
function claimNames(template: string, statefulSet: string, replicas: number, start: number): string {
  const base = `${template}-${statefulSet}-`;
  return replicas === 1 ? `${base}${start}` : `${base}{${start}..${start + replicas - 1}}`;
}

/** Every string a pod is configured with: command, args and env values of all containers. */
function podStrings(spec: Json): string[] {
  const out: string[] = [];
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    out.push(...(c.command ?? []).map(String), ...(c.args ?? []).map(String));
    for (const e of c.env ?? []) if (typeof e?.value === 'string') out.push(e.value);
  }
  return out;
}

/** ConfigMaps a pod reads: mounted (also projected), `envFrom` and single keys. */
function configMapsOf(spec: Json): Set<string> {
  const out = new Set<string>();
  for (const v of spec?.volumes ?? []) {
    if (v?.configMap?.name) out.add(v.configMap.name);
    for (const s of v?.projected?.sources ?? []) if (s?.configMap?.name) out.add(s.configMap.name);
  }
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const f of c.envFrom ?? []) if (f?.configMapRef?.name) out.add(f.configMapRef.name);
    for (const e of c.env ?? []) if (e?.valueFrom?.configMapKeyRef?.name) out.add(e.valueFrom.configMapKeyRef.name);
  }
  return out;
}

function portText(p: Json): string {
  return `${p?.port ?? 'any'}${p?.endPort ? `-${p.endPort}` : ''}/${p?.protocol ?? 'TCP'}`;
}

/**
 * The topology of one render: namespaces (subgraphs), workloads with their replicas, Services (headless marked),
 * claim templates and standalone claims with size and StorageClass tier, and the wiring between them; rendered
 * as a Mermaid flowchart (`toMermaid`) and a Graphviz digraph (`toDot`), both deterministic.
 */
export class Topology {
  /** Derives the topology of `objects` (one profile's render). */
  public static of(objects: readonly ManifestObject[], options: TopologyOptions = {}): Topology {
    return new Topology(objects, options.title ?? 'rendered manifests');
  }

  /** Nodes sorted by namespace, then id. */
  public readonly nodes: readonly TopologyNode[];
  /** Edges sorted by type, source, target. */
  public readonly edges: readonly TopologyEdge[];
  /** Namespaces holding nodes, sorted. */
  public readonly namespaces: readonly string[];

  private readonly byId = new Map<string, TopologyNode>();

  private constructor(objects: readonly ManifestObject[], public readonly title: string) {
    const index = ManifestIndex.of(objects);
    const tiers = new Map<string, string | undefined>();
    for (const sc of index.ofKind('StorageClass')) tiers.set(String(sc.metadata?.name), sc.metadata?.labels?.[STORAGE_TIER_LABEL]);
    const nodes = new Map<string, TopologyNode>();
    const edges = new Map<string, { from: string; to: string; type: TopologyEdgeType; labels: Set<string> }>();
    const addNode = (node: TopologyNode) => nodes.set(node.id, node);
    const addEdge = (from: string, to: string, type: TopologyEdgeType, label?: string) => {
      if (from === to) return; // replicas talking to each other (replication, rendezvous) are not wiring
      const key = `${type} ${from} ${to}`;
      const edge = edges.get(key) ?? { from, to, type, labels: new Set<string>() };
      if (label) edge.labels.add(label);
      edges.set(key, edge);
    };

    const workloadIds = new Map<PodTemplateRef, string>();
    for (const { template, scale } of workloadScales(objects)) {
      const owner = template.owner as Json;
      const name = String(owner.metadata?.name);
      const id = nodeId(owner.kind, template.namespace, name);
      workloadIds.set(template, id);
      const extra = [replicasText(scale, owner.kind), owner.kind === 'CronJob' ? `schedule ${owner.spec?.schedule}` : undefined];
      addNode({
        id, type: 'workload', kind: owner.kind, namespace: template.namespace, name, headless: false,
        lines: [`${owner.kind} ${name}`, ...extra.filter((x): x is string => Boolean(x))],
      });
      if (owner.kind === 'StatefulSet') {
        for (const vct of owner.spec?.volumeClaimTemplates ?? []) {
          const tpl = String(vct.metadata?.name);
          const vctId = nodeId('volumeClaimTemplate', template.namespace, name, tpl);
          addNode({
            id: vctId, type: 'claim-template', kind: 'volumeClaimTemplate', namespace: template.namespace, name: tpl, headless: false,
            lines: [claimNames(tpl, name, scale.replicas, owner.spec?.ordinals?.start ?? 0), `${sizeText(vct.spec, tiers)} each`],
          });
          addEdge(id, vctId, 'claims');
        }
      }
    }
    const workloadsOf = (templates: readonly PodTemplateRef[]) => templates.map((t) => workloadIds.get(t)).filter((x): x is string => Boolean(x));

    for (const pvc of index.ofKind('PersistentVolumeClaim') as Json[]) {
      const ns = pvc.metadata?.namespace ?? 'default';
      const name = String(pvc.metadata?.name);
      addNode({
        id: nodeId('PersistentVolumeClaim', ns, name), type: 'claim', kind: 'PersistentVolumeClaim', namespace: ns, name, headless: false,
        lines: [`PersistentVolumeClaim ${name}`, sizeText(pvc.spec, tiers)],
      });
    }

    const services = new Map<string, { id: string; servers: string[] }>();
    for (const svc of index.ofKind('Service') as Json[]) {
      const ns = svc.metadata?.namespace ?? 'default';
      const name = String(svc.metadata?.name);
      const id = nodeId('Service', ns, name);
      const headless = svc.spec?.clusterIP === 'None';
      const ports = (svc.spec?.ports ?? []).map((p: Json) => String(p.port)).join(', ');
      const servers = workloadsOf(index.templatesSelectedByMap(ns, svc.spec?.selector ?? {}));
      addNode({
        id, type: 'service', kind: 'Service', namespace: ns, name, headless,
        lines: [`Service ${name}`, [headless ? 'headless' : svc.spec?.type ?? 'ClusterIP', ports && `:${ports}`].filter(Boolean).join(' ')],
      });
      services.set(`${ns}/${name}`, { id, servers });
      for (const server of servers) addEdge(id, server, 'selects');
    }

    const configMaps = new Map<string, string[]>();
    for (const cm of index.ofKind('ConfigMap') as Json[]) {
      configMaps.set(`${cm.metadata?.namespace ?? 'default'}/${cm.metadata?.name}`, Object.values(cm.data ?? {}).map(String));
    }

    for (const template of index.podTemplates) {
      const client = workloadIds.get(template);
      if (!client) continue;
      // Standalone claims mounted into the pods (a shared dataset, a backup volume).
      const containers: Json[] = [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])];
      for (const v of template.spec?.volumes ?? []) {
        const claim = v?.persistentVolumeClaim?.claimName;
        if (!claim || !index.get('PersistentVolumeClaim', template.namespace, claim)) continue;
        const target = nodeId('PersistentVolumeClaim', template.namespace, claim);
        const mounts = containers.flatMap((c) => (c.volumeMounts ?? []).filter((m: Json) => m.name === v.name));
        if (!mounts.length) addEdge(client, target, 'mounts');
        for (const m of mounts) addEdge(client, target, 'mounts', `${m.mountPath}${m.readOnly || v.persistentVolumeClaim.readOnly ? ' (ro)' : ''}`);
      }
      // Service DNS names the pods are given, directly or through the ConfigMaps they read.
      const texts = podStrings(template.spec);
      for (const cm of configMapsOf(template.spec)) texts.push(...(configMaps.get(`${template.namespace}/${cm}`) ?? []));
      for (const text of texts) {
        for (const match of text.matchAll(SERVICE_DNS)) {
          const service = services.get(`${match[2]}/${match[1]}`);
          for (const server of service?.servers ?? []) addEdge(client, server, 'connects', match[1]);
        }
      }
    }

    // NetworkPolicy ingress rules: each peer's pods reach the policy's pods.
    const namespaceLabels = new Map<string, Record<string, string>>();
    for (const ns of index.ofKind('Namespace')) {
      const name = String(ns.metadata?.name);
      namespaceLabels.set(name, { ...(ns.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': name });
    }
    for (const t of index.podTemplates) {
      if (!namespaceLabels.has(t.namespace)) namespaceLabels.set(t.namespace, { 'kubernetes.io/metadata.name': t.namespace });
    }
    const namespacesMatching = (selector: LabelSelector) => [...namespaceLabels].filter(([, labels]) => selectorMatches(selector, labels)).map(([n]) => n);
    for (const policy of index.ofKind('NetworkPolicy') as Json[]) {
      const ns = policy.metadata?.namespace ?? 'default';
      if (!(policy.spec?.policyTypes ?? ['Ingress']).includes('Ingress')) continue;
      const targets = workloadsOf(index.templatesSelectedBy(ns, policy.spec?.podSelector ?? {}));
      for (const rule of policy.spec?.ingress ?? []) {
        const ports = (rule.ports ?? []).map(portText);
        for (const peer of rule.from ?? []) {
          if (peer.ipBlock) continue;
          const inNamespaces = peer.namespaceSelector ? namespacesMatching(peer.namespaceSelector) : [ns];
          const clients = inNamespaces.flatMap((n) => workloadsOf(index.templatesSelectedBy(n, peer.podSelector ?? {})));
          for (const client of clients) {
            for (const target of targets) {
              addEdge(client, target, 'connects');
              for (const port of ports) addEdge(client, target, 'connects', port);
            }
          }
        }
      }
    }

    this.nodes = [...nodes.values()].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.id, b.id));
    for (const n of this.nodes) this.byId.set(n.id, n);
    const order: Record<TopologyEdgeType, number> = { connects: 0, selects: 1, claims: 2, mounts: 3 };
    this.edges = [...edges.values()]
      .map(({ from, to, type, labels }) => ({ from, to, type, label: labels.size ? [...labels].sort(compareLabels).join(', ') : undefined }))
      .sort((a, b) => order[a.type] - order[b.type] || cmp(a.from, b.from) || cmp(a.to, b.to));
    this.namespaces = [...new Set(this.nodes.map((n) => n.namespace))].sort(cmp);
  }

  /** The node with `id`. */
  public node(id: string): TopologyNode | undefined {
    return this.byId.get(id);
  }

  /** Edges as text, e.g. `StatefulSet ml-tracking/mlflow -> StatefulSet ml-db/postgres`, optionally of one type. */
  public describeEdges(type?: TopologyEdgeType): string[] {
    const name = (id: string) => {
      const n = this.byId.get(id)!;
      return `${n.kind} ${n.namespace}/${n.name}`;
    };
    return this.edges.filter((e) => !type || e.type === type).map((e) => `${name(e.from)} -> ${name(e.to)}`);
  }

  /** A Mermaid flowchart: one subgraph per namespace, wiring as solid arrows. */
  public toMermaid(): string {
    const text = (s: string) => s.replace(/"/g, '#quot;');
    const label = (lines: readonly string[]) => `"${lines.map(text).join('<br/>')}"`;
    const shape = (n: TopologyNode) => {
      const l = label(n.lines);
      switch (n.type) {
        case 'service': return `([${l}])`;
        case 'claim-template':
        case 'claim': return `[(${l})]`;
        default: return n.kind === 'StatefulSet' ? `[[${l}]]` : n.kind === 'Job' || n.kind === 'CronJob' ? `>${l}]` : `[${l}]`;
      }
    };
    const arrow: Record<TopologyEdgeType, string> = { connects: '==>', selects: '-.->', claims: '---', mounts: '-->' };
    const out = [
      `%% Topology of ${this.title}. Generated by cdk8s-stateful-ml from the rendered manifests; do not edit.`,
      '%% ==> connects (NetworkPolicy admission, Service DNS names)  -.-> Service selects pods  --- claim template  --> mounts',
      'flowchart LR',
    ];
    for (const ns of this.namespaces) {
      out.push(`  subgraph ns__${idPart(ns)}["namespace ${text(ns)}"]`);
      for (const n of this.nodes.filter((x) => x.namespace === ns)) out.push(`    ${n.id}${shape(n)}`);
      out.push('  end');
    }
    for (const e of this.edges) out.push(`  ${e.from} ${arrow[e.type]}${e.label ? `|"${text(e.label)}"|` : ''} ${e.to}`);
    const classes: [string, string, TopologyNode[]][] = [
      ['headless', 'stroke-dasharray: 4 3', this.nodes.filter((n) => n.headless)],
      ['storage', 'fill:#fff4dd,stroke:#b7791f', this.nodes.filter((n) => n.type === 'claim' || n.type === 'claim-template')],
      ['transient', 'fill:#f1f1f1,stroke:#777', this.nodes.filter((n) => n.kind === 'Job' || n.kind === 'CronJob')],
    ];
    for (const [name, style, members] of classes) {
      if (!members.length) continue;
      out.push(`  classDef ${name} ${style}`, `  class ${members.map((n) => n.id).join(',')} ${name}`);
    }
    return `${out.join('\n')}\n`;
  }

  /** A Graphviz digraph (`dot -Tsvg topology.dot`): one cluster per namespace, wiring as bold arrows. */
  public toDot(): string {
    const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const label = (lines: readonly string[]) => `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
    const attrs = (n: TopologyNode): string => {
      switch (n.type) {
        case 'service': return n.headless ? 'shape=ellipse, style=dashed' : 'shape=ellipse';
        case 'claim-template': return 'shape=cylinder, style=filled, fillcolor="#fff4dd"';
        case 'claim': return 'shape=cylinder, style="filled,bold", fillcolor="#fff4dd"';
        default:
          if (n.kind === 'StatefulSet') return 'shape=box3d, style=filled, fillcolor="#e8f0fe"';
          if (n.kind === 'Job' || n.kind === 'CronJob') return 'shape=cds, style=filled, fillcolor="#f1f1f1"';
          return 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"';
      }
    };
    const edgeAttrs: Record<TopologyEdgeType, string> = {
      connects: 'color="#1f5fbf", penwidth=1.6',
      selects: 'style=dashed, color=gray45, arrowhead=open',
      claims: 'style=dotted, arrowhead=none, color="#b7791f"',
      mounts: 'color="#b7791f"',
    };
    const out = [
      `// Topology of ${this.title}. Generated by cdk8s-stateful-ml from the rendered manifests; do not edit.`,
      'digraph topology {',
      `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label=${quote(`Topology: ${this.title}`)}];`,
      '  node [fontname="Helvetica", fontsize=10];',
      '  edge [fontname="Helvetica", fontsize=9];',
    ];
    for (const ns of this.namespaces) {
      out.push(`  subgraph ${quote(`cluster_${ns}`)} {`, `    label=${quote(`namespace ${ns}`)};`, '    style=rounded;', '    color=gray60;');
      for (const n of this.nodes.filter((x) => x.namespace === ns)) out.push(`    ${quote(n.id)} [label=${label(n.lines)}, ${attrs(n)}];`);
      out.push('  }');
    }
    for (const e of this.edges) {
      out.push(`  ${quote(e.from)} -> ${quote(e.to)} [${edgeAttrs[e.type]}${e.label ? `, label=${quote(e.label)}` : ''}];`);
    }
    out.push('}');
    return `${out.join('\n')}\n`;
  }
}

/** Service names first, then ports in numeric order. */
function compareLabels(a: string, b: string): number {
  const port = (s: string) => /^\d/.test(s);
  if (port(a) !== port(b)) return port(a) ? 1 : -1;
  if (port(a)) return parseInt(a, 10) - parseInt(b, 10) || cmp(a, b);
  return cmp(a, b);
}
