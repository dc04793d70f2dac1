import { k8s } from '../k8s';

/** Timing of a probe; unset fields take the defaults of the probe's role. */
export interface ProbeTiming {
  /** @default - startup 5, readiness 10, liveness 20 */
  readonly periodSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default - startup 60 (5 minutes at 5 s), readiness 3, liveness 6 */
  readonly failureThreshold?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
}

/** Which of the three probes a Probe is used as; each has its own defaults. */
export type ProbeRole = 'startup' | 'readiness' | 'liveness';

const ROLE_DEFAULTS: Record<ProbeRole, Required<Omit<ProbeTiming, 'initialDelaySeconds'>>> = {
  // Generous: a database replaying WAL or a replica cloning its primary may take minutes to start,
  // and liveness does not run until startup has succeeded.
  startup: { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 },
  readiness: { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
  // Slow to give up: restarting a stateful server is expensive and rarely the fix.
  liveness: { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
};

type Handler = Pick<k8s.Probe, 'exec' | 'tcpSocket' | 'httpGet'>;

/** A container probe: what to check (exec, TCP, HTTP) and optional timing. */
export class Probe {
  /** Runs `command` in the container; exit 0 is healthy. */
  public static exec(command: readonly string[], timing: ProbeTiming = {}): Probe {
    return new Probe({ exec: { command: [...command] } }, timing);
  }

  /** Opens a TCP connection to `port` (number or named container port). */
  public static tcp(port: number | string, timing: ProbeTiming = {}): Probe {
    return new Probe({ tcpSocket: { port: intOrString(port) } }, timing);
  }

  /** GETs `path` on `port`; 2xx/3xx is healthy. */
  public static http(path: string, port: number | string, timing: ProbeTiming = {}): Probe {
    return new Probe({ httpGet: { path, port: intOrString(port) } }, timing);
  }

  /** GETs `path` on `port` over TLS (the kubelet does not verify the certificate); 2xx/3xx is healthy. */
  public static https(path: string, port: number | string, timing: ProbeTiming = {}): Probe {
    return new Probe({ httpGet: { path, port: intOrString(port), scheme: 'HTTPS' } }, timing);
  }

  private constructor(private readonly handler: Handler, private readonly timing: ProbeTiming) {}

  /** The Kubernetes probe for `role`, filling unset timing with that role's defaults. */
  public toKube(role: ProbeRole): k8s.Probe {
    const defaults = ROLE_DEFAULTS[role];
    return {
      ...this.handler,
      ...(this.timing.initialDelaySeconds ? { initialDelaySeconds: this.timing.initialDelaySeconds } : {}),
      periodSeconds: this.timing.periodSeconds ?? defaults.periodSeconds,
      timeoutSeconds: this.timing.timeoutSeconds ?? defaults.timeoutSeconds,
      failureThreshold: this.timing.failureThreshold ?? defaults.failureThreshold,
      // Kubernetes requires successThreshold 1 for startup and liveness probes.
      successThreshold: 1,
    };
  }
}

function intOrString(port: number | string): k8s.IntOrString {
  return typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port);
}
