import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { crossAppProblem } from '../profiles/same-app';
import { NetworkPeer, type PeerLike, tcpPorts } from './network-access';
import { NetworkFlows } from './network-flows';
import { propsError } from '../private/errors';

/** Props of `IngressAllowList`. */
export interface IngressAllowListProps {
  /** Namespace of the protected pods. */
  readonly namespace: string;
  /** NetworkPolicy name. */
  readonly name: string;
  /** Labels selecting the protected pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Ports peers of the same workload use among themselves (replication, rendezvous). @default - all */
  readonly peerPorts?: readonly number[];
}

/**
 * A NetworkPolicy that admits only the protected workload's own pods and the sources declared
 * with `allow()` (pods, namespaces, IP ranges, anywhere): everything else is denied ingress. The
 * rule list is produced at synth time, so sources can be declared after the workload is created.
 */
export class IngressAllowList extends Construct {
  private readonly rules = new Map<string, { readonly peer: NetworkPeer; readonly ports: Set<number> }>();
  private readonly flows: NetworkFlows;
  private readonly server: { readonly namespace: string; readonly podSelector: Readonly<Record<string, string>> };

  constructor(scope: Construct, id: string, props: IngressAllowListProps) {
    super(scope, id);
    const server = { namespace: props.namespace, podSelector: props.podSelector };
    this.flows = NetworkFlows.of(this);
    this.server = server;
    // The workload's own pods talk among themselves (replication, rendezvous): a declared flow like any other.
    this.flows.connect(NetworkPeer.pods(server), server, props.peerPorts ?? []);
    const self: k8s.NetworkPolicyIngressRule = {
      from: [{ podSelector: { matchLabels: { ...props.podSelector } } }],
      ...(props.peerPorts ? { ports: tcpPorts(props.peerPorts) } : {}),
    };
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...props.podSelector } },
        policyTypes: ['Ingress'],
        ingress: Lazy.any({ produce: () => [self, ...this.renderRules()] }),
      },
    });
  }

  /** Admits `peer` on `ports`. Declaring the same peer twice merges the ports. */
  public allow(peer: PeerLike, ports: readonly number[]): void {
    const bad = ports.filter((p) => !Number.isInteger(p) || p < 1 || p > 65535);
    if (bad.length) throw propsError(this, 'IngressAllowList', `port(s) ${bad.join(', ')} must be whole numbers between 1 and 65535.`);
    const crossApp = crossAppProblem(this, peer, 'peer');
    if (crossApp) throw propsError(this, 'IngressAllowList', `${crossApp}.`);
    const resolved = NetworkPeer.of(peer);
    const rule = this.rules.get(resolved.key) ?? { peer: resolved, ports: new Set<number>() };
    for (const port of ports) rule.ports.add(port);
    this.rules.set(resolved.key, rule);
    this.flows.connect(resolved, this.server, ports);
  }

  /** Every admitted source and its ports, in rule order. */
  public get peers(): ReadonlyArray<{ readonly peer: NetworkPeer; readonly ports: readonly number[] }> {
    return [...this.rules.keys()].sort().map((key) => {
      const rule = this.rules.get(key)!;
      return { peer: rule.peer, ports: [...rule.ports].sort((a, b) => a - b) };
    });
  }

  private renderRules(): k8s.NetworkPolicyIngressRule[] {
    return this.peers.map(({ peer, ports }) => {
      const from = peer.from;
      return { ...(from ? { from } : {}), ports: tcpPorts(ports) };
    });
  }
}
