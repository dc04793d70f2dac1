import { Chart } from 'cdk8s';
import { ClusterConfig,
  DistributedTrainer, DistributedTrainerProps, ITrackingServer, IPeerable, Launcher, PeerLike, Profile, SharedDataset,
  StorageClassPack, TrainingMode, UpdateStrategy,
} from '../../lib';
import { gkeWithShared, trainingChart } from '../support/clusters';
import { Manifest, all, find, selects, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';

const IMAGE = 'pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime';

function trainer(chart: Chart, pack: StorageClassPack, props: Partial<DistributedTrainerProps> = {}): DistributedTrainer {
  return new DistributedTrainer(chart, 'pytorch', {
    namespace: 'ml-training',
    image: IMAGE,
    nodes: 4,
    launcher: Launcher.torchrun({ script: 'train.py', args: ['--epochs', '90'] }),
    checkpoints: { tier: pack.fast, size: '100Gi' },
    // This file covers the long-running StatefulSet mode; trainer-job.test.ts covers the default Job.
    mode: TrainingMode.statefulSet(),
    ...props,
  });
}

function podSpec(objects: Manifest[], name = 'pytorch'): any {
  return find(objects, 'StatefulSet', name).spec.template.spec;
}

function envOf(objects: Manifest[], name = 'pytorch'): Record<string, any> {
  const env = podSpec(objects, name).containers[0].env as Array<{ name: string; value?: string; valueFrom?: unknown }>;
  const names = env.map((e) => e.name);
  expect(new Set(names).size).toBe(names.length);
  return Object.fromEntries(env.map((e) => [e.name, e.value ?? e.valueFrom]));
}

const POD_INDEX = { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } };

describe('DistributedTrainer wiring (TrainingMode.statefulSet())', () => {
  test('MASTER_ADDR is pod 0 of the governing headless Service, which publishes unready pods', () => {
    const profile = gkeWithShared();
    const { chart, pack } = trainingChart(profile);
    const t = trainer(chart, pack, { gpusPerNode: 8 });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'pytorch');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.replicas).toBe(4);

    // Resolve MASTER_ADDR the way cluster DNS does: <pod>.<service>.<namespace>.svc.<domain>.
    const env = envOf(objects);
    const [pod, service, namespace, svc, ...domain] = env.MASTER_ADDR.split('.');
    expect(pod).toBe(`${sts.metadata.name}-0`);
    expect(service).toBe(sts.spec.serviceName);
    expect(namespace).toBe(sts.metadata.namespace);
    expect([svc, ...domain].join('.')).toBe('svc.cluster.local');
    const headless = find(objects, 'Service', service);
    expect(headless.metadata.namespace).toBe(namespace);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(selects(headless.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(headless.spec.ports).toEqual([{ name: 'rendezvous', port: 29400, protocol: 'TCP', targetPort: 'rendezvous' }]);
    expect(podSpec(objects).containers[0].ports).toEqual([{ name: 'rendezvous', containerPort: 29400, protocol: 'TCP' }]);

    expect(env).toMatchObject({
      MASTER_ADDR: 'pytorch-0.pytorch-headless.ml-training.svc.cluster.local',
      MASTER_PORT: '29400',
      WORLD_SIZE: '32',
      PET_NNODES: '4',
      PET_NPROC_PER_NODE: '8',
      PET_MASTER_ADDR: env.MASTER_ADDR,
      PET_MASTER_PORT: '29400',
      PET_RDZV_BACKEND: 'c10d',
      PET_RDZV_ENDPOINT: `${env.MASTER_ADDR}:29400`,
      PET_RDZV_ID: 'pytorch',
      PET_MAX_RESTARTS: '3',
      CHECKPOINT_DIR: '/checkpoints',
      PYTHONUNBUFFERED: '1',
    });
    expect(t.masterAddr).toBe(t.podHost(0));
    expect(t.rendezvousEndpoint).toBe(env.PET_RDZV_ENDPOINT);
    expect(t.worldSize).toBe(32);
    expect(podSpec(objects).containers[0].args).toEqual(['torchrun', '--no_python', 'sh', '/etc/trainer/worker.sh', 'python3', '-u', 'train.py', '--epochs', '90']);
    expectGatesPass(objects, profile);
  });

  test('WORLD_SIZE is nodes × procs per node; procs default to the GPUs, or 1 on CPUs', () => {
    const cases: Array<[Partial<DistributedTrainerProps>, string, string]> = [
      [{ nodes: 3, gpusPerNode: 8 }, '24', '8'],
      [{ nodes: 3, gpusPerNode: 8, procsPerNode: 2 }, '6', '2'],
      [{ nodes: 5 }, '5', '1'],
      [{ nodes: 2, procsPerNode: 4 }, '8', '4'],
    ];
    for (const [props, world, procs] of cases) {
      const { chart, pack } = trainingChart(Profile.aks());
      trainer(chart, pack, props);
      expect(envOf(synth(chart))).toMatchObject({ WORLD_SIZE: world, PET_NPROC_PER_NODE: procs });
    }
  });

  test('custom port, rendezvous id, max restarts and cluster domain flow into every address', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { port: 23456, rendezvousId: 'resnet-run-7', maxRestarts: 10, clusterDomain: 'corp.local' });
    const env = envOf(synth(chart));
    expect(env).toMatchObject({
      MASTER_ADDR: 'pytorch-0.pytorch-headless.ml-training.svc.corp.local',
      MASTER_PORT: '23456',
      PET_RDZV_ENDPOINT: 'pytorch-0.pytorch-headless.ml-training.svc.corp.local:23456',
      PET_RDZV_ID: 'resnet-run-7',
      PET_MAX_RESTARTS: '10',
    });
  });

  test('restricted pod as uid 1000 with HOME and caches on writable emptyDirs', () => {
    const { chart, pack } = trainingChart(Profile.kind());
    trainer(chart, pack);
    const objects = synth(chart);
    const spec = podSpec(objects);
    const container = spec.containers[0];
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(envOf(objects)).toMatchObject({
      HOME: '/home/trainer', XDG_CACHE_HOME: '/home/trainer/.cache', TORCH_HOME: '/home/trainer/.cache/torch',
      PYTHONDONTWRITEBYTECODE: '1',
    });
    const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    const volumes = Object.fromEntries(spec.volumes.map((v: any) => [v.name, v]));
    for (const path of ['/home/trainer', '/tmp']) expect(volumes[mounts[path]].emptyDir).toEqual({});
    expect(container.readinessProbe.exec.command).toEqual(['test', '-f', '/tmp/trainer-launched']);
    expect(envOf(objects).TRAINER_READY_FILE).toBe('/tmp/trainer-launched');
    expect(spec.terminationGracePeriodSeconds).toBe(120);
  });

  test('PodDisruptionBudget lets one worker go at a time (fixed-size and elastic)', () => {
    for (const elastic of [undefined, { minNodes: 2, maxNodes: 6 }]) {
      const { chart, pack } = trainingChart(Profile.eks());
      trainer(chart, pack, { elastic });
      const objects = synth(chart);
      const pdb = find(objects, 'PodDisruptionBudget', 'pytorch');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
      expect(selects(pdb.spec.selector.matchLabels, find(objects, 'StatefulSet', 'pytorch').spec.template.metadata.labels)).toBe(true);
    }
  });

  test('claimRetention and updateStrategy pass through', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { claimRetention: { whenScaled: 'Delete' }, updateStrategy: UpdateStrategy.onDelete() });
    const sts = find(synth(chart), 'StatefulSet', 'pytorch');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
    expect(sts.spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  test('output is byte-identical across runs', () => {
    const render = () => {
      const { chart, pack } = trainingChart(gkeWithShared());
      trainer(chart, pack, { gpusPerNode: 8, launcher: Launcher.deepspeed({ script: 'train.py' }) });
      return JSON.stringify(synth(chart));
    };
    expect(render()).toBe(render());
  });
});

