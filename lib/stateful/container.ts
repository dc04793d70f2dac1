import { k8s } from '../k8s';
import { Profile } from '../profiles';
import { Quantity } from '../storage/quantity';
import { Probe } from './probe';

/** A named container port, also published by the workload's Services. */
export interface ContainerPortSpec {
  /** IANA-style port name (≤ 15 chars), used as the Service targetPort. */
  readonly name: string;
  /** Container port number. */
  readonly port: number;
}

/** CPU, memory and extended resources of one container. */
export interface ContainerResources {
  /** CPU request. @default - the profile's default sizing */
  readonly cpu?: string;
  /** Memory request. @default - the profile's default sizing */
  readonly memory?: string;
  /** Memory limit (the OOM line; sizes derived buffers). @default - equal to the memory request */
  readonly memoryLimit?: string;
  /** CPU limit. @default - none (CPU limits throttle latency-sensitive servers) */
  readonly cpuLimit?: string;
  /** Extended resources, requested and limited alike, e.g. `{ 'nvidia.com/gpu': 8 }`. @default - none */
  readonly extended?: Readonly<Record<string, number>>;
}

/** Whether resizing a resource of a running container restarts it (`resizePolicy`). */
export type ResizeRestartPolicy = 'NotRequired' | 'RestartContainer';

/**
 * How a running container takes a resize of its requests/limits (in-place pod resize: VPA or
 * `kubectl patch --subresource resize`). Emitted where the Kubernetes version has in-place resize.
 */
export interface ResizePolicy {
  /** @default 'NotRequired' (Kubernetes' default) */
  readonly cpu?: ResizeRestartPolicy;
  /** @default 'NotRequired' (Kubernetes' default) */
  readonly memory?: ResizeRestartPolicy;
}

/** One container of a pod template, built with the restricted security context. */
export interface ContainerSpec {
  /** Container name (DNS-1123 label). */
  readonly name: string;
  /** Image with a pinned tag or digest. */
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's cmd */
  readonly args?: readonly string[];
  /** @default - the image's working directory */
  readonly workingDir?: string;
  /** @default - none */
  readonly env?: readonly k8s.EnvVar[];
  /** @default - none */
  readonly ports?: readonly ContainerPortSpec[];
  /** @default - the profile's default sizing */
  readonly resources?: ContainerResources;
  /** @default - none */
  readonly startupProbe?: Probe;
  /** @default - none (required by the gates for containers with ports) */
  readonly readinessProbe?: Probe;
  /** @default - none */
  readonly livenessProbe?: Probe;
  /** Mounts of claims or pod volumes by name. @default - none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /**
   * Paths the process writes to besides its volumes. The root filesystem is read-only, so
   * each path gets an emptyDir (shared by containers of the pod that name the same path).
   * @default - none
   */
  readonly writablePaths?: readonly string[];
  /** Command run before SIGTERM on shutdown (e.g. a fast, clean stop). @default - none */
  readonly preStop?: readonly string[];
  /**
   * Whether an in-place resize restarts the container, per resource (e.g. CPU `NotRequired` for a
   * server that sizes nothing from its CPU count, memory `RestartContainer` for one whose buffers are
   * sized at start). Emitted where the Kubernetes version has in-place pod resize (1.33+).
   * @default - none (Kubernetes' default: NotRequired for both)
   */
  readonly resizePolicy?: ResizePolicy;
}

/** uid/gid the image's process runs as; also the pod's fsGroup, so volumes are writable. */
export interface RunAs {
  /** User id (not 0: restricted pods run as non-root). */
  readonly uid: number;
  /** Group id, also the fsGroup. */
  readonly gid: number;
}

/** Name of the emptyDir volume backing a writable path (`/var/run/postgresql` → `w-var-run-postgresql`). */
export function writableVolumeName(mountPath: string): string {
  const slug = mountPath.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';
  return `w-${slug}`.slice(0, 63).replace(/-+$/, '');
}

/** Pod-level security context meeting Pod Security Standards `restricted`. */
export function restrictedPodSecurityContext(runAs: RunAs): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: runAs.uid,
    runAsGroup: runAs.gid,
    fsGroup: runAs.gid,
    // Skip the recursive chown of large data volumes on every start once ownership is right.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context meeting Pod Security Standards `restricted`. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  };
}

/** Problems with an image reference: it must carry a tag other than `latest`, or a digest. */
export function imageProblem(image: string): string | undefined {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return `image '${image}' has no tag: pin a version (e.g. '${image}:1.2.3') or a digest`;
  if (lastSegment.slice(colon + 1) === 'latest') return `image '${image}' uses 'latest': pin a version or a digest`;
  return undefined;
}

/** Kubernetes resource requirements from `resources`, defaulted from the profile. */
export function containerResources(resources: ContainerResources | undefined, profile: Profile, where: string): k8s.ResourceRequirements {
  const cpu = resources?.cpu ?? profile.defaultResources.cpu;
  const memory = resources?.memory ?? profile.defaultResources.memory;
  const memoryLimit = resources?.memoryLimit ?? memory;
  for (const [what, value] of [['cpu', cpu], ['memory', memory], ['memory limit', memoryLimit], ['cpu limit', resources?.cpuLimit]] as const) {
    if (value !== undefined) Quantity.parse(value, `${what} of ${where}`);
  }
  if (Quantity.parse(memoryLimit).value < Quantity.parse(memory).value) {
    throw new Error(`${where}: memory limit ${memoryLimit} is below the memory request ${memory}.`);
  }
  const q = (v: string) => k8s.Quantity.fromString(v);
  const extended: Record<string, k8s.Quantity> = {};
  for (const [name, count] of Object.entries(resources?.extended ?? {})) {
    if (!Number.isInteger(count) || count < 0) throw new Error(`${where}: ${name} must be a whole number ≥ 0, got ${count}.`);
    if (count > 0) extended[name] = k8s.Quantity.fromNumber(count);
  }
  return {
    requests: { cpu: q(cpu), memory: q(memory), ...extended },
    limits: { memory: q(memoryLimit), ...(resources?.cpuLimit ? { cpu: q(resources.cpuLimit) } : {}), ...extended },
  };
}

