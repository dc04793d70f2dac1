import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../k8s';

/** Pods that may be admitted by a NetworkPolicy: a namespace and a label selector. */
export interface WorkloadPeer {
  /** Namespace of the peer pods. */
  readonly namespace: string;
  /** Labels selecting the peer pods in `namespace`. */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Anything that can name its pods as a peer (workloads, Deployments, Jobs). */
export interface IPeerable {
  asPeer(): WorkloadPeer;
}

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
 * A NetworkPolicy that admits only the protected workload's own pods and the clients declared
 * with `allow()`: everything else is denied ingress. The rule list is produced at synth time,
 * so clients can be declared after the workload is created.
 */
export class IngressAllowList extends Construct {
  private readonly rules = new Map<string, k8s.NetworkPolicyIngressRule>();

  constructor(scope: Construct, id: string, props: IngressAllowListProps) {
    super(scope, id);
    const self: k8s.NetworkPolicyIngressRule = {
      from: [{ podSelector: { matchLabels: { ...props.podSelector } } }],
      ...(props.peerPorts ? { ports: props.peerPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) } : {}),
    };
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...props.podSelector } },
        policyTypes: ['Ingress'],
        ingress: Lazy.any({ produce: () => [self, ...[...this.rules.keys()].sort().map((k) => this.rules.get(k)!)] }),
      },
    });
  }

  /** Admits `peer`'s pods on `ports`. Declaring the same peer twice merges the ports. */
  public allow(peer: WorkloadPeer, ports: readonly number[]): void {
    const key = `${peer.namespace}/${Object.entries(peer.podSelector).map(([k, v]) => `${k}=${v}`).sort().join(',')}`;
    const existing = this.rules.get(key)?.ports?.map((p) => Number(p.port?.value)) ?? [];
    const merged = [...new Set([...existing, ...ports])].sort((a, b) => a - b);
    this.rules.set(key, {
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } },
        podSelector: { matchLabels: { ...peer.podSelector } },
      }],
      ports: merged.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
    });
  }
}
