import { versionGate } from './version-gates';

/** Oldest and newest Kubernetes minor versions we generate manifests for (each has a vendored schema). */
export const MIN_SUPPORTED_MINOR = 27;
export const MAX_SUPPORTED_MINOR = 36;

/**
 * A Kubernetes minor version (`1.27` … `1.36`) and the version-gated features the
 * constructs ask about. Constructs never compare version numbers themselves: each getter
 * answers from its entry in VERSION_GATES (lib/profiles/version-gates.ts), which also
 * generates docs/kubernetes-versions.md.
 */
export class KubeVersion {
  /** Parses `1.32`, `v1.32` or `1.32.4`; anything outside 1.27–1.36 is an error. */
  public static of(version: string): KubeVersion {
    const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(String(version).trim());
    if (!match) {
      throw new Error(`Invalid kubeVersion '${version}': expected a Kubernetes minor version such as '1.35'.`);
    }
    const minor = Number(match[2]);
    if (match[1] !== '1' || minor < MIN_SUPPORTED_MINOR || minor > MAX_SUPPORTED_MINOR) {
      throw new Error(
        `Unsupported kubeVersion '${version}': supported versions are 1.${MIN_SUPPORTED_MINOR} to 1.${MAX_SUPPORTED_MINOR}.`,
      );
    }
    return new KubeVersion(minor);
  }

  /** Every supported version, oldest first. */
  public static all(): KubeVersion[] {
    return Array.from({ length: MAX_SUPPORTED_MINOR - MIN_SUPPORTED_MINOR + 1 }, (_, i) => new KubeVersion(MIN_SUPPORTED_MINOR + i));
  }

  private constructor(public readonly minor: number) {}

  /** `1.32` */
  public toString(): string {
    return `1.${this.minor}`;
  }

  public atLeast(minor: number): boolean {
    return this.minor >= minor;
  }

  private gate(getter: string): boolean {
    return this.atLeast(versionGate(getter).sinceMinor);
  }

  /** `apps.kubernetes.io/pod-index` label on StatefulSet pods (beta, on by default, 1.28; GA 1.32). */
  public get hasPodIndexLabel(): boolean {
    return this.gate('hasPodIndexLabel');
  }

  /**
   * StatefulSet `persistentVolumeClaimRetentionPolicy` (beta, on by default, 1.27; GA 1.32).
   * Below 1.27 the gate was alpha and off, so the field would be silently dropped.
   */
  public get hasPvcRetentionPolicy(): boolean {
    return this.gate('hasPvcRetentionPolicy');
  }

  /** PodDisruptionBudget `unhealthyPodEvictionPolicy` (beta, on by default, 1.27; GA 1.31). */
  public get hasUnhealthyPodEvictionPolicy(): boolean {
    return this.gate('hasUnhealthyPodEvictionPolicy');
  }

  /** StatefulSet `spec.ordinals.start` (beta 1.27, GA 1.31). */
  public get hasStartOrdinal(): boolean {
    return this.gate('hasStartOrdinal');
  }

  /** Init containers with `restartPolicy: Always` run as sidecars (beta, on by default, 1.29; GA 1.33). */
  public get hasNativeSidecars(): boolean {
    return this.gate('hasNativeSidecars');
  }

  /** Service `trafficDistribution: PreferClose` (beta, on by default, 1.31; GA 1.33). */
  public get hasTrafficDistribution(): boolean {
    return this.gate('hasTrafficDistribution');
  }

  /** Container `resizePolicy` honoured by in-place pod resize (beta, on by default, 1.33; GA 1.35). */
  public get hasInPlacePodResize(): boolean {
    return this.gate('hasInPlacePodResize');
  }

  /** `storage.k8s.io/v1` VolumeAttributesClass and claims' `volumeAttributesClassName` (GA 1.34). */
  public get hasVolumeAttributesClass(): boolean {
    return this.gate('hasVolumeAttributesClass');
  }

  /** StatefulSet rolling update `maxUnavailable` (alpha until 1.34, beta and on by default 1.35). */
  public get hasStatefulSetMaxUnavailable(): boolean {
    return this.gate('hasStatefulSetMaxUnavailable');
  }

  /** ValidatingAdmissionPolicy `admissionregistration.k8s.io/v1` (GA, on by default, 1.30). */
  public get hasValidatingAdmissionPolicy(): boolean {
    return this.gate('hasValidatingAdmissionPolicy');
  }

  /**
   * `batch.kubernetes.io/job-completion-index` label on Indexed Job pods (PodIndexLabel: beta, on by
   * default, 1.28; GA 1.32). The `JOB_COMPLETION_INDEX` variable exists on every supported version.
   */
  public get hasJobCompletionIndexLabel(): boolean {
    return this.gate('hasJobCompletionIndexLabel');
  }

  /**
   * Job `podFailurePolicy` with the `DisruptionTarget` pod condition (beta, on by default, 1.26; GA 1.31).
   */
  public get hasJobPodFailurePolicy(): boolean {
    return this.gate('hasJobPodFailurePolicy');
  }

  /**
   * Job podFailurePolicy rules may leave out `onPodConditions` (optional from 1.30; until then the schema requires
   * the list, and an empty one is what a rule on exit codes alone renders there).
   */
  public get hasOptionalPodFailureRuleConditions(): boolean {
    return this.gate('hasOptionalPodFailureRuleConditions');
  }

  /**
   * Job `backoffLimitPerIndex` / `maxFailedIndexes` and the `FailIndex` action (alpha 1.28, beta and on
   * by default 1.29, GA 1.33). On 1.28 the field is in the schema but the gate is off, so it is dropped.
   */
  public get hasJobBackoffLimitPerIndex(): boolean {
    return this.gate('hasJobBackoffLimitPerIndex');
  }

  /** Job `podReplacementPolicy` (alpha 1.28, beta and on by default 1.29, GA 1.34). */
  public get hasJobPodReplacementPolicy(): boolean {
    return this.gate('hasJobPodReplacementPolicy');
  }

  /** Job `successPolicy` (alpha 1.30, beta and on by default 1.31, GA 1.33). */
  public get hasJobSuccessPolicy(): boolean {
    return this.gate('hasJobSuccessPolicy');
  }
}
