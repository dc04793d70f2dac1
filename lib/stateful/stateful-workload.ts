import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s, withNewerFields } from '../k8s';
import { Profile } from '../profiles';
import { Quantity } from '../storage/quantity';
import { StorageTier } from '../storage/storage-class-pack';
import { withTierNodeAffinity } from '../storage/tier-affinity';
import { ContainerSpec, PodSpecInput, RunAs, buildPodSpec, imageProblem } from './container';
import { IngressAllowList } from './ingress-allow-list';
import { IPeerable, NetworkPeer, PeerLike, WorkloadPeer } from './network-access';
import { NetworkFlows } from './network-flows';
import type { ClaimRetention } from './claim-retention';
import { IServesTraffic, serviceProfile, tierProfileProblem } from './stateful-service';
import { UpdateStrategy } from './update-strategy';
import { WorkloadIdentity } from './workload-identity';
import { MANAGED_BY_LABELS, isDns1123Label } from '../names';
import { addProblems, describeConstruct, propsError } from '../private/errors';

/** How the StatefulSet controller creates and deletes pods. */
export enum PodManagementPolicy {
  /** One pod at a time, in ordinal order, each Ready before the next (databases). */
  ORDERED_READY = 'OrderedReady',
  /** All pods at once (training workers that rendezvous, caches). */
  PARALLEL = 'Parallel',
}

/** A per-pod volume: one PersistentVolumeClaim per ordinal, named `<name>-<statefulset>-<i>`. */
export interface VolumeClaimTemplateSpec {
  /** Template name, also the volume name containers mount. */
  readonly name: string;
  /** Storage tier of the claims. */
  readonly tier: StorageTier;
  /** Requested size, a Kubernetes quantity (`20Gi`). */
  readonly size: string;
  /**
   * Source to populate new claims from, e.g. a VolumeSnapshot (restore).
   * @default - empty volumes
   */
  readonly dataSource?: k8s.TypedLocalObjectReference;
}

/** How replicas are spread over nodes and zones. */
export type SpreadMode = 'soft' | 'hard' | 'none';

