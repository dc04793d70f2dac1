import { Chart } from 'cdk8s';
import {
  CapacityReport, DistributedTrainer, DistributedTrainerProps, KubeVersion, Launcher, MAX_SUPPORTED_MINOR, MIN_SUPPORTED_MINOR,
  Profile, StorageClassPack, TrainingMode, UpdateStrategy, runGates,
} from '../../lib';
import { DEFAULT_FATAL_EXIT_CODES, GPU_POD_RESOURCES_PER_GPU } from '../../lib/ml';
import { all, find, selects, synth } from '../support/synth';
import { gkeWithShared, trainingChart } from '../support/clusters';
import { expectGatesPass } from '../support/gates';

const IMAGE = 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime';

/** A 4-rank GPU run where the profile has GPUs and ReadWriteMany storage, else a CPU run on one node. */
function trainer(chart: Chart, pack: StorageClassPack, props: Partial<DistributedTrainerProps> = {}): DistributedTrainer {
  const gpu = !!pack.profile.gpu && pack.profile.supportsReadWriteMany;
  return new DistributedTrainer(chart, 'pytorch', {
    namespace: 'ml-training',
    image: IMAGE,
    nodes: 4,
    gpusPerNode: gpu ? 8 : 0,
    launcher: Launcher.torchrun({ script: 'train.py' }),
    checkpoints: gpu ? { tier: pack.shared, size: '1Ti' } : { tier: pack.standard, size: '10Gi' },
    ...props,
  });
}