function resizePolicy(policy: ResizePolicy): k8s.ContainerResizePolicy[] {
  return [
    { resourceName: 'cpu', restartPolicy: policy.cpu ?? 'NotRequired' },
    { resourceName: 'memory', restartPolicy: policy.memory ?? 'NotRequired' },
  ];
}

/** Builds a restricted container from `spec`. */
export function buildContainer(spec: ContainerSpec, profile: Profile): k8s.Container {
  const where = `container '${spec.name}'`;
  const mounts = [
    ...(spec.volumeMounts ?? []),
    ...(spec.writablePaths ?? []).map((mountPath) => ({ name: writableVolumeName(mountPath), mountPath })),
  ];
  return {
    name: spec.name,
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
    ...(spec.env?.length ? { env: [...spec.env] } : {}),
    ...(spec.ports?.length ? { ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })) } : {}),
    resources: containerResources(spec.resources, profile, where),
    ...(spec.startupProbe ? { startupProbe: spec.startupProbe.toKube('startup') } : {}),
    ...(spec.readinessProbe ? { readinessProbe: spec.readinessProbe.toKube('readiness') } : {}),
    ...(spec.livenessProbe ? { livenessProbe: spec.livenessProbe.toKube('liveness') } : {}),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    ...(spec.preStop ? { lifecycle: { preStop: { exec: { command: [...spec.preStop] } } } } : {}),
    ...(spec.resizePolicy && profile.kubeVersion.hasInPlacePodResize ? { resizePolicy: resizePolicy(spec.resizePolicy) } : {}),
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** Everything a restricted pod spec is built from (StatefulSets, Deployments, Jobs). */
export interface PodSpecInput {
  /** The pod's containers, built with the restricted security context. */
  readonly containers: readonly ContainerSpec[];
  /** @default - none */
  readonly initContainers?: readonly ContainerSpec[];
  /** Pod volumes besides claim templates and writable paths. @default - none */
  readonly volumes?: readonly k8s.Volume[];
  /** @default - uid/gid 1000 */
  readonly runAs?: RunAs;
  /** @default - the namespace's `default` account, with no API token mounted */
  readonly serviceAccountName?: string;
  /** Mount an API token (only for pods that call the Kubernetes API). @default false */
  readonly automountServiceAccountToken?: boolean;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default - none */
  readonly affinity?: k8s.Affinity;
  /** @default - none */
  readonly topologySpreadConstraints?: readonly k8s.TopologySpreadConstraint[];
  /** @default - none */
  readonly tolerations?: readonly k8s.Toleration[];
  /** @default - none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** @default - Always (Jobs need Never or OnFailure) */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** Sidecar-free pods may skip service links: they bloat the environment. @default false */
  readonly enableServiceLinks?: boolean;
}

/**
 * A Pod Security Standards `restricted` pod spec, with emptyDirs for every writable path.
 *
 * `sidecars` run for the pod's lifetime next to the main containers: where the version has native
 * sidecars they are init containers with `restartPolicy: Always` after the ordinary ones (started
 * once init is done, stopped after the main containers); below, ordinary containers. The 1.27
 * bindings drop `restartPolicy` on init containers, so only pass sidecars for objects that keep it
 * (StatefulWorkload does, with reinstateDroppedFields): otherwise the sidecar blocks the pod's start.
 */
export function buildPodSpec(input: PodSpecInput, profile: Profile, sidecars: readonly ContainerSpec[] = []): k8s.PodSpec {
  const all = [...(input.initContainers ?? []), ...input.containers, ...sidecars];
  const native = profile.kubeVersion.hasNativeSidecars;
  const initContainers = [
    ...(input.initContainers ?? []).map((c) => buildContainer(c, profile)),
    ...(native ? sidecars.map((c) => ({ ...buildContainer(c, profile), restartPolicy: 'Always' })) : []),
  ];
  const containers = [...input.containers, ...(native ? [] : sidecars)].map((c) => buildContainer(c, profile));
  const writable = new Set<string>();
  for (const c of all) for (const p of c.writablePaths ?? []) writable.add(p);
  const volumes: k8s.Volume[] = [
    ...(input.volumes ?? []),
    ...[...writable].map((p) => ({ name: writableVolumeName(p), emptyDir: {} })),
  ];
  return {
    ...(input.serviceAccountName ? { serviceAccountName: input.serviceAccountName } : {}),
    automountServiceAccountToken: input.automountServiceAccountToken ?? false,
    enableServiceLinks: input.enableServiceLinks ?? false,
    securityContext: restrictedPodSecurityContext(input.runAs ?? { uid: 1000, gid: 1000 }),
    terminationGracePeriodSeconds: input.terminationGracePeriodSeconds ?? 30,
    ...(input.restartPolicy ? { restartPolicy: input.restartPolicy } : {}),
    ...(initContainers.length ? { initContainers } : {}),
    containers,
    ...(volumes.length ? { volumes } : {}),
    ...(input.affinity ? { affinity: input.affinity } : {}),
    ...(input.topologySpreadConstraints?.length ? { topologySpreadConstraints: [...input.topologySpreadConstraints] } : {}),
    ...(input.tolerations?.length ? { tolerations: [...input.tolerations] } : {}),
    ...(input.nodeSelector ? { nodeSelector: { ...input.nodeSelector } } : {}),
  };
}
