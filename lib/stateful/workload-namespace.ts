import { Construct } from 'constructs';
import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { assertKnownProps, propNames } from '../profiles/known-props';

/** Props of `WorkloadNamespace`. */
export interface WorkloadNamespaceProps {
  /** Namespace name (DNS-1123 label). */
  readonly name: string;
  /** Target cluster; pins the Pod Security Standards version. @default - Profile.of(scope) */
  readonly profile?: Profile;
  /** Extra labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A namespace that enforces Pod Security Standards `restricted` at the profile's Kubernetes
 * version, so the API server refuses any pod our gates would have refused.
 */
export class WorkloadNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    assertKnownProps(`WorkloadNamespace '${this.node.path}'`, props, WORKLOAD_NAMESPACE_PROPS);
    const profile = props.profile ?? Profile.of(this);
    this.name = props.name;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name) || this.name.length > 63) {
      throw new Error(`WorkloadNamespace '${this.node.path}': invalid namespace name '${this.name}': a DNS-1123 label (lower-case letters, digits, '-', at most 63 characters).`);
    }
    const pss = `v${profile.kubeVersion}`;
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          ...props.labels,
          'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': pss,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': pss,
        },
      },
    });
  }
}

/** Keys of WorkloadNamespaceProps, checked at runtime (synth only transpiles); the compiler keeps this list equal to the interface. */
const WORKLOAD_NAMESPACE_PROPS = propNames<WorkloadNamespaceProps>({ name: true, profile: true, labels: true });