describe('node rank', () => {
  test.each(['1.28', '1.32', '1.34'])('Kubernetes %s: NODE_RANK from the pod-index label, PET_NODE_RANK from NODE_RANK', (kubeVersion) => {
    const { chart, pack } = trainingChart(Profile.gke({ kubeVersion }));
    trainer(chart, pack);
    const env = podSpec(synth(chart)).containers[0].env;
    const rank = env.findIndex((e: any) => e.name === 'NODE_RANK');
    const petRank = env.findIndex((e: any) => e.name === 'PET_NODE_RANK');
    expect(env[rank].valueFrom).toEqual(POD_INDEX);
    // $(NODE_RANK) is expanded by the kubelet only from variables defined earlier in the list.
    expect(env[petRank].value).toBe('$(NODE_RANK)');
    expect(rank).toBeLessThan(petRank);
  });

  test('Kubernetes 1.27: no pod-index label, so the entrypoint derives the rank from the hostname', () => {
    const profile = Profile.gke({ kubeVersion: '1.27' });
    const { chart, pack } = trainingChart(profile);
    trainer(chart, pack);
    const objects = synth(chart);
    const env = envOf(objects);
    expect(env.NODE_RANK).toBeUndefined();
    expect(env.PET_NODE_RANK).toBeUndefined();
    expect(env.TRAINER_MAX_NODES).toBe('4');
    expect(podSpec(objects).containers[0].env.filter((e: any) => e.valueFrom)).toEqual([]);
    expect(podSpec(objects).containers[0].command).toEqual(['sh', '/etc/trainer/entrypoint.sh']);
    expectGatesPass(objects, profile);
  });
});

describe('GPU scheduling per cloud', () => {
  // The GPU request and the cloud's standard GPU taints place the pods; no label requirement unless the cluster declares one.
  const cases: Array<[string, () => Profile, object[]]> = [
    ['gke', () => Profile.gke(), [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]],
    ['eks', () => Profile.eks(), [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]],
    ['aks', () => Profile.aks(), [{ key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]],
  ];

  test.each(cases)('%s: nvidia.com/gpu requested, tolerations for the GPU taints, no node label requirement', (_cloud, make, tolerations) => {
    const profile = make();
    const { chart, pack } = trainingChart(profile);
    trainer(chart, pack, { gpusPerNode: 8, resources: { cpu: '32', memory: '128Gi' } });
    const objects = synth(chart);
    const spec = podSpec(objects);
    expect(spec.containers[0].resources).toEqual({
      requests: { 'cpu': '32', 'memory': '128Gi', 'nvidia.com/gpu': 8 },
      limits: { 'memory': '128Gi', 'nvidia.com/gpu': 8 },
    });
    expect(spec.affinity.nodeAffinity).toBeUndefined();
    expect(spec.tolerations).toEqual(tolerations);
    // NCCL needs a real /dev/shm: memory-backed, half the memory limit by default.
    expect(spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '64Gi' } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    expectGatesPass(objects, profile);
  });

  test('labels the cluster config declares for its GPU pools become the node affinity; accelerators narrow a declared label key', () => {
    const profile = Profile.eks({ cluster: ClusterConfig.of({ name: 'ml-eks', gpuPools: [{ name: 'p5', nodeLabels: { 'eks.amazonaws.com/nodegroup': 'gpu-p5' } }] }) });
    const { chart, pack } = trainingChart(profile);
    trainer(chart, pack, { gpusPerNode: 8 });
    expect(podSpec(synth(chart)).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: 'eks.amazonaws.com/nodegroup', operator: 'In', values: ['gpu-p5'] }] }]);
    const gke = trainingChart(Profile.gke({ gpu: { ...Profile.gke().gpu!, nodeLabelKey: 'cloud.google.com/gke-accelerator' } }));
    trainer(gke.chart, gke.pack, { gpusPerNode: 8, accelerators: ['nvidia-h100-80gb'] });
    expect(podSpec(synth(gke.chart)).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: 'cloud.google.com/gke-accelerator', operator: 'In', values: ['nvidia-h100-80gb'] }] }]);
  });

  test('CPU-only (kind): no GPU resource, node affinity or tolerations; workers kept in one zone, one per node', () => {
    const profile = Profile.kind();
    const { chart, pack } = trainingChart(profile);
    trainer(chart, pack);
    const objects = synth(chart);
    const spec = podSpec(objects);
    expect(Object.keys(spec.containers[0].resources.requests)).toEqual(['cpu', 'memory']);
    expect(spec.affinity.nodeAffinity).toBeUndefined();
    expect(spec.tolerations).toBeUndefined();
    const self = { matchLabels: { 'app.kubernetes.io/name': 'trainer', 'app.kubernetes.io/instance': 'pytorch' } };
    expect(spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution)
      .toEqual([{ weight: 100, podAffinityTerm: { labelSelector: self, topologyKey: 'topology.kubernetes.io/zone' } }]);
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution)
      .toEqual([{ weight: 100, podAffinityTerm: { labelSelector: self, topologyKey: 'kubernetes.io/hostname' } }]);
    expect(selects(self.matchLabels, find(objects, 'StatefulSet', 'pytorch').spec.template.metadata.labels)).toBe(true);
    expect(spec.topologySpreadConstraints).toBeUndefined();
    expectGatesPass(objects, profile);
  });

  test('explicit sharedMemory and scratch sizes', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { resources: { memory: '64Gi' }, sharedMemory: '16Gi', scratch: { size: '200Gi', mountPath: '/local' } });
    const objects = synth(chart);
    const spec = podSpec(objects);
    expect(spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } });
    expect(spec.volumes).toContainEqual({ name: 'scratch', emptyDir: { sizeLimit: '200Gi' } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'scratch', mountPath: '/local' });
    expect(envOf(objects).SCRATCH_DIR).toBe('/local');
  });
});

