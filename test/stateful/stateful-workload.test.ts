import {
  Probe, Profile, PodManagementPolicy, StatefulWorkload, StatefulWorkloadProps, StorageClassPack, UpdateStrategy,
} from '../../lib';
import { gkeWithShared } from '../support/clusters';
import { Manifest, all, find, newChart, selects, synth } from '../support/synth';

function workload(profile: Profile, overrides: Partial<StatefulWorkloadProps> = {}) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const w = new StatefulWorkload(chart, 'kv', {
    name: 'kv',
    namespace: 'ml-data',
    appName: 'keyvalue',
    replicas: 3,
    runAs: { uid: 999, gid: 999 },
    containers: [{
      name: 'server',
      image: 'example/kv:1.2.3',
      ports: [{ name: 'client', port: 6379 }],
      readinessProbe: Probe.tcp('client'),
      livenessProbe: Probe.tcp('client'),
      startupProbe: Probe.exec(['kv-check']),
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      writablePaths: ['/tmp'],
      preStop: ['kv-cli', 'shutdown'],
    }],
    volumeClaims: [{ name: 'data', tier: pack.fast, size: '20Gi' }],
    ...overrides,
  });
  return { chart, pack, w, objects: () => synth(chart) };
}

describe('StatefulWorkload', () => {
  test('identity helpers: pod names, DNS names through the headless Service, claim names', () => {
    const { w } = workload(Profile.gke());
    expect(w.podName(2)).toBe('kv-2');
    expect(w.podHost(0)).toBe('kv-0.kv-headless.ml-data.svc.cluster.local');
    expect(w.podHosts).toHaveLength(3);
    expect(w.claimName('data', 1)).toBe('data-kv-1');
    expect(() => w.podHost(3)).toThrow("StatefulWorkload 'test/kv' has ordinals 0..2; 3 is out of range: use an ordinal below replicas (3).");
    expect(() => w.claimName('logs', 0)).toThrow("StatefulWorkload 'test/kv' has no volume claim template 'logs' (it has: data).");
  });

  test('the governing Service is headless, named by serviceName, and selects the pods', () => {
    const { w, objects } = workload(Profile.gke());
    const o = objects();
    const sts = find(o, 'StatefulSet', 'kv');
    const headless = find(o, 'Service', sts.spec.serviceName);
    expect(headless.metadata.name).toBe('kv-headless');
    expect(w.podHost(1).split('.')[1]).toBe(headless.metadata.name);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(false);
    expect(selects(headless.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(selects(sts.spec.selector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
    expect(headless.spec.ports).toEqual([{ name: 'client', port: 6379, protocol: 'TCP', targetPort: 'client' }]);
  });

  test('volumeClaimTemplates carry apiVersion/kind, the tier class and size; Retain retention', () => {
    const { pack, objects } = workload(Profile.eks({ kubeVersion: '1.33' }));
    const sts = find(objects(), 'StatefulSet', 'kv');
    expect(pack.fast.volumeAttributesClassName).toBeUndefined();
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'keyvalue', 'app.kubernetes.io/instance': 'kv' } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1', resources: { requests: { storage: '20Gi' } } },
    }]);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('restricted pod: non-root with the image uid, fsGroup, seccomp, no privilege, read-only root with emptyDirs', () => {
    const pod = find(workload(Profile.aks()).objects(), 'StatefulSet', 'kv').spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999,
      fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false,
      readOnlyRootFilesystem: true, runAsNonRoot: true,
    });
    expect(c.volumeMounts).toContainEqual({ name: 'w-tmp', mountPath: '/tmp' });
    expect(pod.volumes).toEqual([{ name: 'w-tmp', emptyDir: {} }]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('probes differ by role; preStop and grace period for a clean shutdown', () => {
    const c = find(workload(Profile.gke()).objects(), 'StatefulSet', 'kv').spec.template.spec.containers[0];
    expect(c.startupProbe).toEqual({ exec: { command: ['kv-check'] }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60, successThreshold: 1 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 'client' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 });
    expect(c.livenessProbe.periodSeconds).toBe(20);
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['kv-cli', 'shutdown'] } } });
  });

  test.each([
    [Profile.kind(), { cpu: '100m', memory: '256Mi' }],
    [Profile.gke(), { cpu: '500m', memory: '1Gi' }],
  ])('resources default to the profile sizing (%#)', (profile, sizing) => {
    const c = find(workload(profile).objects(), 'StatefulSet', 'kv').spec.template.spec.containers[0];
    expect(c.resources).toEqual({ requests: { cpu: sizing.cpu, memory: sizing.memory }, limits: { memory: sizing.memory } });
  });

  test('soft spread by default: preferred hostname anti-affinity and ScheduleAnyway zone spread', () => {
    const pod = find(workload(Profile.gke()).objects(), 'StatefulSet', 'kv').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({
      weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' },
    });
    expect(pod.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'keyvalue', 'app.kubernetes.io/instance': 'kv' } },
    }]);
  });

  test('hard spread: required anti-affinity and DoNotSchedule', () => {
    const pod = find(workload(Profile.gke(), { spread: 'hard' }).objects(), 'StatefulSet', 'kv').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
  });

  test('PDB selects the pods, allows one disruption and evicts unhealthy pods', () => {
    const o = workload(Profile.gke()).objects();
    const pdb = find(o, 'PodDisruptionBudget', 'kv');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'keyvalue', 'app.kubernetes.io/instance': 'kv' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    expect(selects(pdb.spec.selector.matchLabels, find(o, 'StatefulSet', 'kv').spec.template.metadata.labels)).toBe(true);
  });

  test('update strategies: canary partition and OnDelete; Parallel pod management', () => {
    const canary = find(workload(Profile.gke(), { updateStrategy: UpdateStrategy.rollingUpdate({ partition: 2 }) }).objects(), 'StatefulSet', 'kv');
    expect(canary.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2 } });
    const manual = find(workload(Profile.gke(), {
      updateStrategy: UpdateStrategy.onDelete(), podManagementPolicy: PodManagementPolicy.PARALLEL,
    }).objects(), 'StatefulSet', 'kv');
    expect(manual.spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(manual.spec.podManagementPolicy).toBe('Parallel');
  });

  test('client Service for ordinal 0 selects exactly pod 0; internal load balancer per profile', () => {
    const { w, objects } = workload(Profile.gke());
    const rw = w.addClientService({ name: 'kv-rw', extraSelector: w.podSelector(0) });
    w.addClientService({ name: 'kv-lb', internalLoadBalancer: true });
    const o = objects();
    expect(rw.host).toBe('kv-rw.ml-data.svc.cluster.local');
    expect(find(o, 'Service', 'kv-rw').spec.selector).toEqual({
      'app.kubernetes.io/name': 'keyvalue', 'app.kubernetes.io/instance': 'kv', 'statefulset.kubernetes.io/pod-name': 'kv-0',
    });
    const lb = find(o, 'Service', 'kv-lb');
    expect(lb.spec.type).toBe('LoadBalancer');
    expect(lb.metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
  });

  test('internal load balancer on kind is an error', () => {
    const { w } = workload(Profile.kind());
    expect(() => w.addClientService({ name: 'kv-lb', internalLoadBalancer: true })).toThrow(
      "StatefulWorkload 'test/kv': Service 'kv-lb': profile 'kind' has no internal load balancer; declare internalLoadBalancerAnnotations on the profile or use a ClusterIP Service.");
  });

  test('allowFrom builds one NetworkPolicy admitting the workload itself and the declared clients', () => {
    const { w, objects } = workload(Profile.gke());
    w.allowFrom({ namespace: 'ml-tracking', podSelector: { app: 'mlflow' } }, [6379]);
    w.allowFrom({ namespace: 'ml-tracking', podSelector: { app: 'mlflow' } }, [6380]);
    const np = find(objects(), 'NetworkPolicy', 'kv');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: w.selectorLabels } }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-tracking' } }, podSelector: { matchLabels: { app: 'mlflow' } } }],
        ports: [{ protocol: 'TCP', port: 6379 }, { protocol: 'TCP', port: 6380 }],
      },
    ]);
  });

  test('allowFromIfRestricted: an open workload stays open; once restricted, the peer is admitted', () => {
    const open = workload(Profile.gke());
    open.w.allowFromIfRestricted({ namespace: 'ml-ops', podSelector: { app: 'backup' } }, [6379]);
    expect(all(open.objects(), 'NetworkPolicy')).toEqual([]);

    const restricted = workload(Profile.gke());
    restricted.w.allowFromIfRestricted({ namespace: 'ml-ops', podSelector: { app: 'backup' } }, [6379]);
    restricted.w.allowFrom({ namespace: 'ml-tracking', podSelector: { app: 'mlflow' } }, [6379]);
    const from = find(restricted.objects(), 'NetworkPolicy', 'kv').spec.ingress.map((r: any) => r.from[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? 'self');
    expect(from).toEqual(['self', 'ml-ops', 'ml-tracking']);
  });

  test('pod-index env only where the version has the label', () => {
    expect(workload(Profile.gke({ kubeVersion: '1.27' })).w.podIndexEnv('RANK')).toBeUndefined();
    expect(workload(Profile.gke({ kubeVersion: '1.28' })).w.podIndexEnv('RANK')).toEqual({
      name: 'RANK', valueFrom: { fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } },
    });
  });

  test('every object has an explicit, hash-free name', () => {
    const names = workload(Profile.gke()).objects().map((o: Manifest) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['StatefulSet/kv', 'Service/kv-headless', 'PodDisruptionBudget/kv']));
    expect(all(workload(Profile.gke()).objects(), 'StatefulSet')).toHaveLength(1);
  });
});