function envOf(pod: any): Record<string, any> {
  return Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

const ALL_MINORS = Array.from({ length: MAX_SUPPORTED_MINOR - MIN_SUPPORTED_MINOR + 1 }, (_, i) => `1.${MIN_SUPPORTED_MINOR + i}`);
const PROFILES: ReadonlyArray<[string, (kubeVersion: string) => Profile]> = [
  ['kind', (kubeVersion) => Profile.kind({ kubeVersion })],
  ['gke', (kubeVersion) => Profile.gke({ kubeVersion })],
  ['eks', (kubeVersion) => Profile.eks({ kubeVersion, efsFileSystemId: 'fs-0a1b2c3d4e5f60718' })],
  ['aks', (kubeVersion) => Profile.aks({ kubeVersion })],
];

describe('a training run is an Indexed Job (TrainingMode.job(), the default)', () => {
  const profile = gkeWithShared();
  const { chart, pack } = trainingChart(profile);
  const t = trainer(chart, pack);
  const objects = synth(chart);
  const job = find(objects, 'Job', 'pytorch');
  const pod = job.spec.template.spec;
  const env = envOf(pod);

  test('completions = parallelism = nodes, pods never restarted in place, no StatefulSet or PDB', () => {
    expect(t.mode.kind).toBe('Job');
    expect(t.job).toBeDefined();
    expect(t.workload).toBeUndefined();
    expect(job.metadata.namespace).toBe('ml-training');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    expect(pod.restartPolicy).toBe('Never');
    expect(all(objects, 'StatefulSet')).toEqual([]);
    expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
    expectGatesPass(objects, profile);
  });

  test('pods <name>-<i> resolve through the headless Service (subdomain), which publishes unready pods', () => {
    const service = find(objects, 'Service', pod.subdomain);
    expect(pod.subdomain).toBe('pytorch-headless');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(selects(service.spec.selector, job.spec.template.metadata.labels)).toBe(true);
    expect(service.spec.ports).toEqual([{ name: 'rendezvous', port: 29400, protocol: 'TCP', targetPort: 'rendezvous' }]);
    // An Indexed Job with a subdomain names its pods' hosts <job>-<index>: the DNS name of rank 0 is MASTER_ADDR.
    expect(env.MASTER_ADDR).toBe(`${job.metadata.name}-0.${pod.subdomain}.${job.metadata.namespace}.svc.cluster.local`);
    expect(env.PET_RDZV_ENDPOINT).toBe(`${env.MASTER_ADDR}:29400`);
    expect(t.podHost(3)).toBe('pytorch-3.pytorch-headless.ml-training.svc.cluster.local');
  });

  test('the rank is the completion index: the label (1.28+), then JOB_COMPLETION_INDEX in the entrypoint', () => {
    expect(env.NODE_RANK).toEqual({ fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } });
    expect(env.PET_NODE_RANK).toBe('$(NODE_RANK)');
  });

  test('failure policy: disruptions ignored, fatal exit codes fail the run, the rest retried per rank', () => {
    expect(job.spec.podFailurePolicy).toEqual({
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [2, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78] } },
      ],
    });
    expect(pod.containers.map((c: any) => c.name)).toEqual(['trainer']);
    expect(job.spec).toMatchObject({ backoffLimitPerIndex: 3, maxFailedIndexes: 0, podReplacementPolicy: 'Failed' });
    expect(job.spec.backoffLimit).toBeUndefined();
    // The worker wrapper and the entrypoint know the same codes.
    expect(env.TRAINER_FATAL_EXIT_CODES).toBe(DEFAULT_FATAL_EXIT_CODES.join(' '));
    expect(env.TRAINER_FATAL_FILE).toBe('/tmp/trainer-fatal');
    expect(pod.containers[0].args).toEqual(['torchrun', '--no_python', 'sh', '/etc/trainer/worker.sh', 'python3', '-u', 'train.py']);
  });

  test('success: rank 0 (torchrun) completes the run', () => {
    expect(job.spec.successPolicy).toEqual({ rules: [{ succeededIndexes: '0' }] });
    expect(job.spec.activeDeadlineSeconds).toBeUndefined();
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test('checkpoints: one ReadWriteMany claim, not owned by the Job, a directory per rank', () => {
    const claim = find(objects, 'PersistentVolumeClaim', 'checkpoints-pytorch');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Ti' } }, storageClassName: pack.shared.storageClassName });
    expect(find(objects, 'StorageClass', pack.shared.storageClassName).reclaimPolicy).toBe('Retain');
    expect(pod.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'checkpoints-pytorch' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints', subPathExpr: 'rank-$(JOB_COMPLETION_INDEX)' });
    expect(t.checkpointClaimName(1)).toBe('checkpoints-pytorch');
    expect(t.checkpointSubPath(1)).toBe('rank-1');
    expect(() => t.checkpointSubPath(4)).toThrow("DistributedTrainer 'test/pytorch' has ranks 0..3; 4 is out of range.");
    // Ranks may run on any node: only preferred affinity, no required one.
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
  });

  test('the entrypoint and the worker wrapper ship in the launch ConfigMap', () => {
    const launch = find(objects, 'ConfigMap', 'pytorch-launch');
    expect(Object.keys(launch.data).sort()).toEqual(['entrypoint.sh', 'worker.sh']);
    expect(pod.containers[0].command).toEqual(['sh', '/etc/trainer/entrypoint.sh']);
  });

  test('peers: the pods the Job creates', () => {
    expect(t.asPeer()).toEqual({ namespace: 'ml-training', podSelector: { 'app.kubernetes.io/name': 'trainer', 'app.kubernetes.io/instance': 'pytorch' } });
    expect(selects(t.asPeer().podSelector, job.spec.template.metadata.labels)).toBe(true);
  });

  test('output is byte-identical across runs', () => {
    const render = () => {
      const s = trainingChart(gkeWithShared());
      trainer(s.chart, s.pack);
      return JSON.stringify(synth(s.chart));
    };
    expect(render()).toBe(render());
  });
});

describe('Job version gates, both sides', () => {
  const jobAt = (kubeVersion: string, props: Partial<DistributedTrainerProps> = {}) => {
    const profile = Profile.aks({ kubeVersion });
    const { chart, pack } = trainingChart(profile);
    trainer(chart, pack, props);
    const objects = synth(chart);
    expectGatesPass(objects, profile);
    return find(objects, 'Job', 'pytorch');
  };

  test('KubeVersion getters switch at their versions', () => {
    const v = (minor: number) => KubeVersion.of(`1.${minor}`);
    expect([v(27).hasJobCompletionIndexLabel, v(28).hasJobCompletionIndexLabel]).toEqual([false, true]);
    expect([v(28).hasJobBackoffLimitPerIndex, v(29).hasJobBackoffLimitPerIndex]).toEqual([false, true]);
    expect([v(28).hasJobPodReplacementPolicy, v(29).hasJobPodReplacementPolicy]).toEqual([false, true]);
    expect([v(30).hasJobSuccessPolicy, v(31).hasJobSuccessPolicy]).toEqual([false, true]);
    expect([v(29).hasOptionalPodFailureRuleConditions, v(30).hasOptionalPodFailureRuleConditions]).toEqual([false, true]);
    expect(v(27).hasJobPodFailurePolicy).toBe(true);
  });

  test('completion-index label: 1.27 has none (the entrypoint reads JOB_COMPLETION_INDEX), 1.28 has it', () => {
    const env27 = envOf(jobAt('1.27').spec.template.spec);
    expect(env27.NODE_RANK).toBeUndefined();
    expect(env27.PET_NODE_RANK).toBeUndefined();
    expect(envOf(jobAt('1.28').spec.template.spec).NODE_RANK)
      .toEqual({ fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } });
  });

  test('retries: 1.28 counts them over the Job (backoffLimit = retries × nodes), 1.29 per index with replacement after termination', () => {
    const old = jobAt('1.28', { mode: TrainingMode.job({ retriesPerRank: 2 }) });
    expect(old.spec.backoffLimit).toBe(8);
    for (const field of ['backoffLimitPerIndex', 'maxFailedIndexes', 'podReplacementPolicy']) expect(old.spec[field]).toBeUndefined();
    const perIndex = jobAt('1.29', { mode: TrainingMode.job({ retriesPerRank: 2 }) });
    expect(perIndex.spec).toMatchObject({ backoffLimitPerIndex: 2, maxFailedIndexes: 0, podReplacementPolicy: 'Failed' });
    expect(perIndex.spec.backoffLimit).toBeUndefined();
  });

  test('successPolicy: none on 1.30 (every rank must succeed), rank 0 on 1.31', () => {
    expect(jobAt('1.30').spec.successPolicy).toBeUndefined();
    expect(jobAt('1.31').spec.successPolicy).toEqual({ rules: [{ succeededIndexes: '0' }] });
  });

  test('exit-code rules list an empty onPodConditions through 1.29, not from 1.30', () => {
    expect(jobAt('1.29').spec.podFailurePolicy.rules[1]).toEqual({
      action: 'FailJob', onPodConditions: [], onExitCodes: { containerName: 'trainer', operator: 'In', values: DEFAULT_FATAL_EXIT_CODES },
    });
    expect(jobAt('1.30').spec.podFailurePolicy.rules[1].onPodConditions).toBeUndefined();
  });

  test.each(PROFILES.flatMap(([name, make]) => ALL_MINORS.map((minor) => [name, minor, make] as const)))(
    '%s %s renders a trainer Job that passes the gates', (_name, minor, make) => {
      const profile = make(minor);
      const { chart, pack } = trainingChart(profile);
      trainer(chart, pack);
      const objects = synth(chart);
      expectGatesPass(objects, profile);
      expect(find(objects, 'Job', 'pytorch').spec.completionMode).toBe('Indexed');
    });
});