describe('storage', () => {
  test('per-pod checkpoint claims on the chosen tier, kept on scale-down and delete', () => {
    const { chart, pack } = trainingChart(Profile.eks());
    const t = trainer(chart, pack, { checkpoints: { tier: pack.fast, size: '100Gi', mountPath: '/ckpt' } });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'pytorch');
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: 'checkpoints', labels: { 'app.kubernetes.io/name': 'trainer', 'app.kubernetes.io/instance': 'pytorch' } },
      // EKS 1.35: gp3's iops/throughput are in the fast tier's VolumeAttributesClass too.
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1', resources: { requests: { storage: '100Gi' } }, volumeAttributesClassName: pack.fast.volumeAttributesClassName },
    }]);
    expect(pack.fast.volumeAttributesClassName).toMatch(/^ml-fast-[0-9a-f]{8}$/);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/ckpt' });
    expect(envOf(objects).CHECKPOINT_DIR).toBe('/ckpt');
    expect(t.checkpointClaimName(3)).toBe('checkpoints-pytorch-3');
    expect(find(objects, 'StorageClass', 'ml-fast-v1')).toBeDefined();
  });

  test('shared datasets: one ReadWriteMany claim on the shared tier, mounted read-only by every worker', () => {
    const profile = gkeWithShared();
    const { chart, pack } = trainingChart(profile);
    const imagenet = new SharedDataset(chart, 'imagenet', { namespace: 'ml-training', tier: pack.shared, size: '1Ti' });
    const labels = new SharedDataset(chart, 'labels', { namespace: 'ml-training', tier: pack.shared, size: '1Ti', name: 'imagenet-labels' });
    trainer(chart, pack, { datasets: [imagenet.mount('/data'), labels.mount('/labels')] });
    const objects = synth(chart);
    const claim = find(objects, 'PersistentVolumeClaim', 'imagenet');
    expect(claim.metadata.namespace).toBe('ml-training');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'ml-shared-v1', resources: { requests: { storage: '1Ti' } } });
    expect(find(objects, 'StorageClass', 'ml-shared-v1').provisioner).toBe('filestore.csi.storage.gke.io');
    expect(all(objects, 'PersistentVolumeClaim').map((c) => c.metadata.name)).toEqual(['imagenet', 'imagenet-labels']);

    const spec = podSpec(objects);
    for (const [claimName, mountPath] of [['imagenet', '/data'], ['imagenet-labels', '/labels']]) {
      const volume = spec.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === claimName);
      expect(volume.persistentVolumeClaim.readOnly).toBe(true);
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath, readOnly: true });
    }
    expectGatesPass(objects, profile);
  });

  test('a dataset can be mounted read-write (for the job that fills it)', () => {
    const { chart, pack } = trainingChart(Profile.aks());
    const data = new SharedDataset(chart, 'corpus', { namespace: 'ml-training', tier: pack.shared, size: '1Ti' });
    trainer(chart, pack, { datasets: [data.mount('/data', { readOnly: false })] });
    const spec = podSpec(synth(chart));
    expect(spec.volumes).toContainEqual({ name: 'dataset-corpus', persistentVolumeClaim: { claimName: 'corpus', readOnly: false } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'dataset-corpus', mountPath: '/data', readOnly: false });
  });

  test('files ship in a code ConfigMap mounted as the working directory; changing them rolls the pods', () => {
    const hashOf = (script: string) => {
      const { chart, pack } = trainingChart(Profile.kind());
      trainer(chart, pack, { files: { 'train.py': script } });
      const objects = synth(chart);
      const spec = podSpec(objects);
      expect(find(objects, 'ConfigMap', 'pytorch-code').data).toEqual({ 'train.py': script });
      expect(spec.containers[0].workingDir).toBe('/opt/trainer');
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'code', mountPath: '/opt/trainer', readOnly: true });
      expect(spec.volumes).toContainEqual({ name: 'code', configMap: { name: 'pytorch-code' } });
      return find(objects, 'StatefulSet', 'pytorch').spec.template.metadata.annotations['ml.cdk8s.io/launch-config-hash'];
    };
    expect(hashOf('print(1)\n')).toMatch(/^[0-9a-f]{16}$/);
    expect(hashOf('print(1)\n')).toBe(hashOf('print(1)\n'));
    expect(hashOf('print(1)\n')).not.toBe(hashOf('print(2)\n'));
  });
});

