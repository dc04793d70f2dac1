/**
 * The rendered training Job run for real: two ranks of a DistributedTrainer, each the rendered container
 * (command, args, environment, mounts) started as its own process tree, with Debian's CPU PyTorch (python3-torch
 * 1.13 under /usr/bin/python3; test/integration/install-servers.sh installs it), gloo collectives and the shipped
 * apps/training/ddp_smoke.py.
 *
 * What a pod gets from Kubernetes is reproduced, nothing else:
 * - the Job controller's index: JOB_COMPLETION_INDEX, the batch.kubernetes.io/job-completion-index label (read
 *   through the rendered fieldRef) and the hostname <job>-<index>;
 * - the kubelet's $(VAR) expansion of env values and of the checkpoint mount's subPathExpr;
 * - mounts: the ConfigMaps' files written to directories, the checkpoint claim a directory of which each rank
 *   mounts its rank-<i> subdirectory, emptyDirs (/tmp, HOME) per rank; paths in the rendered command, args and env
 *   are rewritten to those directories (TMPDIR points at the rank's /tmp);
 * - cluster DNS: rank i's stable name <job>-<i>.<job>-headless... is rewritten to 127.0.0.(2+i) and the rendezvous
 *   port to a free one. torch's stores listen on every interface; peers reach them on 127.0.0.2 and on this
 *   machine's host name, which must resolve to 127.0.0.0/8 (checked) — as a pod's name resolves to its own IP.
 * - the image's PATH: `python3` is /usr/bin/python3 (not the pyenv python3 on PATH), and `torchrun` wraps
 *   torch.distributed.run.main: Debian's torch 1.13 torchrun crashes on Python 3.11 before any worker starts
 *   (`Std.from_str('0')` returns None: Python 3.11 no longer iterates IntFlag's zero member), so the wrapper maps
 *   that None to Std.NONE. The pytorch/pytorch 2.x images the trainer renders do not have the bug.
 *
 * Then the Job's rules are applied to what happened: the rendered successPolicy (or, without one, every index
 * succeeding) to the exit codes of a good run, and the rendered podFailurePolicy to a run where one rank finds an
 * unreadable checkpoint and exits 65 (a data error the script reports as fatal).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as dns from 'dns';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DistributedTrainer, Launcher, Profile, StorageClassPack, WorkloadNamespace } from '../../lib';
import { readAsset } from '../../lib/assets';
import { Manifest, find, newChart, synth } from '../support/synth';
import { freePort } from '../support/ports';
import { sleep, waitForPort } from '../support/servers';

const PYTHON = '/usr/bin/python3';
const NAMESPACE = 'ml-training';
const SMOKE = readAsset(path.join(__dirname, '../../apps'), 'training/ddp_smoke.py');

const TORCHRUN_SHIM = `#!${PYTHON}
# torchrun for the integration test: torch.distributed.run.main with Debian's torch 1.13 bug on Python 3.11
# patched (Std.from_str('0') returns None there; the pytorch 2.x images are not affected).
import sys
from torch.distributed.elastic.multiprocessing.api import Std

_from_str = Std.from_str.__func__


def _fixed(cls, vm):
    value = _from_str(cls, vm)
    if isinstance(value, dict):
        return {k: (cls.NONE if v is None else v) for k, v in value.items()}
    return cls.NONE if value is None else value


Std.from_str = classmethod(_fixed)

from torch.distributed.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
`;

/**
 * The rendered objects of a 2-rank CPU trainer running the shipped smoke test on kind at `kubeVersion`: 1.32 has
 * the completion-index label and the successPolicy; 1.27 has neither (the entrypoint reads JOB_COMPLETION_INDEX,
 * every index must succeed).
 */
function render(kubeVersion = '1.32') {
  const profile = Profile.kind({ kubeVersion });
  const { chart } = newChart(profile);
  new WorkloadNamespace(chart, 'ns', { name: NAMESPACE });
  const pack = new StorageClassPack(chart, 'storage');
  const trainer = new DistributedTrainer(chart, 'trainer', {
    namespace: NAMESPACE,
    image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
    nodes: 2,
    launcher: Launcher.torchrun({ script: 'ddp_smoke.py' }),
    files: { 'ddp_smoke.py': SMOKE },
    checkpoints: { tier: pack.standard, size: '1Gi' },
    env: { EPOCHS: '2' },
  });
  const objects = synth(chart);
  return { trainer, objects, job: find(objects, 'Job', 'trainer') };
}