describe('run options', () => {
  test('deadline, TTL, retries and custom fatal exit codes (sorted, as the API server wants them)', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { mode: TrainingMode.job({ activeDeadlineSeconds: 86400, ttlSecondsAfterFinished: 3600, retriesPerRank: 0, fatalExitCodes: [78, 3, 42] }) });
    const objects = synth(chart);
    const job = find(objects, 'Job', 'pytorch');
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 86400, ttlSecondsAfterFinished: 3600, backoffLimitPerIndex: 0 });
    expect(job.spec.podFailurePolicy.rules[1].onExitCodes.values).toEqual([3, 42, 78]);
    expect(envOf(job.spec.template.spec).TRAINER_FATAL_EXIT_CODES).toBe('3 42 78');
    expectGatesPass(objects, gkeWithShared());
  });

  test('no fatal exit codes: every failure is retried, disruptions still ignored', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { mode: TrainingMode.job({ fatalExitCodes: [] }) });
    const job = find(synth(chart), 'Job', 'pytorch');
    expect(job.spec.podFailurePolicy.rules).toEqual([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }]);
    expect(envOf(job.spec.template.spec).TRAINER_FATAL_EXIT_CODES).toBeUndefined();
  });

  test('a ReadWriteOnce checkpoint tier keeps every CPU rank on the node that mounts it', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { gpusPerNode: 0, checkpoints: { tier: pack.fast, size: '100Gi' } });
    const pod = find(synth(chart), 'Job', 'pytorch').spec.template.spec;
    expect(pod.affinity.podAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [{
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'trainer', 'app.kubernetes.io/instance': 'pytorch' } },
        topologyKey: 'kubernetes.io/hostname',
      }],
    });
    expect(pod.affinity.podAntiAffinity).toBeUndefined();
  });
});