describe('StatefulWorkload bad input', () => {
  test('a name too long for a StatefulSet', () => {
    const name = 'a'.repeat(53);
    expect(() => workload(Profile.gke(), { name })).toThrow(
      `StatefulWorkload 'test/kv': invalid StatefulSet name '${name}' (53 characters): use a DNS-1123 label of at most 52 characters`);
  });
  test('replicas < 1', () => {
    expect(() => workload(Profile.gke(), { replicas: 0 })).toThrow("StatefulWorkload 'test/kv': replicas must be a whole number ≥ 1, got 0.");
  });
  test('a size that is not a quantity', () => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    expect(() => new StatefulWorkload(chart, 'x', {
      name: 'x', namespace: 'ns', containers: [{ name: 'c', image: 'a/b:1' }],
      volumeClaims: [{ name: 'data', tier: pack.fast, size: '10GB' }],
    })).toThrow("Invalid size of volume claim template 'data' of StatefulWorkload 'test/x' '10GB': " +
      "not a Kubernetes quantity (e.g. '20Gi', '512Mi', '500m'). Did you mean '10Gi'?");
  });
  test.each([
    [gkeWithShared(), 'shared', '500Gi', 'filestore.csi.storage.gke.io', '1Ti'],
    [Profile.eks(), 'throughput', '100Gi', 'ebs.csi.aws.com', '125Gi'],
  ] as const)('a claim below the tier minimum names the workload and the template (%#)', (profile, tier, size, provisioner, minimum) => {
    const { chart } = newChart(profile);
    const pack = new StorageClassPack(chart, 'storage', { tiers: [tier] });
    expect(() => new StatefulWorkload(chart, 'x', {
      name: 'x', namespace: 'ns', containers: [{ name: 'c', image: 'a/b:1' }],
      volumeClaims: [{ name: 'data', tier: pack.tier(tier), size }],
    })).toThrow(`StatefulWorkload 'test/x': volume claim template 'data': size ${size} is below the minimum of tier '${tier}' ` +
      `on profile '${profile.name}' (${provisioner} provisions at least ${minimum}): ask for ${minimum} or more, or use another tier.`);
  });
  test('unpinned images, bad partition, zero maxUnavailable and unknown mounts are reported together at synth', () => {
    const { objects } = workload(Profile.gke(), {
      containers: [{ name: 'server', image: 'example/kv', volumeMounts: [{ name: 'logs', mountPath: '/logs' }] },
        { name: 'side', image: 'example/side:latest' }],
      updateStrategy: UpdateStrategy.rollingUpdate({ partition: 5 }),
      maxUnavailable: 0,
    });
    expect(() => objects()).toThrow([
      '[test/kv] partition 5 must be between 0 and replicas (3)',
      '[test/kv] maxUnavailable 0 would block node drains: use a whole number ≥ 1',
      "[test/kv] container 'server': image 'example/kv' has no tag: pin a version (e.g. 'example/kv:1.2.3') or a digest",
      "[test/kv] container 'side': image 'example/side:latest' uses 'latest': pin a version or a digest",
      "[test/kv] container 'server' mounts 'logs', which is neither a volume claim template nor a pod volume",
    ].join('\n'));
  });
  test('memory limit below request', () => {
    expect(() => workload(Profile.gke(), {
      containers: [{ name: 'server', image: 'example/kv:1', resources: { memory: '2Gi', memoryLimit: '1Gi' } }],
    })).toThrow("container 'server': memory limit 1Gi is below the memory request 2Gi.");
  });
});

test('a claim template on a tier of another profile\'s pack is refused', () => {
  const gke = Profile.gke();
  const { chart } = newChart(gke);
  const kindPack = new StorageClassPack(chart, 'kind-storage', { profile: Profile.kind() });
  expect(() => new StatefulWorkload(chart, 'kv', {
    name: 'kv', namespace: 'ml-data', profile: gke,
    containers: [{ name: 'server', image: 'example/kv:1.2.3' }],
    volumeClaims: [{ name: 'data', tier: kindPack.fast, size: '10Gi' }],
  })).toThrow("StatefulWorkload 'test/kv': volume claim template 'data': storage tier 'fast' belongs to a StorageClassPack of profile 'kind', not 'gke': " +
    'take the tier from the pack built for this profile.');
});