describe('DeepSpeed launcher', () => {
  test('every pod runs the runner with --no_ssh and its own rank; the hostfile lists the headless DNS names', () => {
    const profile = Profile.aks();
    const { chart, pack } = trainingChart(profile);
    const t = trainer(chart, pack, {
      gpusPerNode: 8, launcher: Launcher.deepspeed({ script: 'train.py', args: ['--deepspeed_config', 'ds.json'] }),
    });
    const objects = synth(chart);
    const hostfile = find(objects, 'ConfigMap', 'pytorch-launch').data.hostfile;
    expect(hostfile).toBe([0, 1, 2, 3].map((i) => `${t.podHost(i)} slots=8\n`).join(''));
    expect(hostfile.split('\n')[0]).toBe('pytorch-0.pytorch-headless.ml-training.svc.cluster.local slots=8');
    const container = podSpec(objects).containers[0];
    expect(container.args).toEqual([
      'deepspeed', '--hostfile=/etc/trainer/hostfile', '--no_ssh',
      '--master_addr=pytorch-0.pytorch-headless.ml-training.svc.cluster.local', '--master_port=29400',
      '--num_nodes=4', '--num_gpus=8', 'train.py', '--deepspeed_config', 'ds.json',
    ]);
    expect(envOf(objects).NODE_RANK_FLAG).toBe('--node_rank');
    expectGatesPass(objects, profile);
  });

  test('the ds alias and procs per node as hostfile slots', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { nodes: 2, gpusPerNode: 8, procsPerNode: 4, launcher: Launcher.deepspeed({ script: 'train.py', executable: 'ds' }) });
    const objects = synth(chart);
    expect(podSpec(objects).containers[0].args[0]).toBe('ds');
    expect(find(objects, 'ConfigMap', 'pytorch-launch').data.hostfile.trim().split('\n').map((l: string) => l.split(' ')[1])).toEqual(['slots=4', 'slots=4']);
  });

  test('torchrun has no hostfile and no rank flag', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { launcher: Launcher.torchrun({ script: 'trainer.main', module: true }) });
    const objects = synth(chart);
    expect(find(objects, 'ConfigMap', 'pytorch-launch').data.hostfile).toBeUndefined();
    expect(envOf(objects).NODE_RANK_FLAG).toBeUndefined();
    expect(podSpec(objects).containers[0].args).toEqual(['torchrun', '--no_python', 'sh', '/etc/trainer/worker.sh', 'python3', '-u', '-m', 'trainer.main']);
  });
});

