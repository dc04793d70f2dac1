import { isIPv4, isIPv6 } from 'net';
import { k8s } from '../k8s';
import { isDns1123Label } from '../names';

/**
 * Pods that may be admitted by a NetworkPolicy: a namespace and a label selector. An empty
 * `podSelector` (`{ namespace: 'ingress-nginx', podSelector: {} }`) means every pod of the namespace.
 */
export interface WorkloadPeer {
  /** Namespace of the peer pods. */
  readonly namespace: string;
  /** Labels selecting the peer pods in `namespace`; `{}` selects all of them. */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Anything that can name its pods as a peer (workloads, Deployments, Jobs). */
export interface IPeerable {
  asPeer(): WorkloadPeer;
}

/** What `allowFrom` accepts: a construct with pods, a pod selector, or any `NetworkPeer`. */
export type PeerLike = IPeerable | WorkloadPeer | NetworkPeer;


/**
 * A source of ingress traffic a NetworkPolicy admits: pods, a whole namespace, an IP range, or
 * anything at all.
 */
export class NetworkPeer {
  /** The pods of a workload (or any pod selector in a namespace). */
  public static pods(peer: IPeerable | WorkloadPeer): NetworkPeer {
    const resolved = 'asPeer' in peer ? peer.asPeer() : peer;
    checkNamespace(resolved.namespace, 'NetworkPeer.pods');
    const labels = Object.entries(resolved.podSelector).map(([k, v]) => `${k}=${v}`).sort().join(',');
    const description = labels ? `pods ${labels} in namespace '${resolved.namespace}'` : `every pod in namespace '${resolved.namespace}'`;
    return new NetworkPeer(`${resolved.namespace}/${labels}`, description, {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': resolved.namespace } },
      // All pods of the namespace is an empty selector `{}`, not `matchLabels: {}`.
      podSelector: labels ? { matchLabels: { ...resolved.podSelector } } : {},
    }, { namespace: resolved.namespace, podSelector: { ...resolved.podSelector } });
  }

  /** Every pod of namespace `name` (an ingress controller's, Prometheus', a notebook namespace). */
  public static namespace(name: string): NetworkPeer {
    checkNamespace(name, 'NetworkPeer.namespace');
    return NetworkPeer.pods({ namespace: name, podSelector: {} });
  }

  /**
   * Sources in an IP range (`10.0.0.0/8`, `fd00::/8`), e.g. a VPC's load balancers or a VPN, minus
   * `except`. Whether pod IPs match an ipBlock depends on the network plugin: admit pods with `pods()`.
   */
  public static cidr(cidr: string, except: readonly string[] = []): NetworkPeer {
    for (const c of [cidr, ...except]) {
      const problem = cidrProblem(c);
      if (problem) throw new Error(`NetworkPeer.cidr: ${problem}.`);
    }
    return new NetworkPeer(`ipBlock:${cidr}${except.length ? `-${[...except].sort().join(',')}` : ''}`,
      `addresses in ${cidr}${except.length ? ` except ${except.join(', ')}` : ''}`,
      { ipBlock: { cidr, ...(except.length ? { except: [...except] } : {}) } });
  }

  /**
   * Any source: pods of every namespace, nodes, load balancers, the outside world if a route exists.
   * Renders a rule without `from`, the only form that admits IPv4 and IPv6 alike.
   */
  public static anywhere(): NetworkPeer {
    return new NetworkPeer('*', 'any source');
  }

  /** The `NetworkPeer` of anything `allowFrom` accepts. */
  public static of(peer: PeerLike): NetworkPeer {
    return peer instanceof NetworkPeer ? peer : NetworkPeer.pods(peer);
  }

  private constructor(
    /** Identity of the peer: declaring the same key twice merges the ports. */
    public readonly key: string,
    /** Human-readable description, e.g. `every pod in namespace 'ingress-nginx'`. */
    public readonly description: string,
    private readonly source?: k8s.NetworkPolicyPeer,
    /** The pods, for a peer made of pods (`pods()`, `namespace()`); undefined for address ranges and `anywhere()`. */
    public readonly pods?: WorkloadPeer,
  ) {}

  /** The rule's `from` (or, for egress, `to`) list; undefined for `anywhere()` (a rule without peers admits all). */
  public get from(): k8s.NetworkPolicyPeer[] | undefined {
    return this.source ? [this.source] : undefined;
  }
}

/** NetworkPolicy ports for TCP `ports`. */
export function tcpPorts(ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

function checkNamespace(name: string, where: string): void {
  if (!isDns1123Label(name)) {
    throw new Error(`${where}: '${name}' is not a namespace name (a DNS-1123 label of at most 63 characters, e.g. 'ingress-nginx').`);
  }
}

/** Why `cidr` is not a CIDR the API server accepts in its canonical form (undefined when it is). */
function cidrProblem(cidr: string): string | undefined {
  const [address, bits, ...rest] = cidr.split('/');
  const v4 = isIPv4(address ?? '');
  const max = v4 ? 32 : isIPv6(address ?? '') ? 128 : undefined;
  if (max === undefined || rest.length || bits === undefined || !/^\d{1,3}$/.test(bits) || Number(bits) > max) {
    return `'${cidr}' is not a CIDR such as '10.0.0.0/8' or 'fd00::/8'`;
  }
  if (v4) {
    const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(bits));
    const network = value - (value % size);
    if (network !== value) {
      const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
      return `'${cidr}' has host bits set: use the network address '${dotted}/${bits}'`;
    }
  }
  return undefined;
}
