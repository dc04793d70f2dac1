import { k8s } from '../k8s';
import { isDns1123Subdomain, podIndexFieldRef } from '../names';
import type { KubeVersion } from '../profiles';

/** Inputs of a WorkloadIdentity. */
export interface WorkloadIdentityProps {
  /** Name of the StatefulSet (or indexed Job); pod `i` is `<name>-<i>`. */
  readonly name: string;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** The kubelet's `--cluster-domain`. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** `app.kubernetes.io/name` of the pods. @default - `name` */
  readonly appName?: string;
  /** The governing (headless) Service. @default `<name>-headless` */
  readonly headlessServiceName?: string;
}

/**
 * Everything a stateful workload is called, known before any object is built: names, DNS names, selector labels and
 * the pod-index env. Constructs that must name pods before their workload exists (Redis' Sentinel hosts, a
 * database's TLS names and replica list, a trainer's rendezvous host) take it from here, so DNS names and labels are
 * written in one place.
 */
export class WorkloadIdentity {
  /** The identity of a workload named `props.name` in `props.namespace`. */
  public static of(props: WorkloadIdentityProps): WorkloadIdentity {
    return new WorkloadIdentity(props);
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly clusterDomain: string;
  /** Name of the governing headless Service. */
  public readonly headlessServiceName: string;
  /** Labels the workload's controller, Services and PDB select pods by (immutable once deployed). */
  public readonly selectorLabels: Readonly<Record<string, string>>;

  private constructor(props: WorkloadIdentityProps) {
    this.name = props.name;
    this.namespace = props.namespace;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.headlessServiceName = props.headlessServiceName ?? `${props.name}-headless`;
    this.selectorLabels = Object.freeze({
      'app.kubernetes.io/name': props.appName ?? props.name,
      'app.kubernetes.io/instance': props.name,
    });
  }

  /** Why the cluster domain cannot end DNS names (undefined when it can); the kubelet validates it as a DNS-1123 subdomain. */
  public get clusterDomainProblem(): string | undefined {
    if (isDns1123Subdomain(this.clusterDomain)) return undefined;
    return `invalid clusterDomain '${this.clusterDomain}': a DNS name in lower case (letters, digits, '-' and '.'), e.g. 'cluster.local'; use your kubelet's --cluster-domain.`;
  }

  /** `<name>-<i>` */
  public podName(ordinal: number): string {
    return `${this.name}-${ordinal}`;
  }

  /** Stable DNS name of pod `i` through the headless Service: `<name>-<i>.<headless>.<namespace>.svc.<domain>`. */
  public podHost(ordinal: number): string {
    return `${this.podName(ordinal)}.${this.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}`;
  }

  /** The stable DNS names of pods `0..count-1`, in ordinal order. */
  public podHosts(count: number): string[] {
    return Array.from({ length: count }, (_, i) => this.podHost(i));
  }

  /** Cluster DNS name of Service `service` in the workload's namespace: `<service>.<namespace>.svc.<domain>`. */
  public serviceHost(service: string): string {
    return `${service}.${this.namespace}.svc.${this.clusterDomain}`;
  }

  /** Every name a pod in the cluster may use for Service `service`, shortest first (for TLS certificates' names). */
  public serviceNames(service: string): string[] {
    return [service, `${service}.${this.namespace}`, `${service}.${this.namespace}.svc`, this.serviceHost(service)];
  }

  /** Env var `name` holding the pod's ordinal from the pod-index label, where `version` has the label. */
  public podIndexEnv(name: string, version: KubeVersion): k8s.EnvVar | undefined {
    if (!version.hasPodIndexLabel) return undefined;
    return { name, valueFrom: podIndexFieldRef() };
  }
}
