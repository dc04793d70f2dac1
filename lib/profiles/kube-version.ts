/** Oldest and newest Kubernetes minor versions we generate manifests for. */
export const MIN_SUPPORTED_MINOR = 27;
export const MAX_SUPPORTED_MINOR = 34;

/**
 * A Kubernetes minor version (`1.27` … `1.34`) and the version-gated features the
 * constructs ask about. Constructs never compare version numbers themselves.
 */
export class KubeVersion {
  /** Parses `1.32`, `v1.32` or `1.32.4`; anything outside 1.27–1.34 is an error. */
  public static of(version: string): KubeVersion {
    const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(String(version).trim());
    if (!match) {
      throw new Error(`Invalid kubeVersion '${version}': expected a Kubernetes minor version such as '1.32'.`);
    }
    const minor = Number(match[2]);
    if (match[1] !== '1' || minor < MIN_SUPPORTED_MINOR || minor > MAX_SUPPORTED_MINOR) {
      throw new Error(
        `Unsupported kubeVersion '${version}': supported versions are 1.${MIN_SUPPORTED_MINOR} to 1.${MAX_SUPPORTED_MINOR}.`,
      );
    }
    return new KubeVersion(minor);
  }

  private constructor(public readonly minor: number) {}

  /** `1.32` */
  public toString(): string {
    return `1.${this.minor}`;
  }

  public atLeast(minor: number): boolean {
    return this.minor >= minor;
  }

  /**
   * `apps.kubernetes.io/pod-index` label on StatefulSet pods (beta, on by default, 1.28; GA 1.32).
   */
  public get hasPodIndexLabel(): boolean {
    return this.atLeast(28);
  }

  /**
   * StatefulSet `persistentVolumeClaimRetentionPolicy` (beta, on by default, 1.27; GA 1.32).
   * Below 1.27 the gate was alpha and off, so the field would be silently dropped.
   */
  public get hasPvcRetentionPolicy(): boolean {
    return this.atLeast(27);
  }

  /** PodDisruptionBudget `unhealthyPodEvictionPolicy` (beta, on by default, 1.27; GA 1.31). */
  public get hasUnhealthyPodEvictionPolicy(): boolean {
    return this.atLeast(27);
  }

  /** StatefulSet `spec.ordinals.start` (beta 1.27, GA 1.31). */
  public get hasStartOrdinal(): boolean {
    return this.atLeast(27);
  }

  /** StatefulSet rolling update `maxUnavailable` (alpha until 1.34, beta and on by default 1.35). */
  public get hasStatefulSetMaxUnavailable(): boolean {
    return this.atLeast(35);
  }

  /**
   * `batch.kubernetes.io/job-completion-index` label on Indexed Job pods (PodIndexLabel: beta, on by
   * default, 1.28; GA 1.32). The `JOB_COMPLETION_INDEX` variable exists on every supported version.
   */
  public get hasJobCompletionIndexLabel(): boolean {
    return this.atLeast(28);
  }

  /**
   * Job `podFailurePolicy` with the `DisruptionTarget` pod condition (beta, on by default, 1.26; GA 1.31).
   */
  public get hasJobPodFailurePolicy(): boolean {
    return this.atLeast(27);
  }

  /**
   * A podFailurePolicy rule must list `onPodConditions` (empty beside `onExitCodes`) before 1.29, where
   * the field became optional. 1.29 gets it too: an empty list is valid there, and 1.29 is validated
   * against the nearest vendored schema below it (1.28's), which still requires it.
   */
  public get jobPodFailureRuleRequiresConditions(): boolean {
    return !this.atLeast(30);
  }

  /**
   * Job `backoffLimitPerIndex` / `maxFailedIndexes` and the `FailIndex` action (alpha 1.28, beta and on
   * by default 1.29, GA 1.33). On 1.28 the field is in the schema but the gate is off, so it is dropped.
   */
  public get hasJobBackoffLimitPerIndex(): boolean {
    return this.atLeast(29);
  }

  /** Job `podReplacementPolicy` (alpha 1.28, beta and on by default 1.29, GA 1.34). */
  public get hasJobPodReplacementPolicy(): boolean {
    return this.atLeast(29);
  }

  /** Job `successPolicy` (alpha 1.30, beta and on by default 1.31, GA 1.33). */
  public get hasJobSuccessPolicy(): boolean {
    return this.atLeast(31);
  }
}