describe('DeepSpeed in a Job', () => {
  test('every rank must succeed (no rendezvous exit barrier), and 0 GPUs selects the CPU accelerator', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { gpusPerNode: 0, checkpoints: { tier: pack.shared, size: '1Ti' }, launcher: Launcher.deepspeed({ script: 'train.py' }) });
    const job = find(synth(chart), 'Job', 'pytorch');
    expect(job.spec.successPolicy).toBeUndefined();
    const env = envOf(job.spec.template.spec);
    expect(env.DS_ACCELERATOR).toBe('cpu');
    expect(job.spec.template.spec.containers[0].args).toEqual([
      'deepspeed', '--hostfile=/etc/trainer/hostfile', '--no_ssh', '--master_addr=pytorch-0.pytorch-headless.ml-training.svc.cluster.local',
      '--master_port=29400', '--num_nodes=4', '--num_gpus=1', 'train.py',
    ]);
  });

  test('with GPUs DeepSpeed picks CUDA itself: no accelerator override', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { launcher: Launcher.deepspeed({ script: 'train.py' }) });
    expect(envOf(find(synth(chart), 'Job', 'pytorch').spec.template.spec).DS_ACCELERATOR).toBeUndefined();
  });
});

describe('GPU pods without explicit resources get resources proportional to their GPUs', () => {
  const resourcesOf = (props: Partial<DistributedTrainerProps>) => {
    const { chart, pack } = trainingChart(gkeWithShared());
    const t = trainer(chart, pack, props);
    const pod = find(synth(chart), 'Job', 'pytorch').spec.template.spec;
    return { t, resources: pod.containers[0].resources, shm: pod.volumes.find((v: any) => v.name === 'dshm').emptyDir.sizeLimit };
  };

  test('8 GPUs: 64 CPUs, 512Gi and a 256Gi /dev/shm', () => {
    const { t, resources, shm } = resourcesOf({ gpusPerNode: 8 });
    expect(GPU_POD_RESOURCES_PER_GPU).toEqual({ cpu: 8, memoryGi: 64 });
    expect(resources).toEqual({
      requests: { 'cpu': '64', 'memory': '512Gi', 'nvidia.com/gpu': 8 },
      limits: { 'memory': '512Gi', 'nvidia.com/gpu': 8 },
    });
    expect(shm).toBe('256Gi');
    expect(t.podResources).toEqual({ cpu: '64', memory: '512Gi', memoryLimit: '512Gi', sharedMemory: '256Gi' });
  });

  test('what is given is kept; the rest follows the GPUs', () => {
    const { resources, shm } = resourcesOf({ gpusPerNode: 2, resources: { cpu: '12' }, sharedMemory: '32Gi' });
    expect(resources.requests).toEqual({ 'cpu': '12', 'memory': '128Gi', 'nvidia.com/gpu': 2 });
    expect(shm).toBe('32Gi');
  });

  test('CPU-only pods keep the profile default sizing', () => {
    const { resources, shm } = resourcesOf({ gpusPerNode: 0 });
    expect(resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(shm).toBe('512Mi');
  });
});

describe('TrainingMode.jobSet()', () => {
  const profile = gkeWithShared();
  const { chart, pack } = trainingChart(profile);
  const t = trainer(chart, pack, { mode: TrainingMode.jobSet({ maxGroupRestarts: 5, ttlSecondsAfterFinished: 600, activeDeadlineSeconds: 7200 }) });
  const objects = synth(chart);
  const jobSet = find(objects, 'JobSet', 'pytorch');

  test('a JobSet of one Indexed Job of the workers, strictly valid against the vendored CRD schema', () => {
    expect(jobSet.apiVersion).toBe('jobset.x-k8s.io/v1alpha2');
    expect(all(objects, 'Job')).toEqual([]);
    expectGatesPass(objects, profile);
    expect(jobSet.spec.replicatedJobs.map((r: any) => [r.name, r.replicas])).toEqual([['workers', 1]]);
    const job = jobSet.spec.replicatedJobs[0].template.spec;
    expect(job).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, activeDeadlineSeconds: 7200 });
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.ttlSecondsAfterFinished).toBeUndefined();
    expect(jobSet.spec.ttlSecondsAfterFinished).toBe(600);
  });

  test('any failure restarts the whole group; a fatal exit code fails it at once', () => {
    const job = jobSet.spec.replicatedJobs[0].template.spec;
    // A failed pod fails its Job at once (no per-Job retries) ...
    expect(job.backoffLimit).toBe(0);
    expect(job.backoffLimitPerIndex).toBeUndefined();
    // ... unless it was disrupted; a fatal code fails the Job with reason PodFailurePolicy ...
    expect(job.podFailurePolicy.rules.map((r: any) => r.action)).toEqual(['Ignore', 'FailJob']);
    // ... which fails the JobSet; any other Job failure recreates every rank, at most 5 times.
    expect(jobSet.spec.failurePolicy).toEqual({
      maxRestarts: 5,
      rules: [{ name: 'fatal-exit-code', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'] }],
    });
  });

  test('the gates and the capacity report see the pod template inside the JobSet', () => {
    const broken = JSON.parse(JSON.stringify(objects));
    const js = broken.find((o: any) => o.kind === 'JobSet');
    js.spec.replicatedJobs[0].template.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const report = runGates(broken, { kubeVersion: profile.kubeVersion.toString() });
    expect(report.ok).toBe(false);
    expect(report.errors.map((e) => `${e.object} ${e.path}`)).toContain(
      'JobSet ml-training/pytorch spec.replicatedJobs[0].template.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation');
    const capacity = CapacityReport.of(objects as any);
    expect(capacity.workloads.find((w) => w.name === 'pytorch')).toMatchObject({
      kind: 'JobSet', replicas: 4, transient: true, pod: { milliCpu: 64000, extended: { 'nvidia.com/gpu': 8 } }, sharedMemoryBytes: 256 * 2 ** 30,
    });
  });

  test('the JobSet controller creates the headless Service; pods are <jobset>-workers-0-<i>', () => {
    expect(jobSet.spec.network).toEqual({ enableDNSHostnames: true, subdomain: 'pytorch-headless', publishNotReadyAddresses: true });
    expect(all(objects, 'Service')).toEqual([]);
    expect(t.masterAddr).toBe('pytorch-workers-0-0.pytorch-headless.ml-training.svc.cluster.local');
    expect(envOf(jobSet.spec.replicatedJobs[0].template.spec.template.spec).PET_RDZV_ENDPOINT)
      .toBe('pytorch-workers-0-0.pytorch-headless.ml-training.svc.cluster.local:29400');
  });
});

