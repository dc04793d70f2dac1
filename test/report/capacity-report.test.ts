import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { ApiObject } from 'cdk8s';
import { CapacityReport, ClusterNeeds, Profile } from '../../lib';
import { REPORT_FILES, formatBytes, formatStorage, podRequests } from '../../lib/gitops';
import { renderWith, synthesize } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { LAPTOP_SIZING, sizingFor } from '../../apps/sizing';
import { container, deployment, objectsOf, podSpec, statefulSet, storageClass } from './fixtures';

const GI = 2 ** 30;
const MI = 2 ** 20;
const ROOT = path.resolve(__dirname, '../..');

describe('CapacityReport on a hand-built chart', () => {
  const objects = objectsOf((chart) => {
    storageClass(chart, 'fast-v1', 'fast');
    storageClass(chart, 'standard-v1', 'standard');
    // 3 replicas × (10Gi fast + 512Mi standard); sidecar-free pod of 2 containers.
    statefulSet(chart, 'data', 'db', 3, podSpec([container('db', { cpu: '500m', memory: '1Gi' }), container('exporter', { cpu: '50m', memory: '64Mi' })]),
      [['data', '10Gi', 'fast-v1'], ['wal', '512Mi', 'standard-v1']]);
    // GPU trainer: 4 nodes, GPUs only as limits (requested at the limit), CPU as a plain number.
    // /dev/shm: a 32Gi memory-backed emptyDir (a disk-backed one elsewhere is not shared memory).
    statefulSet(chart, 'train', 'trainer', 4, podSpec([container('trainer', { cpu: 8, memory: '64Gi' }, { 'nvidia.com/gpu': 2, 'memory': '64Gi' },
      { volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'scratch', mountPath: '/scratch' }] })],
    { volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '32Gi' } }, { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }] }),
    [['checkpoints', '100Gi', 'fast-v1']]);
    // HPA-scaled Deployment: full scale is maxReplicas, not spec.replicas.
    deployment(chart, 'web', 'api', 2, podSpec([container('api', { cpu: '250m', memory: '256Mi' })]));
    new ApiObject(chart, 'hpa', {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'api', namespace: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 10 },
    });
    // A standalone claim with no StorageClass (cluster default), decimal units.
    new ApiObject(chart, 'pvc', {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'shared', namespace: 'train' },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Ti' } } },
    });
    // Transient: a Job with parallelism 3 and a CronJob; neither counts towards full scale.
    new ApiObject(chart, 'job', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'data' },
      spec: { parallelism: 3, template: { spec: podSpec([container('m', { cpu: '100m', memory: '128Mi' })], { restartPolicy: 'Never' }) } },
    });
    new ApiObject(chart, 'cron', {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'data' },
      spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: podSpec([container('b', { cpu: '200m', memory: '256Mi' })]) } } } },
    });
  });
  const report = CapacityReport.of(objects, { title: 'hand-built' });

  test('objects by kind', () => {
    expect(report.objectsByKind).toEqual({
      CronJob: 1, Deployment: 1, HorizontalPodAutoscaler: 1, Job: 1, PersistentVolumeClaim: 1, StatefulSet: 2, StorageClass: 2,
    });
    expect(report.objectCount).toBe(9);
  });

  test('storage: claim templates × replicas per StorageClass tier, plus standalone claims', () => {
    expect(report.storageByClass).toEqual([
      { namespace: '', storageClass: '(cluster default)', tier: undefined, claims: 1, bytes: 1024 * GI },
      { namespace: '', storageClass: 'fast-v1', tier: 'fast', claims: 3 + 4, bytes: 3 * 10 * GI + 4 * 100 * GI },
      { namespace: '', storageClass: 'standard-v1', tier: 'standard', claims: 3, bytes: 3 * 512 * MI },
    ]);
    expect(report.storage.map((s) => `${s.namespace} ${s.storageClass} ${s.claims} ${formatStorage(s.bytes)}`)).toEqual([
      'data fast-v1 3 30Gi', 'data standard-v1 3 1.5Gi', 'train (cluster default) 1 1Ti', 'train fast-v1 4 400Gi',
    ]);
    expect(report.storageTotal).toEqual({ claims: 11, bytes: 1024 * GI + 430 * GI + 1.5 * GI });
  });

  test('compute at full scale: replicas × pod requests, HPA max for autoscaled targets, GPUs from limits', () => {
    const byName = Object.fromEntries(report.workloads.map((w) => [w.name, w]));
    expect(byName.db.pod).toEqual({ milliCpu: 550, memoryBytes: GI + 64 * MI, extended: {} });
    expect(byName.db.total).toEqual({ milliCpu: 1650, memoryBytes: 3 * GI + 192 * MI, extended: {} });
    expect(byName.trainer.total).toEqual({ milliCpu: 32000, memoryBytes: 256 * GI, extended: { 'nvidia.com/gpu': 8 } });
    expect(byName.api).toMatchObject({ replicas: 10, declaredReplicas: 2, autoscaler: { name: 'api', minReplicas: 2, maxReplicas: 10 } });
    expect(byName.api.total).toEqual({ milliCpu: 2500, memoryBytes: 2560 * MI, extended: {} });
    expect(report.compute.map((c) => [c.namespace, c.pods, c.requests.milliCpu])).toEqual([['data', 3, 1650], ['train', 4, 32000], ['web', 10, 2500]]);
    expect(report.total).toEqual({
      namespace: 'total', pods: 17, workloads: 3,
      requests: { milliCpu: 36150, memoryBytes: 3 * GI + 192 * MI + 256 * GI + 2560 * MI, extended: { 'nvidia.com/gpu': 8 } },
    });
    expect(report.extendedResources).toEqual(['nvidia.com/gpu']);
  });

  test('Jobs and CronJobs are transient, counted apart at their parallelism', () => {
    expect(report.transient).toEqual([{ namespace: 'data', pods: 4, workloads: 2, requests: { milliCpu: 500, memoryBytes: 640 * MI, extended: {} } }]);
    expect(report.workloads.find((w) => w.name === 'migrate')).toMatchObject({ transient: true, replicas: 3 });
  });

  test('Markdown: tables with exact rows, deterministic', () => {
    const md = report.toMarkdown();
    expect(md.startsWith('# Capacity: hand-built\n')).toBe(true);
    expect(md).toContain('## Storage requested: 1.42Ti in 11 claim(s)');
    expect(md).toContain('| fast-v1 | fast | 7 | 430Gi |');
    expect(md).toContain('| (cluster default) | — | 1 | 1Ti |');
    expect(md).toContain('| Namespace | Workloads | Pods | CPU | Memory | nvidia.com/gpu |');
    expect(md).toContain('| train | 1 | 4 | 32 | 256Gi | 8 |');
    expect(md).toContain('| **Total** | **3** | **17** | **36.15** | **261.69Gi** | **8** |');
    expect(md).toContain('| Namespace | Kind | Name | Pods | Per pod: CPU | Memory | Shm | nvidia.com/gpu | Claims per pod |');
    expect(md).toContain('| web | Deployment | api | 10 (HPA max; min 2) | 0.25 | 256Mi | — | 0 | — |');
    expect(md).toContain('| data | StatefulSet | db | 3 | 0.55 | 1.06Gi | — | 0 | data 10Gi fast-v1, wal 512Mi standard-v1 |');
    expect(md).toContain('| train | StatefulSet | trainer | 4 | 8 | 64Gi | 32Gi | 2 | checkpoints 100Gi fast-v1 |');
    expect(md).toContain('### Transient: Jobs and CronJobs (one run each)');
    expect(md).toContain('| data | 2 | 4 | 0.5 | 640Mi | 0 |');
    expect(md).not.toMatch(/\d{4}-\d{2}-\d{2}T/); // no timestamps
    expect(CapacityReport.of([...objects].reverse(), { title: 'hand-built' }).toMarkdown()).toBe(md);
  });

  test('summary: one compact block', () => {
    expect(report.toSummary()).toBe([
      'full scale: 17 pods, CPU 36.15, memory 261.69Gi, nvidia.com/gpu 8 (HPA max: api 10)',
      'transient: 2 Job(s)/CronJob(s), 4 pods, CPU 0.5, memory 640Mi',
      'storage: 1.42Ti in 11 claims ((cluster default) 1Ti, fast 430Gi, standard 1.5Gi)',
    ].join('\n'));
  });
});