/** Props of `StatefulWorkload`. */
export interface StatefulWorkloadProps extends PodSpecInput {
  /** StatefulSet name: a DNS-1123 label of at most 52 characters; pods are `<name>-<i>`. */
  readonly name: string;
  /** Namespace of the StatefulSet and its Services, PDB and NetworkPolicy. */
  readonly namespace: string;
  /** Target cluster. @default - the profile of the first volume claim's tier, else Profile.of(scope) */
  readonly profile?: Profile;
  /** `app.kubernetes.io/name` of the pods, e.g. `postgres`. @default - the name */
  readonly appName?: string;
  /** `app.kubernetes.io/component`. @default - none */
  readonly component?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default - the pods' uid/gid 1000 */
  readonly runAs?: RunAs;
  /** Per-pod claims. @default - none */
  readonly volumeClaims?: readonly VolumeClaimTemplateSpec[];
  /**
   * Helpers that run for the pod's lifetime next to the main containers (metrics exporters): native
   * sidecars (init containers with `restartPolicy: Always`, started before and stopped after the main
   * containers) where the version has them, ordinary containers below. Their ports are published by
   * the headless Service by number.
   * @default - none
   */
  readonly sidecars?: readonly ContainerSpec[];
  /** @default PodManagementPolicy.ORDERED_READY */
  readonly podManagementPolicy?: PodManagementPolicy;
  /** @default UpdateStrategy.rollingUpdate() */
  readonly updateStrategy?: UpdateStrategy;
  /** Claim retention on delete and scale-down (emitted where the Kubernetes version has it). @default Retain/Retain */
  readonly claimRetention?: ClaimRetention;
  /**
   * Let the headless Service publish pods before they are Ready, so peers can resolve each
   * other while bootstrapping (replication, rendezvous).
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
  /**
   * Voluntary disruptions allowed at once. Never 0: a PDB that allows none blocks node drains.
   * @default 1
   */
  readonly maxUnavailable?: number;
  /** @default 'soft' (preferred anti-affinity on hostname, ScheduleAnyway zone spread) */
  readonly spread?: SpreadMode;
  /** Minimum seconds a new pod must be Ready before it counts as available. @default 0 */
  readonly minReadySeconds?: number;
  /** Extra labels on every object and pod. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations on the pod template (changing them rolls the pods). @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Kubernetes cluster DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/** A Service in front of (some of) the workload's pods. */
export interface WorkloadService {
  /** Service name. */
  readonly name: string;
  /** Service namespace. */
  readonly namespace: string;
  /** `<name>.<namespace>.svc.<domain>` */
  readonly host: string;
  /** Ports the Service exposes. */
  readonly ports: readonly k8s.ServicePort[];
  /** Labels of the pods it selects. */
  readonly selector: Readonly<Record<string, string>>;
  /** The Service object. */
  readonly resource: k8s.KubeService;
}

/** Options of `StatefulWorkload.addClientService()`. */
export interface ClientServiceProps {
  /** Service name (DNS-1123 label). */
  readonly name: string;
  /** Selects a subset of the pods (e.g. only ordinal 0). Added to the workload's selector. @default - all pods */
  readonly extraSelector?: Readonly<Record<string, string>>;
  /** @default - every port the headless Service exposes */
  readonly ports?: readonly k8s.ServicePort[];
  /**
   * Prefer endpoints in the client's zone (`trafficDistribution: PreferClose`), for Services whose
   * endpoints are interchangeable (read replicas). Emitted where the version has it (1.31+).
   * @default false
   */
  readonly preferClose?: boolean;
  /**
   * Expose through the profile's internal load balancer instead of a ClusterIP. Load-balancer traffic
   * does not come from a pod (and its source address depends on the cloud), so on a workload that
   * restricts ingress (`allowFrom`) the Service's ports are admitted from any source: the load balancer
   * is internal, reachable from the VPC/VNet only. Keep a ClusterIP Service and admit
   * `NetworkPeer.cidr(...)` instead to narrow it further.
   * @default false
   */
  readonly internalLoadBalancer?: boolean;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A StatefulSet pod gets a `controller-revision-hash` label `<name>-<10 chars>`, and labels are ≤ 63. */
const MAX_STATEFULSET_NAME = 52;

/**
 * The core every stateful construct builds on: a StatefulSet with stable names, its headless
 * governing Service, optional client Services, per-pod claims with retention, a PodDisruptionBudget
 * that never blocks a drain, spread over nodes and zones, and restricted pods.
 */
export class StatefulWorkload extends Construct implements IPeerable, IServesTraffic {
  public readonly name: string;
  public readonly namespace: string;
  public readonly profile: Profile;
  public readonly replicas: number;
  public readonly clusterDomain: string;
  /** Names, DNS names and selector labels of the workload. */
  public readonly identity: WorkloadIdentity;
  /** Labels the StatefulSet, Services and PDB select pods by (immutable once deployed). */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Labels on every object of the workload. */
  public readonly labels: Readonly<Record<string, string>>;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly headlessService: WorkloadService;
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  public readonly volumeClaims: readonly VolumeClaimTemplateSpec[];
  private readonly ports: k8s.ServicePort[];
  private ingress?: IngressAllowList;
  /** Clients admitted only once the workload restricts ingress (see allowFromIfRestricted). */
  private readonly conditionalPeers: Array<{ readonly peer: PeerLike; readonly ports: readonly number[] }> = [];

  constructor(scope: Construct, id: string, props: StatefulWorkloadProps) {
    super(scope, id);
    this.profile = serviceProfile(this, props.profile, props.volumeClaims?.[0]?.tier);
    this.name = props.name;
    this.namespace = props.namespace;
    this.replicas = props.replicas ?? 1;
    this.identity = WorkloadIdentity.of({ name: props.name, namespace: props.namespace, clusterDomain: props.clusterDomain, appName: props.appName });
    this.clusterDomain = this.identity.clusterDomain;
    this.volumeClaims = props.volumeClaims ?? [];
    this.validate(props);

    this.selectorLabels = this.identity.selectorLabels;
    this.labels = {
      ...props.labels,
      ...this.selectorLabels,
      ...(props.component ? { 'app.kubernetes.io/component': props.component } : {}),
      ...MANAGED_BY_LABELS,
    };

    // Before 1.32 Services do not resolve named ports of native sidecars (kubernetes/kubernetes#127958, fixed by
    // #127976), and some CNIs' NetworkPolicies still do not (projectcalico/calico#8881): target them by number.
    const nativeSidecars = this.profile.kubeVersion.hasNativeSidecars;
    this.ports = [
      ...props.containers.flatMap((c) => c.ports ?? []).map((p) => ({ ...p, byNumber: false })),
      ...(props.sidecars ?? []).flatMap((c) => c.ports ?? []).map((p) => ({ ...p, byNumber: nativeSidecars })),
    ].map((p) => ({
      name: p.name, port: p.port, targetPort: p.byNumber ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.name), protocol: 'TCP',
    }));