// ---- The Job controller's rules, applied to observed pods -------------------------------------------------------

interface PodResult {
  readonly index: number;
  readonly exitCode: number;
}

/** `0-2,4` -> {0, 1, 2, 4} (the Job API's index ranges). */
function indexSet(ranges: string): Set<number> {
  const out = new Set<number>();
  for (const part of ranges.split(',')) {
    const [from, to] = part.split('-').map(Number);
    for (let i = from; i <= (to ?? from); i++) out.add(i);
  }
  return out;
}

/** The podFailurePolicy rule a failed pod matches first (its action), or 'Count' when none does. */
function failureAction(spec: any, container: string, pod: PodResult): string {
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    const codes = rule.onExitCodes;
    if (codes && (!codes.containerName || codes.containerName === container)) {
      const listed = codes.values.includes(pod.exitCode);
      if (codes.operator === 'In' ? listed : !listed) return rule.action;
    }
    // onPodConditions rules match conditions (DisruptionTarget): these pods were not disrupted.
  }
  return 'Count';
}

/** The Job's condition once these pods have finished: Complete, Failed, or undefined (still running). */
function jobCondition(spec: any, container: string, pods: readonly PodResult[]): { condition?: 'Complete' | 'Failed'; reason: string } {
  const failures = new Map<number, number>();
  for (const pod of pods.filter((p) => p.exitCode !== 0)) {
    const action = failureAction(spec, container, pod);
    if (action === 'FailJob') return { condition: 'Failed', reason: `PodFailurePolicy: index ${pod.index} exited ${pod.exitCode}` };
    if (action === 'Count') failures.set(pod.index, (failures.get(pod.index) ?? 0) + 1);
  }
  if (spec.backoffLimitPerIndex !== undefined) {
    const failed = [...failures].filter(([, n]) => n > spec.backoffLimitPerIndex).length;
    if (failed > (spec.maxFailedIndexes ?? Infinity)) return { condition: 'Failed', reason: 'FailedIndexes' };
  } else if ([...failures.values()].reduce((a, b) => a + b, 0) > (spec.backoffLimit ?? 6)) {
    return { condition: 'Failed', reason: 'BackoffLimitExceeded' };
  }
  const succeeded = new Set(pods.filter((p) => p.exitCode === 0).map((p) => p.index));
  for (const rule of spec.successPolicy?.rules ?? []) {
    const wanted = rule.succeededIndexes ? indexSet(rule.succeededIndexes) : undefined;
    const among = wanted ? [...wanted].filter((i) => succeeded.has(i)).length : succeeded.size;
    if ((!wanted || among === wanted.size) && (rule.succeededCount === undefined || among >= rule.succeededCount)) {
      return { condition: 'Complete', reason: 'SuccessPolicy' };
    }
  }
  if (succeeded.size === spec.completions) return { condition: 'Complete', reason: 'CompletionsReached' };
  return { reason: 'running' };
}

// ---- One rank as the kubelet would start it ------------------------------------------------------------------------

interface Rank {
  readonly index: number;
  readonly address: string;
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
}

/** Expands $(VAR) from `vars` as the kubelet does (unknown references stay as written). */
function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name) => (name in vars ? vars[name] : whole));
}

class Harness {
  public readonly root: string;
  public readonly claim: string;
  public readonly ranks: Rank[] = [];
  private readonly bin: string;
  private readonly configMaps: Map<string, string>;

