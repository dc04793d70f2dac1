import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NAMESPACE, TRAIN_SCRIPT, build } from '../../examples/training-on-kind/main';
import { find } from '../support/synth';
import { envOf, renderExample } from './render';
import { testWith } from '../support/tools';

describe('examples/training-on-kind', () => {
  const { trainer, rendered, objects } = renderExample(build);
  const job = find(objects, 'Job', 'trainer');
  const pod = job.spec.template.spec;
  const container = pod.containers[0];
  const env = envOf(container);

  test('renders on kind (Kubernetes 1.36) into platform and training files, passing the gates', () => {
    expect(rendered.profile.name).toBe('kind');
    expect(rendered.profile.kubeVersion.toString()).toBe('1.36');
    expect(rendered.gates.errors).toEqual([]);
    expect(rendered.files.map((f) => f.name)).toEqual(['platform.k8s.yaml', 'training.k8s.yaml', 'kustomization.yaml']);
  });

  test('three CPU ranks of an Indexed Job started together: no GPU requested, tolerated or required of the node', () => {
    expect(job.metadata.namespace).toBe(NAMESPACE);
    expect(job.spec).toMatchObject({
      completionMode: 'Indexed', completions: 3, parallelism: 3, activeDeadlineSeconds: 3600,
      // kind defaults to 1.36: retries per rank, replacement after termination, and (torchrun) success when rank 0 succeeds.
      backoffLimitPerIndex: 2, maxFailedIndexes: 0, podReplacementPolicy: 'Failed',
    });
    expect(job.spec.successPolicy).toEqual({ rules: [{ succeededIndexes: '0' }] });
    expect(pod.restartPolicy).toBe('Never');
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(JSON.stringify(pod)).not.toMatch(/gpu|accelerator/i);
    expect(pod.tolerations).toBeUndefined();
    expect(trainer.gpusPerNode).toBe(0);
    expect(env).toMatchObject({ PET_NNODES: '3', PET_NPROC_PER_NODE: '1', WORLD_SIZE: '3', EPOCHS: '20' });
  });

  test('train.py runs its collectives over gloo and is shipped in the code ConfigMap', () => {
    expect(TRAIN_SCRIPT).toContain('dist.init_process_group("gloo")');
    expect(TRAIN_SCRIPT).not.toMatch(/nccl|cuda/i);
    expect(find(objects, 'ConfigMap', 'trainer-code').data).toEqual({ 'train.py': TRAIN_SCRIPT });
    expect(container.args).toEqual(['torchrun', '--no_python', 'sh', '/etc/trainer/worker.sh', 'python3', '-u', 'train.py']);
    expect(container.workingDir).toBe('/opt/trainer');
  });

  testWith('python3')('train.py is valid Python', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-py-'));
    try {
      const compiled = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])',
        path.join(__dirname, '../../examples/training-on-kind/train.py')], { encoding: 'utf8', cwd: dir });
      expect(compiled.stderr).toBe('');
      expect(compiled.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rendezvous on pod 0 through the headless Service, which publishes workers before they are ready', () => {
    expect(env.MASTER_ADDR).toBe('trainer-0.trainer-headless.training.svc.cluster.local');
    expect(env.PET_RDZV_ENDPOINT).toBe('trainer-0.trainer-headless.training.svc.cluster.local:29400');
    const headless = find(objects, 'Service', 'trainer-headless');
    expect(pod.subdomain).toBe('trainer-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    // kind's 1.36 has the completion-index label: the rank comes from it.
    expect(env.NODE_RANK).toEqual({ fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } });
  });

  test('checkpoints: one 1Gi claim on the standard tier, a directory per rank at CHECKPOINT_DIR, kept and never pruned', () => {
    const claim = find(objects, 'PersistentVolumeClaim', 'checkpoints-trainer');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'ml-standard-v1' });
    expect(claim.metadata.ownerReferences).toBeUndefined();
    expect(find(objects, 'StorageClass', 'ml-standard-v1').provisioner).toBe('rancher.io/local-path');
    expect(find(objects, 'StorageClass', 'ml-standard-v1').reclaimPolicy).toBe('Retain');
    expect(env.CHECKPOINT_DIR).toBe('/checkpoints');
    expect(pod.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'checkpoints-trainer' } });
    expect(container.volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints', subPathExpr: 'rank-$(JOB_COMPLETION_INDEX)' });
    expect(trainer.checkpointClaimName(2)).toBe('checkpoints-trainer');
    expect(trainer.checkpointSubPath(2)).toBe('rank-2');
    // ReadWriteOnce: the node that mounts the claim runs every rank.
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'trainer', 'app.kubernetes.io/instance': 'trainer' } },
      topologyKey: 'kubernetes.io/hostname',
    }]);
  });

  test('/dev/shm is a 256Mi memory-backed emptyDir', () => {
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } });
    expect(container.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });
});