    const headlessName = this.identity.headlessServiceName;
    this.headlessService = this.service(headlessName, {
      clusterIp: 'None',
      publishNotReadyAddresses: props.publishNotReadyAddresses ?? false,
      ports: this.ports.length ? this.ports : undefined,
      selector: { ...this.selectorLabels },
    }, 'Headless');

    const version = this.profile.kubeVersion;
    const strategy = props.updateStrategy ?? UpdateStrategy.rollingUpdate();
    const retention = props.claimRetention ?? {};
    const podSpec = buildPodSpec({
      ...props,
      // Disks that attach only to some machine families or zones pull the pods there.
      affinity: withTierNodeAffinity(mergeAffinity(props.affinity, this.antiAffinity(props.spread ?? 'soft')), this.volumeClaims.map((c) => c.tier)),
      topologySpreadConstraints: [...(props.topologySpreadConstraints ?? []), ...this.zoneSpread(props.spread ?? 'soft')],
    }, this.profile, props.sidecars);

    this.statefulSet = new StatefulSetResource(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.labels } },
      spec: {
        serviceName: headlessName,
        replicas: this.replicas,
        selector: { matchLabels: { ...this.selectorLabels } },
        podManagementPolicy: props.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY,
        updateStrategy: strategy.type === 'OnDelete'
          ? { type: 'OnDelete' }
          : {
            type: 'RollingUpdate',
            rollingUpdate: {
              partition: strategy.partition ?? 0,
              ...(strategy.maxUnavailable !== undefined && version.hasStatefulSetMaxUnavailable
                ? { maxUnavailable: k8s.IntOrString.fromNumber(strategy.maxUnavailable) } : {}),
            },
          },
        ...(props.minReadySeconds ? { minReadySeconds: props.minReadySeconds } : {}),
        ...(version.hasPvcRetentionPolicy ? {
          persistentVolumeClaimRetentionPolicy: {
            whenDeleted: retention.whenDeleted ?? 'Retain',
            whenScaled: retention.whenScaled ?? 'Retain',
          },
        } : {}),
        template: {
          metadata: {
            labels: { ...this.labels },
            ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}),
          },
          spec: podSpec,
        },
        ...(this.volumeClaims.length ? {
          volumeClaimTemplates: this.volumeClaims.map((claim) => ({
            metadata: { name: claim.name, labels: { ...this.selectorLabels } },
            spec: claim.tier.claimSpec(claim.size, claim.dataSource),
          })),
        } : {}),
      },
    });
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'Disruption', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.labels } },
      spec: {
        selector: { matchLabels: { ...this.selectorLabels } },
        maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
        // Evict pods that are not Ready (crash-looping) even when the budget is used up, so a
        // broken replica can never block a node drain.
        ...(version.hasUnhealthyPodEvictionPolicy ? { unhealthyPodEvictionPolicy: 'AlwaysAllow' } : {}),
      },
    });
    // In a default-deny namespace the pods are restricted from the start (own pods and declared clients).
    NetworkFlows.of(this).serve(this.asPeer(), () => this.restrictIngress());
  }

  /** `<name>-<i>` */
  public podName(ordinal: number): string {
    this.checkOrdinal(ordinal);
    return this.identity.podName(ordinal);
  }

  /** Stable DNS name of pod `i` through the headless Service. */
  public podHost(ordinal: number): string {
    this.checkOrdinal(ordinal);
    return this.identity.podHost(ordinal);
  }

  /** Every pod's stable DNS name, in ordinal order. */
  public get podHosts(): string[] {
    return Array.from({ length: this.replicas }, (_, i) => this.podHost(i));
  }

  /** Name of the claim of template `template` for pod `i`: `<template>-<statefulset>-<i>`. */
  public claimName(template: string, ordinal: number): string {
    if (!this.volumeClaims.some((c) => c.name === template)) {
      throw new Error(`${describeConstruct(this, 'StatefulWorkload')} has no volume claim template '${template}' (it has: ${this.volumeClaims.map((c) => c.name).join(', ') || 'none'}).`);
    }
    return `${template}-${this.podName(ordinal)}`;
  }

  /** Adds a Service in front of the pods (or a subset), e.g. a read-write Service for ordinal 0. */
  public addClientService(props: ClientServiceProps): WorkloadService {
    const internal = props.internalLoadBalancer ?? false;
    if (internal && !this.profile.internalLoadBalancerAnnotations) {
      throw propsError(this, 'StatefulWorkload', `Service '${props.name}': profile '${this.profile.name}' has no internal load balancer; ` +
        'declare internalLoadBalancerAnnotations on the profile or use a ClusterIP Service.');
    }
    const annotations = { ...props.annotations, ...(internal ? this.profile.internalLoadBalancerAnnotations : {}) };
    const preferClose = (props.preferClose ?? false) && this.profile.kubeVersion.hasTrafficDistribution;
    const service = this.service(props.name, {
      type: internal ? 'LoadBalancer' : 'ClusterIP',
      ports: [...(props.ports ?? this.ports)],
      selector: { ...this.selectorLabels, ...props.extraSelector },
      // Not in the 1.27 ServiceSpec type; ServiceResource keeps it.
      ...(preferClose ? { trafficDistribution: 'PreferClose' } as object : {}),
    }, `Service-${props.name}`, Object.keys(annotations).length ? annotations : undefined);
    if (internal) this.allowFromIfRestricted(NetworkPeer.anywhere(), service.ports.map((p) => this.podPort(p)));
    return service;
  }

  /** The pod port a Service port forwards to (what a NetworkPolicy must admit). */
  private podPort(port: k8s.ServicePort): number {
    const target = port.targetPort?.value;
    if (typeof target === 'number') return target;
    return this.ports.find((p) => p.name === target)?.port ?? port.port;
  }

  /** Selector of the pod with ordinal `i` (the label the StatefulSet controller sets). */
  public podSelector(ordinal: number): Record<string, string> {
    return { 'statefulset.kubernetes.io/pod-name': this.podName(ordinal) };
  }

  public asPeer(): WorkloadPeer {
    return { namespace: this.namespace, podSelector: this.selectorLabels };
  }

  /**
   * Admits `peer` on `ports` (every port the containers serve, when omitted) and, from the first call on,
   * denies every other ingress to the pods except from the workload's own pods. `peer` is a workload, a pod
   * selector (`{ namespace, podSelector: {} }` is the whole namespace) or a `NetworkPeer` (`.namespace(name)`,
   * `.cidr('10.0.0.0/8')`, `.anywhere()`).
   */
  public allowFrom(peer: PeerLike, ports?: readonly number[]): void {
    this.restrictIngress().allow(peer, ports ?? this.servedPorts());
  }

  /** The container ports, for `allowFrom` without ports (an empty list would admit every port). */
  private servedPorts(): number[] {
    if (!this.ports.length) {
      throw new Error(`${describeConstruct(this, 'StatefulWorkload')} serves no ports: pass the ports to admit to allowFrom(peer, ports).`);
    }
    return [...new Set(this.ports.map((p) => p.port))];
  }

  /** Puts the ingress allow-list in front of the pods (own pods and declared clients only). */
  private restrictIngress(): IngressAllowList {
    if (!this.ingress) {
      this.ingress = new IngressAllowList(this, 'Ingress', {
        name: this.name, namespace: this.namespace, podSelector: this.selectorLabels,
      });
      for (const conditional of this.conditionalPeers) this.ingress.allow(conditional.peer, conditional.ports);
    }
    return this.ingress;
  }

  /**
   * Admits `peer` on `ports` if, and once, the workload restricts ingress (an `allowFrom` call,
   * before or after this one); an unrestricted workload stays open rather than being closed to
   * everyone else by this peer. For helpers such as backup jobs.
   */
  public allowFromIfRestricted(peer: PeerLike, ports: readonly number[]): void {
    if (this.ingress) this.ingress.allow(peer, ports);
    else this.conditionalPeers.push({ peer: NetworkPeer.of(peer), ports });
  }

  /** Environment variable holding the pod's ordinal from the pod-index label, where the version has it. */
  public podIndexEnv(name: string): k8s.EnvVar | undefined {
    return this.identity.podIndexEnv(name, this.profile.kubeVersion);
  }

  /** The object a selector-bearing reference should point at (e.g. for dependencies). */
  public get resource(): ApiObject {
    return this.statefulSet;
  }

  private service(name: string, spec: k8s.ServiceSpec, id: string, annotations?: Record<string, string>): WorkloadService {
    const resource = new ServiceResource(this, id, {
      metadata: { name, namespace: this.namespace, labels: { ...this.labels }, ...(annotations ? { annotations } : {}) },
      spec,
    });
    return {
      name,
      namespace: this.namespace,
      host: this.identity.serviceHost(name),
      ports: spec.ports ?? [],
      selector: spec.selector ?? {},
      resource,
    };
  }

  private antiAffinity(mode: SpreadMode): k8s.Affinity | undefined {
    if (mode === 'none') return undefined;
    const term = { labelSelector: { matchLabels: { ...this.selectorLabels } }, topologyKey: 'kubernetes.io/hostname' };
    return {
      podAntiAffinity: mode === 'hard'
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
  }

  private zoneSpread(mode: SpreadMode): k8s.TopologySpreadConstraint[] {
    if (mode === 'none') return [];
    return [{
      maxSkew: 1,
      topologyKey: this.profile.zoneTopologyKey,
      whenUnsatisfiable: mode === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...this.selectorLabels } },
    }];
  }

  private checkOrdinal(ordinal: number): void {
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= this.replicas) {
      throw new Error(`${describeConstruct(this, 'StatefulWorkload')} has ordinals 0..${this.replicas - 1}; ${ordinal} is out of range: use an ordinal below replicas (${this.replicas}).`);
    }
  }

  private validate(props: StatefulWorkloadProps): void {
    // Errors that make the identity helpers meaningless are thrown at once; the rest are
    // collected as construct validations and reported together at synth.
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw propsError(this, 'StatefulWorkload', `replicas must be a whole number ≥ 1, got ${props.replicas}.`);
    }
    if (!isDns1123Label(this.name, MAX_STATEFULSET_NAME)) {
      throw propsError(this, 'StatefulWorkload', `invalid StatefulSet name '${this.name}' (${this.name.length} characters): use a DNS-1123 label of at most ${MAX_STATEFULSET_NAME} characters ` +
        '(pods carry a controller-revision-hash label of the name plus 11 characters, and labels are limited to 63).');
    }
    if (!isDns1123Label(this.namespace)) {
      throw propsError(this, 'StatefulWorkload', `invalid namespace '${this.namespace}': a DNS-1123 label of at most 63 characters.`);
    }
    // Pod host names are built from the cluster domain.
    const domainProblem = this.identity.clusterDomainProblem;
    if (domainProblem) {
      throw propsError(this, 'StatefulWorkload', domainProblem);
    }
    // Sizes are checked now, with a suggestion for near misses and the tier's minimum.
    for (const claim of this.volumeClaims) {
      Quantity.parse(claim.size, `size of volume claim template '${claim.name}' of ${describeConstruct(this, 'StatefulWorkload')}`);
      const problem = claim.tier.sizeProblem(claim.size);
      if (problem) throw propsError(this, 'StatefulWorkload', `volume claim template '${claim.name}': ${problem}.`);
      const tierProblem = tierProfileProblem(claim.tier, this.profile, 'storage tier');
      if (tierProblem) throw propsError(this, 'StatefulWorkload', `volume claim template '${claim.name}': ${tierProblem}`);
    }
    addProblems(this, () => {
      const errors: string[] = [];
      const strategy = props.updateStrategy;
      if (strategy?.partition !== undefined && (!Number.isInteger(strategy.partition) || strategy.partition < 0 || strategy.partition > this.replicas)) {
        errors.push(`partition ${strategy.partition} must be between 0 and replicas (${this.replicas})`);
      }
      if (props.maxUnavailable !== undefined && (!Number.isInteger(props.maxUnavailable) || props.maxUnavailable < 1)) {
        errors.push(`maxUnavailable ${props.maxUnavailable} would block node drains: use a whole number ≥ 1`);
      }
      if (strategy?.maxUnavailable !== undefined) {
        if (!Number.isInteger(strategy.maxUnavailable) || strategy.maxUnavailable < 1 || strategy.maxUnavailable > this.replicas) {
          errors.push(`rolling update maxUnavailable ${strategy.maxUnavailable} must be a whole number between 1 and replicas (${this.replicas})`);
        }
        if ((props.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY) !== PodManagementPolicy.PARALLEL) {
          errors.push(`rolling update maxUnavailable ${strategy.maxUnavailable} needs podManagementPolicy Parallel (an OrderedReady workload such as a database is replaced one pod at a time): drop maxUnavailable`);
        }
      }
      const all = [...(props.initContainers ?? []), ...props.containers, ...(props.sidecars ?? [])];
      for (const c of all) {
        const problem = imageProblem(c.image);
        if (problem) errors.push(`container '${c.name}': ${problem}`);
      }
      const volumeNames = new Set([
        ...this.volumeClaims.map((c) => c.name),
        ...(props.volumes ?? []).map((v) => v.name),
      ]);
      for (const c of all as ContainerSpec[]) {
        for (const m of c.volumeMounts ?? []) {
          if (!volumeNames.has(m.name)) errors.push(`container '${c.name}' mounts '${m.name}', which is neither a volume claim template nor a pod volume`);
        }
      }
      return errors;
    });
  }
}