  constructor(objects: Manifest[], private readonly job: Manifest, private readonly hosts: readonly string[], public readonly port: number) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-it-'));
    this.claim = path.join(this.root, 'claim-checkpoints');
    fs.mkdirSync(this.claim);
    this.bin = path.join(this.root, 'bin');
    fs.mkdirSync(this.bin);
    fs.writeFileSync(path.join(this.bin, 'torchrun'), TORCHRUN_SHIM, { mode: 0o755 });
    fs.symlinkSync(PYTHON, path.join(this.bin, 'python3'));
    this.configMaps = new Map();
    for (const volume of this.pod.volumes) {
      if (!volume.configMap) continue;
      const dir = path.join(this.root, `configmap-${volume.configMap.name}`);
      fs.mkdirSync(dir);
      for (const [file, content] of Object.entries(find(objects, 'ConfigMap', volume.configMap.name).data as Record<string, string>)) {
        fs.writeFileSync(path.join(dir, file), content);
      }
      this.configMaps.set(volume.name, dir);
    }
  }

  public get pod(): any {
    return this.job.spec.template.spec;
  }

  public get container(): any {
    return this.pod.containers[0];
  }

  /** Starts rank `index` (pod `<job>-<index>`) on 127.0.0.(2+index). */
  public start(index: number): Rank {
    const address = `127.0.0.${2 + index}`;
    const podDir = path.join(this.root, `pod-${index}`);
    fs.mkdirSync(podDir);
    // The env as the kubelet builds it: the controller's index, fieldRefs, then $(VAR) expansion in order.
    const labels: Record<string, string> = { ...this.job.spec.template.metadata.labels, 'batch.kubernetes.io/job-completion-index': String(index) };
    const vars: Record<string, string> = {};
    for (const e of this.container.env) {
      if (e.valueFrom) {
        const label = /^metadata\.labels\['(.+)'\]$/.exec(e.valueFrom.fieldRef?.fieldPath ?? '');
        if (!label || labels[label[1]] === undefined) throw new Error(`cannot resolve env ${e.name}: ${JSON.stringify(e.valueFrom)}`);
        vars[e.name] = labels[label[1]];
      } else {
        vars[e.name] = expand(e.value, vars);
      }
    }
    vars.JOB_COMPLETION_INDEX = String(index);

    // Mounts: longest mount path first when rewriting.
    const mounts: Array<[string, string]> = [];
    const volumes = new Map<string, any>(this.pod.volumes.map((v: any) => [v.name, v]));
    for (const m of this.container.volumeMounts) {
      const volume = volumes.get(m.name);
      let local: string;
      if (volume.persistentVolumeClaim) {
        local = m.subPathExpr ? path.join(this.claim, expand(m.subPathExpr, vars)) : this.claim;
      } else if (volume.configMap) {
        local = this.configMaps.get(m.name)!;
      } else if (m.mountPath === '/dev/shm') {
        continue; // the machine's own /dev/shm
      } else {
        local = path.join(podDir, m.name);
      }
      fs.mkdirSync(local, { recursive: true });
      mounts.push([m.mountPath, local]);
    }
    mounts.sort((a, b) => b[0].length - a[0].length);
    const remapPath = (value: string) => {
      for (const [mountPath, local] of mounts) {
        if (value === mountPath || value.startsWith(`${mountPath}/`)) return local + value.slice(mountPath.length);
      }
      return value;
    };
    // Cluster DNS: the pods' stable names are the ranks' loopback addresses; the rendezvous port a free one.
    const renderedPort = String(this.job.spec.template.spec.containers[0].ports[0].containerPort);
    const remapValue = (name: string, value: string) => {
      let out = value;
      this.hosts.forEach((host, i) => {
        out = out.split(`${host}:${renderedPort}`).join(`127.0.0.${2 + i}:${this.port}`).split(host).join(`127.0.0.${2 + i}`);
      });
      if (name.endsWith('_PORT') && out === renderedPort) out = String(this.port);
      return remapPath(out);
    };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(vars)) env[name] = remapValue(name, value);
    env.HOSTNAME = `${this.job.metadata.name}-${index}`;
    env.PATH = `${this.bin}:/usr/bin:/bin`;
    env.TMPDIR = remapPath('/tmp');

    const argv = [...this.container.command, ...this.container.args].map(remapPath);
    const child = spawn(argv[0], argv.slice(1), { cwd: remapPath(this.container.workingDir), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const rank: Rank = { index, address, process: child, stdout: '', stderr: '' };
    child.stdout!.on('data', (d) => { rank.stdout += d; });
    child.stderr!.on('data', (d) => { rank.stderr += d; });
    child.on('exit', (code, signal) => { rank.exitCode = code; rank.signal = signal; });
    this.ranks.push(rank);
    return rank;
  }

  /** Waits until every rank has exited, at most `limitMs`. */
  public async waitAll(limitMs: number): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (this.ranks.some((r) => r.exitCode === undefined)) {
      if (Date.now() > deadline) throw new Error(`ranks still running after ${limitMs} ms:\n${this.logs()}`);
      await sleep(200);
    }
  }

  public logs(): string {
    return this.ranks.map((r) => `--- rank ${r.index} (exit ${r.exitCode}, signal ${r.signal})\n${r.stdout}${r.stderr}`).join('\n');
  }

  /**
   * Sends `signal` to every running rank: to its first process only, as the kubelet stops a container (the
   * entrypoint passes it on), or with `group` to its whole process tree.
   */
  public signalAll(signal: NodeJS.Signals, group = false): void {
    for (const r of this.ranks) {
      if (r.exitCode === undefined && r.process.pid) {
        try { process.kill(group ? -r.process.pid : r.process.pid, signal); } catch { /* already gone */ }
      }
    }
  }

  public cleanup(): void {
    this.signalAll('SIGKILL', true);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

describe('the rendered training Job, two ranks on loopback with gloo', () => {
  const renders = { '1.27': render('1.27'), '1.32': render('1.32') };
  const { job } = renders['1.32'];
  const harnesses: Harness[] = [];

  beforeAll(async () => {
    if (spawnSync(PYTHON, ['-c', 'import torch, torch.distributed']).status !== 0) {
      throw new Error(`${PYTHON} cannot import torch: run test/integration/install-servers.sh (Debian package python3-torch)`);
    }
    const { address } = await dns.promises.lookup(os.hostname());
    if (!address.startsWith('127.')) {
      throw new Error(`this machine's host name ${os.hostname()} resolves to ${address}: torchrun hands it to its workers as their master address; ` +
        'the test only uses 127.0.0.0/8 (map the host name to 127.0.1.1 in /etc/hosts)');
    }
  });

  afterAll(() => {
    for (const h of harnesses) h.cleanup();
  });

  async function newHarness(r = renders['1.32']): Promise<Harness> {
    const harness = new Harness(r.objects, r.job, [r.trainer.podHost(0), r.trainer.podHost(1)], await freePort());
    harnesses.push(harness);
    return harness;
  }

  test.each(['1.32', '1.27'] as const)('Kubernetes %s: both ranks join through the rendezvous on rank 0, all_reduce sums every rank, both exit 0 and the Job completes', async (version) => {
    const { job } = renders[version];
    const h = await newHarness(renders[version]);
    const rankEnv = h.container.env.find((e: any) => e.name === 'NODE_RANK');
    // 1.32: the rank from the completion-index label; 1.27: the entrypoint takes JOB_COMPLETION_INDEX.
    expect(rankEnv?.valueFrom.fieldRef.fieldPath).toBe(version === '1.32' ? "metadata.labels['batch.kubernetes.io/job-completion-index']" : undefined);
    const port = Number(new URL(`tcp://${h.container.env.find((e: any) => e.name === 'PET_RDZV_ENDPOINT').value}`).port);
    expect(port).toBe(29400);
    const started = Date.now();
    h.start(0);
    // Rank 0 hosts the c10d store: start rank 1 once it listens, as a late pod would find it.
    await waitForPort('127.0.0.2', h.port, 60000);
    h.start(1);
    await h.waitAll(180000);
    const seconds = (Date.now() - started) / 1000;

    expect({ exit: h.ranks.map((r) => r.exitCode), logs: h.ranks.every((r) => r.exitCode === 0) ? '' : h.logs() }).toEqual({ exit: [0, 0], logs: '' });
    // Ranks 0 and 1 of the world of 2: 1 + 2 = 3, in whichever pod the rendezvous placed them.
    const output = h.ranks.map((r) => r.stdout).join('');
    expect(output).toMatch(/rank 0\/2: all_reduce sum 3 \(expected 3\)/);
    expect(output).toMatch(/rank 1\/2: all_reduce sum 3 \(expected 3\)/);
    expect(output).toContain('training complete: 2 epochs');
    // Each rank checkpointed into its own directory of the claim (subPathExpr rank-$(JOB_COMPLETION_INDEX)).
    expect(fs.readdirSync(h.claim).sort()).toEqual(['rank-0', 'rank-1']);
    for (const dir of ['rank-0', 'rank-1']) expect(fs.readdirSync(path.join(h.claim, dir))).toEqual(['smoke-local0.pt']);
    // The entrypoint marked each pod ready (the readiness probe's file, in the pod's /tmp).
    const probe = h.container.readinessProbe.exec.command;
    expect(probe).toEqual(['test', '-f', '/tmp/trainer-launched']);
    for (const i of [0, 1]) expect(fs.existsSync(path.join(h.root, `pod-${i}`, 'w-tmp', 'trainer-launched'))).toBe(true);

    // The rendered success rule: rank 0 completes the run (successPolicy, 1.31+); without one, every index.
    const pods = h.ranks.map((r) => ({ index: r.index, exitCode: r.exitCode! }));
    if (version === '1.32') {
      expect(job.spec.successPolicy).toEqual({ rules: [{ succeededIndexes: '0' }] });
      expect(jobCondition(job.spec, 'trainer', pods)).toEqual({ condition: 'Complete', reason: 'SuccessPolicy' });
      expect(jobCondition(job.spec, 'trainer', pods.filter((p) => p.index === 0))).toEqual({ condition: 'Complete', reason: 'SuccessPolicy' });
    } else {
      expect(job.spec.successPolicy).toBeUndefined();
      expect(jobCondition(job.spec, 'trainer', pods)).toEqual({ condition: 'Complete', reason: 'CompletionsReached' });
      expect(jobCondition(job.spec, 'trainer', pods.filter((p) => p.index === 0))).toEqual({ reason: 'running' });
    }
    console.log(`trainer (Kubernetes ${version}): 2 ranks joined, trained 2 epochs and exited 0 in ${seconds.toFixed(1)} s`);
  });

  test('a rank exiting with a fatal exit code fails the run as the rendered podFailurePolicy says', async () => {
    const h = await newHarness();
    // Rank 1's checkpoint is unreadable: ddp_smoke.py exits 65 (EX_DATAERR) before joining the collectives.
    fs.mkdirSync(path.join(h.claim, 'rank-1'));
    fs.writeFileSync(path.join(h.claim, 'rank-1', 'smoke-local0.pt'), 'not a checkpoint');
    h.start(0);
    await waitForPort('127.0.0.2', h.port, 60000);
    const rank1 = h.start(1);
    const failing = Date.now();
    const deadline = Date.now() + 60000;
    while (rank1.exitCode === undefined && Date.now() < deadline) await sleep(200);
    if (rank1.exitCode !== 65) throw new Error(`rank 1 exited ${rank1.exitCode}:\n${h.logs()}`);
    const failedAfter = (Date.now() - failing) / 1000;
    // At once: torchrun neither restarted the workers to the same failure nor waited in its exit barrier.
    expect(rank1.stderr.match(/trainer-worker: rank/g)).toHaveLength(1);
    // torchrun exits 1 whatever its workers did; the worker wrapper kept the code and the entrypoint exited with it.
    expect(rank1.stderr).toContain('ddp_smoke: checkpoint');
    expect(rank1.stderr).toContain('trainer-worker: rank');
    expect(rank1.stderr).toContain('exited 65, a fatal exit code: the run fails without retrying');
    expect(rank1.stderr).toContain('trainer-entrypoint: the launcher exited 1 after a training process exited 65, a fatal code: exiting 65');

    // The rendered podFailurePolicy on the observed exit code: FailJob, whatever rank 0 does.
    const observed = [{ index: 1, exitCode: rank1.exitCode! }];
    expect(failureAction(job.spec, 'trainer', observed[0])).toBe('FailJob');
    expect(jobCondition(job.spec, 'trainer', observed)).toEqual({ condition: 'Failed', reason: 'PodFailurePolicy: index 1 exited 65' });
    // An ordinary failure (exit 1) would be retried instead: counted against backoffLimitPerIndex.
    expect(failureAction(job.spec, 'trainer', { index: 1, exitCode: 1 })).toBe('Count');
    expect(jobCondition(job.spec, 'trainer', [{ index: 1, exitCode: 1 }])).toEqual({ reason: 'running' });

    // The Job controller then deletes the remaining pods: rank 0 stops on SIGTERM within the grace period.
    const stopped = Date.now();
    h.signalAll('SIGTERM');
    await h.waitAll(h.pod.terminationGracePeriodSeconds * 1000);
    expect(h.ranks[0].exitCode === 0).toBe(false);
    console.log(`trainer: fatal exit 65 on rank 1 after ${failedAfter.toFixed(1)} s -> FailJob; rank 0 stopped ${((Date.now() - stopped) / 1000).toFixed(1)} s after SIGTERM`);
  });
});