describe('pod requests as the scheduler counts them', () => {
  test('an init container larger than the app containers sets the pod request', () => {
    expect(podRequests({
      initContainers: [container('init', { cpu: '2', memory: '4Gi' })],
      containers: [container('a', { cpu: '500m', memory: '1Gi' }), container('b', { cpu: '500m', memory: '1Gi' })],
    })).toEqual({ milliCpu: 2000, memoryBytes: 4 * GI, extended: {} });
  });

  test('sidecars (restartPolicy Always) run beside the containers and the later init containers', () => {
    expect(podRequests({
      initContainers: [
        container('sidecar', { cpu: '100m', memory: '128Mi' }, undefined, { restartPolicy: 'Always' }),
        container('init', { cpu: '1', memory: '256Mi' }),
      ],
      containers: [container('a', { cpu: '500m', memory: '1Gi' })],
      overhead: { cpu: '10m', memory: '1Mi' },
    })).toEqual({ milliCpu: 1100 + 10, memoryBytes: GI + 128 * MI + MI, extended: {} });
  });

  test('quantities: decimal SI, exponents, limits standing in for requests', () => {
    expect(podRequests({ containers: [container('a', { cpu: '1.5', memory: '1G' }), container('b', { memory: '1e3' }, { cpu: '250m' })] }))
      .toEqual({ milliCpu: 1750, memoryBytes: 1e9 + 1e3, extended: {} });
  });

  test('formats', () => {
    expect([formatBytes(512 * MI), formatBytes(1.25 * 2 ** 40), formatStorage(2000 * GI), formatStorage(GI / 2)]).toEqual(['512Mi', '1.25Ti', '1.95Ti', '0.5Gi']);
  });
});

