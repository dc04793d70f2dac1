import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { k8s } from '../k8s';
import { type ClusterNetwork } from '../profiles';
import { NetworkPeer, type WorkloadPeer, tcpPorts } from './network-access';

/**
 * A connection the platform's typed wiring declares: pods of `client` may open TCP connections to
 * `server` on `ports` (no ports: every port, as between the pods of one workload).
 */
export interface DeclaredFlow {
  /** Who connects: pods of a workload, a namespace, an address range, or anything. */
  readonly client: NetworkPeer;
  /** Where to: the pods of a workload in the cluster, or an address outside it (`NetworkPeer.cidr`/`anywhere`). */
  readonly server: NetworkPeer;
  /** TCP ports; empty means every port. */
  readonly ports: readonly number[];
}

interface ClientEgress {
  readonly client: WorkloadPeer;
  policy?: Construct;
  /** destination key -> destination and its ports (an empty set: every port). */
  readonly rules: Map<string, { readonly to: NetworkPeer; readonly ports: Set<number>; all: boolean }>;
}

interface OwnedNamespace {
  readonly host: Construct;
  readonly network: ClusterNetwork;
  readonly policyNames: Map<string, string>;
}

const REGISTRIES = new WeakMap<IConstruct, NetworkFlows>();

/**
 * Every flow of an App, recorded as the constructs are wired (`allowFrom`, backends, trackers), and the
 * NetworkPolicies that follow from them in the namespaces the platform owns (`WorkloadNamespace`):
 * those namespaces deny all ingress and egress by default, each server admits exactly its declared
 * clients, and each client pod may reach exactly its declared servers (plus DNS). One record feeds both
 * directions, so the two sides can never disagree.
 */
export class NetworkFlows {
  /** The registry of the App that `scope` belongs to. */
  public static of(scope: IConstruct): NetworkFlows {
    const root = scope.node.root;
    let flows = REGISTRIES.get(root);
    if (!flows) {
      flows = new NetworkFlows();
      REGISTRIES.set(root, flows);
    }
    return flows;
  }

  private readonly owned = new Map<string, OwnedNamespace>();
  private readonly servers: Array<{ readonly server: WorkloadPeer; readonly restrict: () => void; restricted: boolean }> = [];
  private readonly clients = new Map<string, ClientEgress>();
  private readonly declared: DeclaredFlow[] = [];

  private constructor() {}

  /** Every declared flow, in declaration order. */
  public get flows(): readonly DeclaredFlow[] {
    return this.declared;
  }

  /** Namespaces whose traffic is default-deny. */
  public get ownedNamespaces(): readonly string[] {
    return [...this.owned.keys()].sort();
  }

  public isOwned(namespace: string): boolean {
    return this.owned.has(namespace);
  }

  /**
   * Declares `namespace` default-deny, hosted by `host` (its `WorkloadNamespace`): servers in it restrict
   * their ingress, clients in it get their egress policies.
   */
  public ownNamespace(namespace: string, host: Construct, network: ClusterNetwork): void {
    if (this.owned.has(namespace)) return;
    this.owned.set(namespace, { host, network, policyNames: new Map() });
    for (const entry of this.servers) if (entry.server.namespace === namespace) this.restrict(entry);
    for (const egress of this.clients.values()) if (egress.client.namespace === namespace) this.ensurePolicy(egress);
  }

  /** The cluster network facts of an owned namespace (undefined when the platform does not own it). */
  public networkOf(namespace: string): ClusterNetwork | undefined {
    return this.owned.get(namespace)?.network;
  }

  /**
   * Registers pods that serve traffic: `restrict` (which must put an ingress allow-list in front of them)
   * runs as soon as their namespace is owned, since default-deny would otherwise close them to everyone.
   */
  public serve(server: WorkloadPeer, restrict: () => void): void {
    const entry = { server, restrict, restricted: false };
    this.servers.push(entry);
    if (this.owned.has(server.namespace)) this.restrict(entry);
  }

  /** Records that `client` may connect to the pods of `server` on `ports` (empty: every port). */
  public connect(client: NetworkPeer, server: WorkloadPeer, ports: readonly number[]): void {
    this.add(client, NetworkPeer.pods(server), ports);
  }