describe('bad input for a Job', () => {
  test('StatefulSet-only props are refused with the fix', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { elastic: { minNodes: 2, maxNodes: 4 }, updateStrategy: UpdateStrategy.onDelete(), claimRetention: { whenScaled: 'Delete' } });
    expect(() => synth(chart)).toThrow([
      '[test/pytorch] elastic mode needs a StatefulSet to scale: a Job has a fixed number of ranks; drop elastic, or use TrainingMode.statefulSet() for a long-running workload.',
      "[test/pytorch] updateStrategy applies to a StatefulSet: a Job's pod template is immutable (a new run is a new Job); drop updateStrategy, or use TrainingMode.statefulSet() for a long-running workload.",
      "[test/pytorch] claimRetention applies to a StatefulSet's claim templates: the Job's checkpoint claim is not owned by it and is always kept; drop claimRetention, or use TrainingMode.statefulSet() for a long-running workload.",
    ].join('\n'));
  });

  test('multi-node GPU ranks on a ReadWriteOnce checkpoint tier', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { checkpoints: { tier: pack.fast, size: '100Gi' } });
    expect(() => synth(chart)).toThrow("[test/pytorch] checkpoint tier 'fast' is ReadWriteOnce: one node mounts it, so 4 GPU ranks would all have to fit on one node; " +
      'put checkpoints on the ReadWriteMany tier (pack.shared), where each rank writes its own directory, or use TrainingMode.statefulSet() (one claim per pod).');
  });

  test('a name too long for the pod hostnames, or not a DNS label', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    const long = 'a'.repeat(62);
    expect(() => trainer(chart, pack, { name: long })).toThrow(`DistributedTrainer 'test/pytorch': invalid name '${long}': use a DNS-1123 label short enough ` +
      `for the pod hostname '${long}-3' (64 characters) to stay within 63.`);
    const other = trainingChart(gkeWithShared());
    expect(() => trainer(other.chart, other.pack, { name: 'Resnet_50' })).toThrow("invalid name 'Resnet_50'");
  });

  test('bad run options', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { mode: TrainingMode.job({ retriesPerRank: -1, activeDeadlineSeconds: 0, fatalExitCodes: [0, 256, 3, 3] }) });
    expect(() => synth(chart)).toThrow([
      '[test/pytorch] retriesPerRank must be a whole number ≥ 0, got -1.',
      '[test/pytorch] activeDeadlineSeconds must be a whole number ≥ 1, got 0.',
      '[test/pytorch] fatalExitCodes 0, 256 must be exit codes between 1 and 255 (0 is success).',
      '[test/pytorch] fatalExitCodes lists a code twice (0, 256, 3, 3): list each once.',
    ].join('\n'));
  });
});
