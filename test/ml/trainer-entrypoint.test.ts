import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DistributedTrainer, Launcher, Profile, StorageClassPack } from '../../lib';
import { find, newChart, synth } from '../support/synth';
import { describeEachShell } from '../support/shells';

const SCRIPT = path.join(__dirname, '../../lib/ml/scripts/trainer-entrypoint.sh');

let workdir: string;
beforeAll(() => { workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-entrypoint-')); });
afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

/** Runs the entrypoint with `shell` and a clean environment plus `env`; returns status and output. */
function run(shell: readonly string[], env: Record<string, string>, argv: readonly string[]) {
  const ready = path.join(workdir, 'trainer-launched');
  fs.rmSync(ready, { force: true });
  const result = spawnSync(shell[0], [...shell.slice(1), SCRIPT, ...argv], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TRAINER_READY_FILE: ready, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, launched: fs.existsSync(ready) };
}

/** The launcher's environment as printed by `env`. */
function envOf(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describeEachShell('trainer-entrypoint.sh under %s', (shell) => {
  test.each([
    ['pytorch-0', '0'],
    ['pytorch-3', '3'],
    ['llm-pretrain-v2-12', '12'],
    ['a-b-c-107', '107'],
  ])('hostname %s (Kubernetes 1.27, no pod-index label) → node rank %s', (hostname, rank) => {
    const out = run(shell, { HOSTNAME: hostname, TRAINER_MAX_NODES: '200' }, ['/usr/bin/env']);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const env = envOf(out.stdout);
    expect(env.NODE_RANK).toBe(rank);
    expect(env.PET_NODE_RANK).toBe(rank);
    expect(out.launched).toBe(true);
  });

  test('NODE_RANK from the downward API (1.28+) wins over the hostname', () => {
    const out = run(shell, { HOSTNAME: 'pytorch-3', NODE_RANK: '2', TRAINER_MAX_NODES: '4' }, ['/usr/bin/env']);
    expect(out.status).toBe(0);
    expect(envOf(out.stdout)).toMatchObject({ NODE_RANK: '2', PET_NODE_RANK: '2' });
  });

  test('DeepSpeed: the rank is inserted right after the runner executable', () => {
    const out = run(shell, { HOSTNAME: 'ds-1', NODE_RANK_FLAG: '--node_rank' },
      ['/bin/echo', '--hostfile=/etc/trainer/hostfile', '--no_ssh', 'train.py', '--epochs', '90']);
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('--node_rank=1 --hostfile=/etc/trainer/hostfile --no_ssh train.py --epochs 90\n');
  });

  test('arguments with spaces reach the launcher unchanged', () => {
    const out = run(shell, { HOSTNAME: 'pytorch-0' }, ['/bin/echo', 'train.py', '--note', 'two words']);
    expect(out.stdout).toBe('train.py --note two words\n');
  });

  test('a hostname without an ordinal is refused, and the pod is not marked launched', () => {
    const out = run(shell, { HOSTNAME: 'workstation' }, ['/usr/bin/env']);
    expect(out.status).toBe(64);
    expect(out.stderr).toBe("trainer-entrypoint: cannot derive a node rank from hostname 'workstation': expected a StatefulSet pod name ending in -<ordinal>\n");
    expect(out.launched).toBe(false);
  });

  test('a pod beyond the job size (StatefulSet scaled past nodes) is refused', () => {
    const out = run(shell, { HOSTNAME: 'pytorch-4', TRAINER_MAX_NODES: '4' }, ['/usr/bin/env']);
    expect(out.status).toBe(65);
    expect(out.stderr).toBe('trainer-entrypoint: node rank 4 is outside this job\'s 4 node(s): scale the StatefulSet back to at most 4 replicas\n');
  });

  test('no launcher is a usage error', () => {
    const out = run(shell, { HOSTNAME: 'pytorch-0' }, []);
    expect(out.status).toBe(64);
    expect(out.stderr).toContain('usage: trainer-entrypoint.sh <launcher>');
  });
});

test('the pod runs exactly these scripts, from the launch ConfigMap, with sh', () => {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'storage');
  new DistributedTrainer(chart, 'pytorch', {
    namespace: 'ml-training', image: 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', nodes: 2,
    launcher: Launcher.torchrun({ script: 'train.py' }), checkpoints: { tier: pack.standard, size: '1Gi' },
  });
  const objects = synth(chart);
  const configMap = find(objects, 'ConfigMap', 'pytorch-launch');
  expect(configMap.data['entrypoint.sh']).toBe(fs.readFileSync(SCRIPT, 'utf8'));
  expect(configMap.data['worker.sh']).toBe(fs.readFileSync(path.join(path.dirname(SCRIPT), 'trainer-worker.sh'), 'utf8'));
  const pod = find(objects, 'Job', 'pytorch').spec.template.spec;
  expect(pod.containers[0].command).toEqual(['sh', '/etc/trainer/entrypoint.sh']);
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'launch', mountPath: '/etc/trainer', readOnly: true });
  expect(pod.volumes).toContainEqual({ name: 'launch', configMap: { name: 'pytorch-launch' } });
});
