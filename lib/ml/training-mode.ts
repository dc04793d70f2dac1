/**
 * Exit codes that mean a bug or a bad input a retry cannot fix: 2 (Python's argparse and shell usage
 * errors) and the BSD sysexits range 64–78 (EX_USAGE, EX_DATAERR, EX_NOINPUT, …, EX_CONFIG). Training
 * scripts exit with one of them to fail the run at once; anything else (1 from an uncaught exception,
 * 137 from an OOM kill, 143 from SIGTERM) is retried.
 */
export const DEFAULT_FATAL_EXIT_CODES: readonly number[] = [2, ...Array.from({ length: 15 }, (_, i) => 64 + i)];

/** Options of a training run that completes (`TrainingMode.job()` and `TrainingMode.jobSet()`). */
export interface TrainingRunOptions {
  /**
   * Failed attempts allowed per rank before the run fails. Kubernetes 1.29+ counts them per index
   * (`backoffLimitPerIndex`, with `maxFailedIndexes: 0`); older versions count them over the whole Job
   * (`backoffLimit` = this × nodes).
   * @default 3
   */
  readonly retriesPerRank?: number;
  /**
   * Exit codes of the trainer container that fail the run at once (podFailurePolicy `FailJob`); the
   * worker wrapper passes a training process's exit code through torchrun or the DeepSpeed runner.
   * @default DEFAULT_FATAL_EXIT_CODES (2 and 64–78)
   */
  readonly fatalExitCodes?: readonly number[];
  /** Wall-clock limit of the whole run, retries included (`activeDeadlineSeconds`). @default - none */
  readonly activeDeadlineSeconds?: number;
  /**
   * Delete the finished run (and its pods and logs) this many seconds after it ends. With Argo CD
   * auto-sync a deleted Job is created again and trains again: leave it unset there.
   * @default - kept until deleted
   */
  readonly ttlSecondsAfterFinished?: number;
}

/** Options of `TrainingMode.jobSet()`. */
export interface JobSetRunOptions extends TrainingRunOptions {
  /**
   * Times JobSet recreates every rank together after a rank fails (`failurePolicy.maxRestarts`); a
   * failure that matches a fatal exit code fails the JobSet at once.
   * @default 3
   */
  readonly maxGroupRestarts?: number;
}

/**
 * What a training run is rendered as.
 *
 * - `TrainingMode.job()` (default): an Indexed Job: the run completes, fails by policy and releases its
 *   GPUs. Each rank is a completion index.
 * - `TrainingMode.jobSet()`: the same pods as a JobSet (`jobset.x-k8s.io/v1alpha2`, for clusters running
 *   the JobSet controller): every rank is restarted together after a failure.
 * - `TrainingMode.statefulSet()`: a StatefulSet, for long-running elastic or serving-style workloads that
 *   are never "done" (a StatefulSet restarts containers that exit, also after success).
 */
export class TrainingMode {
  /** An Indexed Job (completions = parallelism = nodes) with a podFailurePolicy. */
  public static job(options: TrainingRunOptions = {}): TrainingMode {
    return new TrainingMode('Job', options);
  }

  /** A JobSet restarting the whole group on failure; needs the JobSet controller in the cluster. */
  public static jobSet(options: JobSetRunOptions = {}): TrainingMode {
    return new TrainingMode('JobSet', options);
  }

  /** A StatefulSet that never completes; for elastic or long-running workloads. */
  public static statefulSet(): TrainingMode {
    return new TrainingMode('StatefulSet', {});
  }

  private constructor(
    /** `Job`, `JobSet` or `StatefulSet`. */
    public readonly kind: 'Job' | 'JobSet' | 'StatefulSet',
    /** Run options (empty for a StatefulSet). */
    public readonly options: JobSetRunOptions,
  ) {}

  /** `true` for the modes whose runs complete (Job, JobSet). */
  public get completes(): boolean {
    return this.kind !== 'StatefulSet';
  }

  /** Problems with the options, each naming the bad value and the fix. */
  public problems(): string[] {
    const o = this.options;
    const errors: string[] = [];
    const whole = (name: string, value: number | undefined, min: number) => {
      if (value !== undefined && (!Number.isInteger(value) || value < min)) {
        errors.push(`${name} must be a whole number ≥ ${min}, got ${value}.`);
      }
    };
    whole('retriesPerRank', o.retriesPerRank, 0);
    whole('activeDeadlineSeconds', o.activeDeadlineSeconds, 1);
    whole('ttlSecondsAfterFinished', o.ttlSecondsAfterFinished, 0);
    whole('maxGroupRestarts', o.maxGroupRestarts, 0);
    const codes = o.fatalExitCodes;
    if (codes) {
      const bad = codes.filter((c) => !Number.isInteger(c) || c < 1 || c > 255);
      if (bad.length) errors.push(`fatalExitCodes ${bad.join(', ')} must be exit codes between 1 and 255 (0 is success).`);
      if (new Set(codes).size !== codes.length) errors.push(`fatalExitCodes lists a code twice (${codes.join(', ')}): list each once.`);
    }
    return errors;
  }

  /** The fatal exit codes, sorted (the API server requires onExitCodes values in order). */
  public get fatalExitCodes(): number[] {
    return [...(this.options.fatalExitCodes ?? DEFAULT_FATAL_EXIT_CODES)].sort((a, b) => a - b);
  }
}
