/**
 * An evaluator of Kubernetes NetworkPolicy semantics over rendered objects, written from the API reference
 * (networking.k8s.io/v1), independent of the constructs that produce the policies: a pod is isolated for a
 * direction when a policy of that type selects it; then a connection is allowed only when some selecting
 * policy has a rule whose peers match the other side and whose ports include the port. Both the client's
 * egress and the server's ingress must allow it.
 */
type Json = any;

/** A pod as the rendered templates describe it (one per workload). */
export interface PodModel {
  /** `Kind namespace/name` of its workload; `dns` / `outside` for the synthetic ones. */
  readonly id: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Ports it listens on (containers and native sidecars). */
  readonly ports: readonly number[];
  /** Named container ports. */
  readonly namedPorts?: Readonly<Record<string, number>>;
  /** Labels a controller sets on the pod at runtime (`ml.cdk8s.io/runtime-labels`, e.g. Patroni's `role=primary`): any of them. */
  readonly runtimeLabels?: readonly string[];
  /** Service DNS names in its env, args and mounted ConfigMaps: `svc.ns`, or `svc.ns:port` when a port follows the name. */
  readonly references: readonly string[];
}

const WORKLOAD_TEMPLATES: Record<string, (o: Json) => Json> = {
  StatefulSet: (o) => o.spec.template, Deployment: (o) => o.spec.template, DaemonSet: (o) => o.spec.template,
  Job: (o) => o.spec.template, CronJob: (o) => o.spec.jobTemplate.spec.template,
};
const SERVICE_DNS = /(?<![a-z0-9-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.[a-z0-9.-]*[a-z0-9])?(?::(\d+))?(?![a-z0-9-])/g;

export function podsOf(objects: readonly Json[]): PodModel[] {
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap')
    .map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, Object.values(o.data ?? {}).join('\n')]));
  return objects.filter((o) => WORKLOAD_TEMPLATES[o.kind]).map((o) => {
    const template = WORKLOAD_TEMPLATES[o.kind](o);
    const spec = template.spec;
    const containers = [...spec.containers, ...(spec.initContainers ?? [])];
    const serving = [...spec.containers, ...(spec.initContainers ?? []).filter((c: Json) => c.restartPolicy === 'Always')];
    const texts = containers.flatMap((c: Json) => [...(c.command ?? []), ...(c.args ?? []), ...(c.env ?? []).map((e: Json) => e.value ?? '')]);
    for (const v of spec.volumes ?? []) if (v.configMap) texts.push(configMaps.get(`${o.metadata.namespace}/${v.configMap.name}`) ?? '');
    const references = new Set<string>();
    for (const text of texts) for (const m of String(text).matchAll(SERVICE_DNS)) references.add(`${m[1]}.${m[2]}${m[3] ? `:${m[3]}` : ''}`);
    return {
      id: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`,
      namespace: o.metadata.namespace,
      labels: template.metadata?.labels ?? {},
      ports: serving.flatMap((c: Json) => (c.ports ?? []).map((p: Json) => p.containerPort)),
      runtimeLabels: (template.metadata?.annotations?.['ml.cdk8s.io/runtime-labels'] ?? '').split(',').filter(Boolean),
      namedPorts: Object.fromEntries(serving.flatMap((c: Json) => (c.ports ?? []).filter((p: Json) => p.name).map((p: Json) => [p.name, p.containerPort]))),
      references: [...references].sort(),
    };
  });
}

function labelSelectorMatches(selector: Json, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Namespaces carry `kubernetes.io/metadata.name` (set by the API server) and nothing else we rely on. */
function peerMatches(peer: Json, policyNamespace: string, other: PodModel): boolean {
  if (peer.ipBlock) return other.id === 'outside';
  if (other.id === 'outside') return false;
  const namespaceOk = peer.namespaceSelector
    ? labelSelectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace })
    : other.namespace === policyNamespace;
  return namespaceOk && labelSelectorMatches(peer.podSelector ?? {}, other.labels);
}

function portMatches(ports: Json[] | undefined, port: number): boolean {
  return !ports?.length || ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port));
}

function allows(policies: readonly Json[], type: 'Ingress' | 'Egress', pod: PodModel, other: PodModel, port: number): boolean {
  const selecting = policies.filter((p) => p.metadata.namespace === pod.namespace && (p.spec.policyTypes ?? ['Ingress']).includes(type) &&
    labelSelectorMatches(p.spec.podSelector, pod.labels));
  if (!selecting.length) return true;
  const rulesKey = type === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = type === 'Ingress' ? 'from' : 'to';
  return selecting.some((p) => (p.spec[rulesKey] ?? []).some((rule: Json) =>
    (!rule[peersKey]?.length || rule[peersKey].some((peer: Json) => peerMatches(peer, p.metadata.namespace, other))) && portMatches(rule.ports, port)));
}

/** Whether TCP from `client` to `server` on `port` gets through both sides' policies. */
export function connectionAllowed(policies: readonly Json[], client: PodModel, server: PodModel, port: number): boolean {
  const egress = client.id === 'outside' || allows(policies, 'Egress', client, server, port);
  const ingress = server.id === 'outside' || server.id === 'dns' || allows(policies, 'Ingress', server, client, port);
  return egress && ingress;
}

/** Same as connectionAllowed for UDP (DNS): only the egress side is ours. */
export function udpEgressAllowed(policies: readonly Json[], client: PodModel, server: PodModel, port: number): boolean {
  const selecting = policies.filter((p) => p.metadata.namespace === client.namespace && (p.spec.policyTypes ?? []).includes('Egress') &&
    labelSelectorMatches(p.spec.podSelector, client.labels));
  if (!selecting.length) return true;
  return selecting.some((p) => (p.spec.egress ?? []).some((rule: Json) =>
    (!rule.to?.length || rule.to.some((peer: Json) => peerMatches(peer, p.metadata.namespace, server))) &&
    (!rule.ports?.length || rule.ports.some((q: Json) => q.protocol === 'UDP' && q.port === port))));
}

export { labelSelectorMatches };
