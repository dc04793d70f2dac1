/** How pod template changes roll out. */
export class UpdateStrategy {
  /**
   * Replace pods from the highest ordinal down. With `partition` N, only ordinals ≥ N are
   * updated: a canary. Lower the partition step by step to finish the rollout.
   */
  public static rollingUpdate(options: RollingUpdateOptions = {}): UpdateStrategy {
    return new UpdateStrategy('RollingUpdate', options.partition, options.maxUnavailable);
  }

  /** Pods are replaced only when you delete them (full manual control). */
  public static onDelete(): UpdateStrategy {
    return new UpdateStrategy('OnDelete');
  }

  private constructor(
    public readonly type: 'RollingUpdate' | 'OnDelete',
    public readonly partition?: number,
    public readonly maxUnavailable?: number,
  ) {}
}

/** Options of `UpdateStrategy.rollingUpdate()`. */
export interface RollingUpdateOptions {
  /** Only ordinals ≥ partition are updated (a canary). @default 0 */
  readonly partition?: number;
  /**
   * Pods replaced at once. Only for Parallel workloads whose members tolerate several peers away
   * (caches, MinIO within its erasure-code parity), never databases. Emitted where the version has
   * StatefulSet maxUnavailable (1.35+); below, pods are replaced one at a time.
   * @default 1
   */
  readonly maxUnavailable?: number;
}
