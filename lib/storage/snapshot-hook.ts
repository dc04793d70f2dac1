/**
 * A command run with `kubectl exec` in every pod of a workload right before its claims are
 * snapshotted. CSI snapshots are crash-consistent: the volume is captured as if the pod had lost
 * power. A hook cannot make them application-consistent (the pod keeps writing), but it can make
 * recovery short and certain, e.g. a PostgreSQL CHECKPOINT flushes dirty pages so little WAL has
 * to be replayed on restore. A hook grants the schedule `pods/exec` on the workload's pods.
 */
export class SnapshotHook {
  /** Runs `command` (no shell involved) in `container` of each pod. */
  public static exec(container: string, command: readonly string[]): SnapshotHook {
    return new SnapshotHook(container, command);
  }

  /**
   * `CHECKPOINT` through `psql` over the pod's local socket, which the official image and
   * StatefulDatabase trust. Connection defaults come from the container's environment
   * (StatefulDatabase sets PGHOST/PGUSER) unless `user` is given.
   */
  public static postgresCheckpoint(options: { readonly container?: string; readonly user?: string } = {}): SnapshotHook {
    return new SnapshotHook(options.container ?? 'postgres', [
      'psql', '-v', 'ON_ERROR_STOP=1', ...(options.user ? ['-U', options.user] : []), '-d', 'postgres', '-c', 'CHECKPOINT',
    ]);
  }

  private constructor(
    /** Container of the workload's pods the command runs in. */
    public readonly container: string,
    /** The command and its arguments. */
    public readonly command: readonly string[],
  ) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(container)) {
      throw new Error(`Invalid snapshot hook container '${container}': a container name is a DNS-1123 label.`);
    }
    if (command.length === 0 || command[0] === '') {
      throw new Error(`Snapshot hook for container '${container}' has no command.`);
    }
  }
}
