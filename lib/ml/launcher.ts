/** What a launcher is told about the job it starts on every worker pod. */
export interface LaunchContext {
  /** Stable DNS names of the worker pods, in ordinal order (pod 0 first). */
  readonly hosts: readonly string[];
  /** Pod 0's stable DNS name. */
  readonly masterAddr: string;
  /** Port of the rendezvous / master store on pod 0. */
  readonly port: number;
  /** Processes started on each pod. */
  readonly procsPerNode: number;
  /** Where the DeepSpeed hostfile is mounted in the container. */
  readonly hostfilePath: string;
  /** Where trainer-worker.sh (the per-process wrapper that keeps fatal exit codes) is mounted. */
  readonly workerScriptPath: string;
  /** GPUs per pod; 0 trains on CPUs. */
  readonly gpusPerNode: number;
}

/** The command a worker pod runs, as the entrypoint script receives it. */
export interface LaunchCommand {
  /** Launcher executable followed by its arguments (the training script and its arguments last). */
  readonly argv: readonly string[];
  /**
   * Option the entrypoint inserts right after the executable with the pod's node rank
   * (`--node_rank=3`), for launchers that take the rank only as an argument.
   * @default - the rank reaches the launcher through PET_NODE_RANK
   */
  readonly nodeRankFlag?: string;
  /** Hostfile content the launcher reads. @default - none */
  readonly hostfile?: string;
  /** Environment the launcher needs (e.g. DS_ACCELERATOR). @default - none */
  readonly env?: Readonly<Record<string, string>>;
}

/** Options shared by every launcher. */
export interface LauncherScriptOptions {
  /** Training script: a Python file path (relative to the working directory) or, with `module`, a module name. */
  readonly script: string;
  /** Arguments of the training script. @default - none */
  readonly args?: readonly string[];
}

export interface TorchrunOptions extends LauncherScriptOptions {
  /** Run `script` as a Python module (`torchrun -m package.train`). @default false */
  readonly module?: boolean;
  /**
   * Python interpreter of the training processes, looked up on the image's PATH. torchrun starts it
   * through trainer-worker.sh (`--no_python`), which keeps a fatal exit code that torchrun would
   * report as 1.
   * @default 'python3'
   */
  readonly python?: string;
}

export interface DeepSpeedOptions extends LauncherScriptOptions {
  /**
   * The runner executable: `deepspeed` or its short alias `ds` (the same program, installed by the
   * deepspeed package).
   * @default 'deepspeed'
   */
  readonly executable?: 'deepspeed' | 'ds';
}

/**
 * How each worker pod starts its training processes.
 *
 * - `Launcher.torchrun(...)`: every pod runs `torchrun --no_python sh trainer-worker.sh python3 -u
 *   <script>`; torchrun reads its options from the `PET_*` environment the trainer sets (the
 *   variables the Kubeflow Training Operator sets), meets the other pods through c10d rendezvous on
 *   pod 0 and starts `procsPerNode` processes, each through the worker wrapper so that a fatal exit
 *   code survives torchrun (which exits 1 whatever its workers exited with).
 * - `Launcher.deepspeed(...)`: every pod runs the DeepSpeed runner with `--no_ssh` and its own
 *   `--node_rank`; the runner reads the hostfile (one line per pod's stable DNS name) and starts
 *   `deepspeed.launcher.launch`, which spawns `procsPerNode` processes on that pod. The pdsh/ssh
 *   mode (one runner on pod 0 that ssh-es into the others) is not used: restricted pods run no
 *   sshd. Needs an image with DeepSpeed ≥ 0.14.5 (`--no_ssh`). The runner exits with its failed
 *   process's exit code, so no wrapper is needed. Without GPUs the runner is told to use DeepSpeed's
 *   CPU accelerator (`DS_ACCELERATOR=cpu`); otherwise it would pick CUDA and fail on CPU nodes.
 */
export class Launcher {
  /** PyTorch's elastic launcher; supports elastic mode. */
  public static torchrun(options: TorchrunOptions): Launcher {
    const script = requireScript(options.script, 'Launcher.torchrun');
    const python = options.python ?? 'python3';
    if (!python.trim() || /\s/.test(python)) {
      throw new Error(`Launcher.torchrun: python '${python}' must be one executable name or path, e.g. 'python3'.`);
    }
    return new Launcher('torchrun', true, (ctx) => ({
      argv: ['torchrun', '--no_python', 'sh', ctx.workerScriptPath, python, '-u', ...(options.module ? ['-m'] : []), script, ...(options.args ?? [])],
    }));
  }

  /** Microsoft DeepSpeed's runner, one per pod without ssh; fixed-size jobs only. */
  public static deepspeed(options: DeepSpeedOptions): Launcher {
    const script = requireScript(options.script, 'Launcher.deepspeed');
    const executable = options.executable ?? 'deepspeed';
    return new Launcher('deepspeed', false, (ctx) => ({
      argv: [
        executable,
        `--hostfile=${ctx.hostfilePath}`,
        '--no_ssh',
        `--master_addr=${ctx.masterAddr}`,
        `--master_port=${ctx.port}`,
        `--num_nodes=${ctx.hosts.length}`,
        `--num_gpus=${ctx.procsPerNode}`,
        script,
        ...(options.args ?? []),
      ],
      nodeRankFlag: '--node_rank',
      hostfile: ctx.hosts.map((host) => `${host} slots=${ctx.procsPerNode}\n`).join(''),
      // Without GPUs DeepSpeed would still pick CUDA (and --num_gpus counts processes): say CPU.
      ...(ctx.gpusPerNode === 0 ? { env: { DS_ACCELERATOR: 'cpu' } } : {}),
    }));
  }

  private constructor(
    /** `torchrun` or `deepspeed`. */
    public readonly kind: 'torchrun' | 'deepspeed',
    /** `true` when the launcher can re-form the worker group as pods come and go (elastic mode). */
    public readonly supportsElastic: boolean,
    private readonly build: (ctx: LaunchContext) => LaunchCommand,
  ) {}

  /** The command for a job described by `ctx`. */
  public command(ctx: LaunchContext): LaunchCommand {
    return this.build(ctx);
  }
}

function requireScript(script: string, where: string): string {
  if (typeof script !== 'string' || !script.trim()) {
    throw new Error(`${where}: script is required: the Python file (or, with module: true, the module) to run, e.g. 'train.py'.`);
  }
  return script;
}
