import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { NetworkPeer, tcpPorts } from './network-access';
import { NetworkFlows } from './network-flows';
import { assertKnownProps, propNames } from '../profiles/known-props';
import { MANAGED_BY_LABELS, isDns1123Label } from '../names';
import { describeConstruct, propsError } from '../private/errors';

/** Props of `WorkloadNamespace`. */
export interface WorkloadNamespaceProps {
  /** Namespace name (DNS-1123 label). */
  readonly name: string;
  /** Target cluster; pins the Pod Security Standards version. @default - Profile.of(scope) */
  readonly profile?: Profile;
  /** Extra labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Deny all ingress and egress of the namespace's pods by default, and admit exactly the flows the
   * constructs declare (`allowFrom`, backends, trackers) plus DNS: each server gets an ingress allow-list,
   * each client an egress allow-list (docs/network-policies.md).
   * @default true
   */
  readonly defaultDeny?: boolean;
}

/**
 * A namespace that enforces Pod Security Standards `restricted` at the profile's Kubernetes
 * version, so the API server refuses any pod our gates would have refused.
 */
export class WorkloadNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    assertKnownProps(describeConstruct(this, 'WorkloadNamespace'), props, WORKLOAD_NAMESPACE_PROPS);
    const profile = props.profile ?? Profile.of(this);
    this.name = props.name;
    if (!isDns1123Label(this.name)) {
      throw propsError(this, 'WorkloadNamespace', `invalid namespace name '${this.name}': a DNS-1123 label (lower-case letters, digits, '-', at most 63 characters).`);
    }
    const pss = `v${profile.kubeVersion}`;
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          ...props.labels,
          ...MANAGED_BY_LABELS,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': pss,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': pss,
        },
      },
    });
    if (props.defaultDeny ?? true) this.denyByDefault(profile);
  }

  private denyByDefault(profile: Profile): void {
    const network = profile.network;
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: this.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const dnsPorts = [53].flatMap((port) => [
      { protocol: 'UDP', port: k8s.IntOrString.fromNumber(port) }, ...tcpPorts([port]),
    ]);
    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns', namespace: this.name },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: NetworkPeer.pods(network.dns).from, ports: dnsPorts },
          ...network.nodeLocalDnsCidrs.map((cidr) => ({ to: NetworkPeer.cidr(cidr).from, ports: dnsPorts })),
        ],
      },
    });
    NetworkFlows.of(this).ownNamespace(this.name, this, network);
  }
}

/** Keys of WorkloadNamespaceProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const WORKLOAD_NAMESPACE_PROPS = propNames<WorkloadNamespaceProps>({ name: true, profile: true, labels: true, defaultDeny: true });