describe('elastic mode', () => {
  test('PET_NNODES is min:max, c10d rendezvous on pod 0, the entrypoint accepts pods up to max', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { nodes: 4, elastic: { minNodes: 2, maxNodes: 8 }, maxRestarts: 5 });
    const objects = synth(chart);
    expect(envOf(objects)).toMatchObject({
      PET_NNODES: '2:8', PET_RDZV_BACKEND: 'c10d', PET_MAX_RESTARTS: '5', TRAINER_MAX_NODES: '8', WORLD_SIZE: '4',
      PET_RDZV_ENDPOINT: 'pytorch-0.pytorch-headless.ml-training.svc.cluster.local:29400',
    });
    expect(find(objects, 'StatefulSet', 'pytorch').spec.replicas).toBe(4);
  });
});

describe('tracking', () => {
  test('sets MLFLOW_TRACKING_URI and admits the trainer pods to the tracking server', () => {
    const admitted: PeerLike[] = [];
    const tracking: ITrackingServer = {
      trackingUri: 'http://mlflow.ml-tracking.svc.cluster.local:5000',
      port: 5000,
      asPeer: () => ({ namespace: 'ml-tracking', podSelector: { 'app.kubernetes.io/name': 'mlflow' } }),
      allowFrom: (peer) => { admitted.push(peer); },
    };
    const { chart, pack } = trainingChart(gkeWithShared());
    const t = trainer(chart, pack, { tracking });
    const objects = synth(chart);
    expect(envOf(objects).MLFLOW_TRACKING_URI).toBe('http://mlflow.ml-tracking.svc.cluster.local:5000');
    expect(admitted).toEqual([t]);
    const peer = (admitted[0] as IPeerable).asPeer();
    expect(peer.namespace).toBe('ml-training');
    expect(selects({ ...peer.podSelector }, find(objects, 'StatefulSet', 'pytorch').spec.template.metadata.labels)).toBe(true);
  });
});

