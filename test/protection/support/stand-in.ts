import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { POSIX_SHELLS } from '../../support/shells';


export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Argument lines of every kubectl call, in order (stdin of `create -f -` excluded). */
  readonly calls: string[];
  /** Manifests piped to `kubectl create -f -`. */
  readonly created: string[];
}

/**
 * A scratch cluster for scripts: a stand-in `kubectl` (test/protection/support/kubectl-stand-in.sh)
 * and `date` on PATH, with state kept in files the test seeds and inspects.
 */
export class StandInCluster {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stand-in-'));
  private readonly bin = path.join(this.dir, 'bin');
  private readonly state = path.join(this.dir, 'state');

  constructor(now = '20250301-030000') {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(path.join(this.state, 'snapshots'), { recursive: true });
    fs.copyFileSync(path.join(__dirname, 'kubectl-stand-in.sh'), path.join(this.bin, 'kubectl'));
    fs.chmodSync(path.join(this.bin, 'kubectl'), 0o755);
    // The snapshot time comes from `date` when the job runs; pin it.
    fs.writeFileSync(path.join(this.bin, 'date'),
      `#!/bin/sh\n[ "$*" = "-u +%Y%m%d-%H%M%S" ] || { echo "unexpected date $*" >&2; exit 1; }\necho ${now}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(this.state, 'pvcs'), '');
    fs.writeFileSync(path.join(this.state, 'calls'), '');
  }

  /** Claims returned by `kubectl get persistentvolumeclaims -l ...`: `{ name: phase }`. */
  public claims(claims: Record<string, string>): this {
    fs.writeFileSync(path.join(this.state, 'pvcs'), Object.entries(claims).map(([n, p]) => `${n} ${p}\n`).join(''));
    return this;
  }

  /** Snapshots of `claim` (name → readyToUse). */
  public snapshots(claim: string, snapshots: Record<string, boolean | ''>): this {
    fs.writeFileSync(path.join(this.state, 'snapshots', claim), Object.entries(snapshots).map(([n, r]) => `${n} ${r}\n`).join(''));
    return this;
  }

  /** Snapshot names of `claim` currently in the stand-in cluster, sorted. */
  public snapshotNames(claim: string): string[] {
    const file = path.join(this.state, 'snapshots', claim);
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.split(' ')[0]).filter(Boolean).sort();
  }

  /** One claim's fields for `kubectl get pvc <name> -o jsonpath={.<field>}`. */
  public claim(name: string, fields: Record<string, string>): this {
    const dir = path.join(this.state, 'pvc', name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [field, value] of Object.entries(fields)) fs.writeFileSync(path.join(dir, field), `${value}\n`);
    return this;
  }

  public claimField(name: string, field: string): string {
    return fs.readFileSync(path.join(this.state, 'pvc', name, field), 'utf8').trim();
  }

  public statefulSet(name: string, replicas: number): this {
    fs.mkdirSync(path.join(this.state, 'sts', name), { recursive: true });
    fs.writeFileSync(path.join(this.state, 'sts', name, 'replicas'), `${replicas}\n`);
    return this;
  }

  /** kubectl calls whose arguments match one of these extended regexes fail. */
  public failing(...patterns: string[]): this {
    fs.writeFileSync(path.join(this.state, 'fail'), patterns.join('\n') + '\n');
    return this;
  }

  /** Runs `script` (its text) with `shell`, environment `env` and arguments `args`. */
  public run(script: string, options: { shell?: readonly string[]; env?: Record<string, string>; args?: readonly string[] } = {}): ScriptRun {
    const file = path.join(this.dir, 'script.sh');
    fs.writeFileSync(file, script);
    fs.writeFileSync(path.join(this.state, 'calls'), '');
    const [cmd, ...shellArgs] = options.shell ?? POSIX_SHELLS[0].argv;
    const result = spawnSync(cmd, [...shellArgs, file, ...(options.args ?? [])], {
      encoding: 'utf8',
      env: { PATH: `${this.bin}:/usr/bin:/bin`, FAKE: this.state, ...options.env },
    });
    const log = fs.readFileSync(path.join(this.state, 'calls'), 'utf8').split('\n');
    const calls: string[] = [];
    const created: string[] = [];
    for (let i = 0; i < log.length; i++) {
      if (log[i] === '--- stdin') {
        const end = log.indexOf('--- end', i);
        created.push(log.slice(i + 1, end).join('\n'));
        i = end;
      } else if (log[i]) {
        calls.push(log[i]);
      }
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, created };
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