  /** Records that the pods of `client` may reach `destination` outside the cluster (an address range, anywhere). */
  public reach(client: WorkloadPeer, destination: NetworkPeer, ports: readonly number[]): void {
    if (destination.pods) throw new Error('NetworkFlows.reach is for destinations outside the cluster; declare pods with allowFrom on the server.');
    this.add(NetworkPeer.pods(client), destination, ports);
  }

  /** Records that the pods of `client` call the Kubernetes API server (at the profile's address, or 443/6443 anywhere when unknown). */
  public reachApiServer(client: WorkloadPeer, network: ClusterNetwork): void {
    const api = network.apiServer;
    if (api) for (const cidr of api.cidrs) this.reach(client, NetworkPeer.cidr(cidr), [api.port]);
    else this.reach(client, NetworkPeer.anywhere(), [443, 6443]);
  }

  private add(client: NetworkPeer, server: NetworkPeer, ports: readonly number[]): void {
    this.declared.push({ client, server, ports: [...ports] });
    const pods = client.pods;
    if (!pods) return;
    const key = client.key;
    let egress = this.clients.get(key);
    if (!egress) {
      egress = { client: pods, rules: new Map() };
      this.clients.set(key, egress);
    }
    const rule = egress.rules.get(server.key) ?? { to: server, ports: new Set<number>(), all: false };
    if (!ports.length) rule.all = true;
    for (const port of ports) rule.ports.add(port);
    egress.rules.set(server.key, rule);
    this.ensurePolicy(egress);
  }

  private restrict(entry: { readonly restrict: () => void; restricted: boolean }): void {
    if (entry.restricted) return;
    entry.restricted = true;
    entry.restrict();
  }

  private ensurePolicy(egress: ClientEgress): void {
    const owner = this.owned.get(egress.client.namespace);
    if (!owner || egress.policy) return;
    const name = policyName(egress.client, owner.policyNames);
    const selector = { ...egress.client.podSelector };
    egress.policy = new Construct(owner.host, `Egress-${name}`);
    new k8s.KubeNetworkPolicy(egress.policy, 'Resource', {
      metadata: { name, namespace: egress.client.namespace },
      spec: {
        podSelector: Object.keys(selector).length ? { matchLabels: selector } : {},
        policyTypes: ['Egress'],
        egress: Lazy.any({ produce: () => [...egress.rules.keys()].sort().map((key) => {
          const rule = egress.rules.get(key)!;
          const to = rule.to.from;
          const ports = rule.all ? [] : [...rule.ports].sort((a, b) => a - b);
          return { ...(to ? { to } : {}), ...(ports.length ? { ports: tcpPorts(ports) } : {}) };
        }) }),
      },
    });
  }
}

/**
 * `<instance>[-<component>]-egress` from the client's labels; a second selector that would get the same name
 * in the namespace gets a hash of its labels too, so names stay stable whatever the declaration order.
 */
function policyName(client: WorkloadPeer, taken: Map<string, string>): string {
  const labels = client.podSelector;
  const selectorKey = Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(',');
  const instance = labels['app.kubernetes.io/instance'];
  const app = labels['app.kubernetes.io/name'];
  // The instance (`postgres`, `feast-server`), or the app name when it refines it (`mlflow-migration` of instance `mlflow`).
  const who = app && instance && app !== instance && app.startsWith(`${instance}-`) ? app : instance ?? app;
  const values = Object.keys(labels).sort().map((k) => labels[k]).join('-');
  const base = [who ?? (values || 'all-pods'), labels['app.kubernetes.io/component']].filter(Boolean).join('-')
    .toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  let name = `${base}-egress`.slice(0, 63).replace(/-+$/, '');
  const holder = taken.get(name);
  if (holder !== undefined && holder !== selectorKey) {
    const hash = createHash('sha256').update(selectorKey).digest('hex').slice(0, 8);
    name = `${base.slice(0, 63 - 16)}-${hash}-egress`;
  }
  taken.set(name, selectorKey);
  return name;
}