describe('bad input', () => {
  test('nodes < 1 throws at construction', () => {
    for (const nodes of [0, -1, 1.5]) {
      const { chart, pack } = trainingChart(gkeWithShared());
      expect(() => trainer(chart, pack, { nodes })).toThrow(`DistributedTrainer 'test/pytorch': nodes must be a whole number ≥ 1, got ${nodes}.`);
    }
  });

  test('procs per node not dividing the GPUs', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { gpusPerNode: 8, procsPerNode: 3 });
    expect(() => synth(chart)).toThrow('[test/pytorch] procsPerNode 3 does not divide gpusPerNode 8: every process drives the same number of GPUs; use one of 1, 2, 4, 8.');
  });

  test('elastic min > max', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { elastic: { minNodes: 6, maxNodes: 2 } });
    expect(() => synth(chart)).toThrow('[test/pytorch] elastic minNodes 6 is greater than maxNodes 2: use minNodes ≤ maxNodes.');
  });

  test('elastic range that excludes the starting size', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { nodes: 4, elastic: { minNodes: 1, maxNodes: 3 } });
    expect(() => synth(chart)).toThrow('[test/pytorch] nodes 4 is outside the elastic range 1..3: start with minNodes ≤ nodes ≤ maxNodes.');
  });

  test('elastic DeepSpeed', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { elastic: { minNodes: 2, maxNodes: 4 }, launcher: Launcher.deepspeed({ script: 'train.py' }) });
    expect(() => synth(chart)).toThrow('[test/pytorch] elastic mode needs Launcher.torchrun: the deepspeed launcher starts a fixed set of nodes from its hostfile.');
  });

  test('a ReadWriteMany dataset on a profile without a shared tier (kind, EKS without EFS)', () => {
    const kind = trainingChart(Profile.kind());
    expect(() => new SharedDataset(kind.chart, 'imagenet', { namespace: 'ml-training', tier: kind.pack.shared, size: '500Gi' }))
      .toThrow("Profile 'kind' has no 'shared' (ReadWriteMany) storage tier: kind has no ReadWriteMany driver: declare one with " +
        "Profile.kind({ storageTiers: { shared: { driver: CsiDriver.custom({ provisioner: …, accessMode: 'ReadWriteMany', … }), parameters: {} } } }), e.g. an NFS provisioner.");
    const eks = trainingChart(Profile.eks());
    expect(() => new SharedDataset(eks.chart, 'imagenet', { namespace: 'ml-training', tier: eks.pack.shared, size: '500Gi' }))
      .toThrow("Profile 'eks' has no 'shared' (ReadWriteMany) storage tier: EKS provides ReadWriteMany through EFS: pass Profile.eks({ efsFileSystemId: 'fs-…' }) with your file system's id.");
  });

  test('a dataset on a ReadWriteOnce tier', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    expect(() => new SharedDataset(chart, 'imagenet', { namespace: 'ml-training', tier: pack.fast, size: '500Gi' }))
      .toThrow("SharedDataset 'test/imagenet': tier 'fast' (ml-fast-v1) is ReadWriteOnce, but every worker mounts a shared dataset at once: use the ReadWriteMany tier, pack.shared.");
  });

  test('a dataset in another namespace, and clashing mount paths', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    const data = new SharedDataset(chart, 'imagenet', { namespace: 'ml-data', tier: pack.shared, size: '1Ti' });
    trainer(chart, pack, { datasets: [data.mount('/checkpoints')] });
    expect(() => synth(chart)).toThrow(
      "[test/pytorch] dataset 'imagenet' is in namespace 'ml-data', but the trainer runs in 'ml-training': a pod can only mount claims of its own namespace; create the SharedDataset there.\n" +
      '[test/pytorch] several volumes are mounted at /checkpoints: give each dataset, checkpoint and scratch volume its own path.');
  });

  test('scratch and the code ConfigMap clashing with dataset mounts', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    const data = new SharedDataset(chart, 'imagenet', { namespace: 'ml-training', tier: pack.shared, size: '1Ti' });
    trainer(chart, pack, {
      scratch: { size: '10Gi', mountPath: '/data' }, files: { 'train.py': 'pass' }, workingDir: '/work',
      datasets: [data.mount('/data'), data.mount('/work', { readOnly: false })],
    });
    expect(() => synth(chart)).toThrow(
      '[test/pytorch] several volumes are mounted at /work, /data: give each dataset, checkpoint and scratch volume its own path.');
  });

  test('GPUs on a profile with no GPU settings', () => {
    const { chart, pack } = trainingChart(Profile.kind());
    trainer(chart, pack, { gpusPerNode: 8 });
    expect(() => synth(chart)).toThrow("[test/pytorch] gpusPerNode 8 needs GPU nodes, but profile 'kind' has no GPU settings: " +
      'declare them with Profile.kind({ gpu: { resourceName, nodeLabelKey, tolerations } }), or set gpusPerNode to 0 to train on CPUs (gloo).');
  });

  test('/dev/shm larger than the memory limit', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    trainer(chart, pack, { resources: { memory: '8Gi' }, sharedMemory: '16Gi' });
    expect(() => synth(chart)).toThrow('[test/pytorch] sharedMemory 16Gi exceeds the memory limit 8Gi: /dev/shm lives in the container\'s memory, ' +
      'so it can never grow past the limit; raise resources.memoryLimit or lower sharedMemory.');
  });

  test('bad quantities and an empty script', () => {
    const { chart, pack } = trainingChart(gkeWithShared());
    expect(() => trainer(chart, pack, { sharedMemory: '16GB' }))
      .toThrow("Invalid sharedMemory of DistributedTrainer 'test/pytorch' '16GB': not a Kubernetes quantity (e.g. '20Gi', '512Mi', '500m'). Did you mean '16Gi'?");
    expect(() => Launcher.torchrun({ script: ' ' }))
      .toThrow("Launcher.torchrun: script is required: the Python file (or, with module: true, the module) to run, e.g. 'train.py'.");
  });
});