/**
 * The API server defaults apiVersion/kind inside volumeClaimTemplates; leaving them out makes
 * Argo CD report the StatefulSet OutOfSync forever. The L1 binding drops fields it does not
 * know (a JSON patch would not survive its serializer), so they are added after it.
 */
class StatefulSetResource extends k8s.KubeStatefulSet {
  /** Fields newer than the bindings: native sidecars' restartPolicy, claims' volumeAttributesClassName. */
  private readonly newer: any;

  constructor(scope: Construct, id: string, props: k8s.KubeStatefulSetProps) {
    super(scope, id, props);
    const initContainers: any[] = props.spec?.template.spec?.initContainers ?? [];
    const claims: any[] = props.spec?.volumeClaimTemplates ?? [];
    const sidecars = initContainers.some((c) => c.restartPolicy);
    const classes = claims.some((t) => t.spec?.volumeAttributesClassName);
    this.newer = {
      spec: {
        ...(sidecars ? { template: { spec: { initContainers: initContainers.map((c) => (c.restartPolicy ? { restartPolicy: c.restartPolicy } : {})) } } } : {}),
        ...(classes ? {
          volumeClaimTemplates: claims.map((t) => (t.spec?.volumeAttributesClassName ? { spec: { volumeAttributesClassName: t.spec.volumeAttributesClassName } } : {})),
        } : {}),
      },
    };
  }

  public toJson(): any {
    const json = withNewerFields(super.toJson(), this.newer);
    const templates: any[] | undefined = json.spec?.volumeClaimTemplates;
    if (templates) {
      json.spec.volumeClaimTemplates = templates.map((t) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t }));
    }
    return json;
  }
}

/** A Service that keeps fields newer than the 1.27 bindings (`trafficDistribution`). */
class ServiceResource extends k8s.KubeService {
  private readonly trafficDistribution?: string;

  constructor(scope: Construct, id: string, props: k8s.KubeServiceProps) {
    super(scope, id, props);
    this.trafficDistribution = (props.spec as { trafficDistribution?: string } | undefined)?.trafficDistribution;
  }

  public toJson(): any {
    return withNewerFields(super.toJson(), this.trafficDistribution ? { spec: { trafficDistribution: this.trafficDistribution } } : {});
  }
}

function mergeAffinity(user: k8s.Affinity | undefined, spread: k8s.Affinity | undefined): k8s.Affinity | undefined {
  if (!user) return spread;
  if (!spread) return user;
  return { ...spread, ...user, podAntiAffinity: user.podAntiAffinity ?? spread.podAntiAffinity };
}