describe('reference platform', () => {
  const rendered = referenceProfiles().map((profile) => renderWith(profile, buildPlatform));

  test.each(rendered.map((r) => [r.profile.name, r]))('%s: CAPACITY.md is part of the render, not of kustomization.yaml', (_name, r) => {
    const names = r.files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining([REPORT_FILES.capacity, REPORT_FILES.mermaid, REPORT_FILES.dot]));
    const kustomization = r.files.find((f) => f.name === 'kustomization.yaml')!.content;
    expect(kustomization).not.toMatch(/CAPACITY|topology/);
    const listed = kustomization.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
    expect(listed).toEqual(names.filter((n) => n.endsWith('.k8s.yaml')));
    const md = r.files.find((f) => f.name === REPORT_FILES.capacity)!.content;
    expect(md.startsWith(`# Capacity: ${r.profile.name} (Kubernetes ${r.profile.kubeVersion})\n`)).toBe(true);
    expect(md).toBe(r.capacity!.toMarkdown());
    expect(r.capacity!.objectCount).toBe(r.objects.length);
  });

  test.each(rendered.map((r) => [r.profile.name, r]))('%s: the platform at full scale', (name, r) => {
    const c = r.capacity!;
    const w = (n: string) => c.workloads.find((x) => x.name === n)!;
    expect(w('postgres')).toMatchObject({ kind: 'StatefulSet', namespace: 'ml-db', replicas: 3 });
    // MLflow's Deployment is scaled by its HPA: full scale is maxReplicas.
    const { maxReplicas } = sizingFor(r.profile).tracking;
    expect(w('mlflow')).toMatchObject({ replicas: maxReplicas, autoscaler: { name: 'mlflow', maxReplicas } });
    // The training run is a Job: 4 pods that run to completion, counted apart from the long-running services;
    // a StatefulSet (long-running) where the GPU ranks have no ReadWriteMany checkpoint tier (gke, eks).
    const job = name === 'kind' || name === 'aks';
    expect(w('pytorch')).toMatchObject({ kind: job ? 'Job' : 'StatefulSet', replicas: 4, transient: job });
    const gpus = (job ? c.transientTotal : c.total).requests.extended['nvidia.com/gpu'] ?? 0;
    expect((job ? c.total : c.transientTotal).requests.extended['nvidia.com/gpu']).toBeUndefined();
    // The trainer takes 8 GPUs per node where the profile has GPU nodes; kind trains on CPUs.
    expect(gpus).toBe(name === 'kind' ? 0 : 4 * 8);
    // Per pod: CPU, memory, /dev/shm and GPUs as the reference app sets them.
    expect(w('pytorch').pod).toEqual(name === 'kind'
      ? { milliCpu: 500, memoryBytes: GI, extended: {} }
      : { milliCpu: 32000, memoryBytes: 256 * GI, extended: { 'nvidia.com/gpu': 8 } });
    expect(w('pytorch').sharedMemoryBytes).toBe(name === 'kind' ? 256 * MI : 64 * GI);
    expect(c.workloads.filter((x) => x.transient).map((x) => x.kind).every((k) => k === 'Job' || k === 'CronJob')).toBe(true);
    // Shared dataset only where the profile has ReadWriteMany storage (GKE and EKS need a cluster input the reference clusters lack).
    expect(c.storageByClass.some((s) => s.tier === 'shared')).toBe(r.profile.supportsReadWriteMany);
    expect(r.profile.supportsReadWriteMany).toBe(name === 'aks');
    const tracking = c.storage.find((s) => s.namespace === 'ml-tracking')!;
    const sizing = sizingFor(r.profile);
    // MLflow servers claim nothing (their cache is an emptyDir): only MinIO's data claims, one per pod.
    expect(tracking.claims).toBe(sizing.objectStore.replicas);
    expect(w('mlflow')).toMatchObject({ kind: 'Deployment', claimTemplates: [] });
  });

  test.each(rendered.map((r) => [r.profile.name, r]))('%s: CAPACITY.md says what the cluster needs', (name, r) => {
    const md = r.capacity!.toMarkdown();
    const needs = r.capacity!.needs!;
    expect(md).toContain('\n## What this cluster needs\n');
    for (const heading of ['### CSI drivers', '### Snapshot CRDs and controller', '### Nodes per storage tier', '### GPU node pools', '### Operators', '### Secrets']) {
      expect(md).toContain(`\n${heading}\n`);
    }
    // Every driver of the render's StorageClasses, with its setup.
    const provisioners = r.objects.filter((o) => o.kind === 'StorageClass').map((o: any) => o.provisioner);
    expect(needs.csiDrivers.map((d) => d.provisioner)).toEqual([...new Set(provisioners)].sort());
    for (const d of needs.csiDrivers) expect(md).toContain(`| \`${d.provisioner}\` | ${d.tiers.join(', ')} | ${d.setup} |`);
    // Snapshots where the profile has a snapshot driver (all but plain kind).
    expect(md.includes('the render takes no CSI snapshots')).toBe(name === 'kind');
    if (name !== 'kind') expect(md).toContain(r.profile.snapshotDriver!.snapshotSetup);
    // GPU pools on the clouds, none on kind.
    expect(md.includes('None: no workload requests GPUs.')).toBe(name === 'kind');
    // The cloud profiles serve Redis over TLS with a cert-manager Certificate; kind uses built-in APIs only.
    if (name === 'kind') expect(md).toContain('None: the render uses only built-in Kubernetes APIs');
    else expect(md).toContain('- cert-manager (cert-manager.io)');
    // The Secrets the platform reads and does not create, linked to the inventory.
    expect(md).toContain('[SECRETS.md](SECRETS.md)');
    expect(needs.secrets.map((s) => `${s.namespace}/${s.name}`)).toEqual(expect.arrayContaining([
      'ml-db/postgres-credentials', 'ml-tracking/minio-root', 'ml-tracking/postgres-mlflow', 'ml-features/feast-redis',
    ]));
    expect(md).toContain('| ml-db | postgres-credentials | password, username |');
  });

  test('operators are named by the API groups a render uses', () => {
    const objects = [
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'tls', namespace: 'a' } },
      { apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet', metadata: { name: 'train', namespace: 'a' } },
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'pw', namespace: 'a' }, spec: { target: { name: 'pw' } } },
    ];
    const needs = ClusterNeeds.of(objects, Profile.gke());
    expect(needs.operators).toEqual([
      { name: 'External Secrets Operator', apiGroups: ['external-secrets.io'] },
      { name: 'JobSet controller', apiGroups: ['jobset.x-k8s.io'] },
      { name: 'cert-manager', apiGroups: ['cert-manager.io'] },
    ]);
    expect(needs.toMarkdown().join('\n')).toContain('- cert-manager (cert-manager.io)');
  });

  test('synth logs one summary block per profile; the CLI keeps stdout clean', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'capacity-'));
    try {
      const lines: string[] = [];
      expect(synthesize({ outdir, profiles: () => [Profile.kind(), Profile.gke()], build: buildPlatform, log: (l) => lines.push(l) })).toBe(0);
      const log = lines.join('\n');
      const shown = (profile: string) => path.join(path.relative(process.cwd(), outdir), profile).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      expect(log).toMatch(new RegExp(String.raw`${shown('kind')}: \d+ objects, Kubernetes 1\.\d+, gates passed\n {2}full scale: \d+ pods, CPU [\d.]+, memory [\d.]+(Gi|Ti) \(HPA max: mlflow ${LAPTOP_SIZING.tracking.maxReplicas}\)\n {2}transient: `));
      // gke's reference cluster has no ReadWriteMany tier, so its GPU trainer is a (long-running) StatefulSet.
      expect(log).toMatch(new RegExp(String.raw`${shown('gke')}: .*\n {2}full scale: .*nvidia\.com\/gpu 32`));
      expect(fs.readFileSync(path.join(outdir, 'gke', 'CAPACITY.md'), 'utf8')).toContain('| ml-training | StatefulSet | pytorch | 4 | 32 | 256Gi | 64Gi | 8 | checkpoints 100Gi ml-fast-v1 |');

      const run = spawnSync(process.execPath, [path.join(ROOT, 'apps/run.js'), '--profile', 'kind', '--outdir', outdir, '--no-upgrade-guard'], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`${path.join(path.relative(ROOT, outdir), 'kind')}: `);
      expect(run.stderr).toMatch(/: \d+ objects, .*\n {2}full scale: .*\n {2}transient: .*\n {2}storage: /);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
