import {
  Credentials, CsiDriver, ManifestObject, ObjectStore, PodManagementPolicy, Probe, Profile, RestoredClaim, SnapshotRef,
  StatefulWorkload, StatefulWorkloadProps, StorageClassPack, UpdateStrategy, checkUpgrade, runGates,
} from '../../lib';
import { minioTolerableOutages } from '../../lib/ml';
import { volumeAttributesClassName } from '../../lib/storage';
import { withNewerFields } from '../../lib/k8s';
import { Manifest, all, find, newChart, synth } from '../support/synth';
import { expectGatesPass } from '../support/gates';

/** A small workload with a server, a sidecar with a port, a claim from `tier`, at `kubeVersion`. */
function render(profile: Profile, overrides: Partial<StatefulWorkloadProps> = {}, options: { readonly tier?: 'fast' | 'iops'; readonly preferClose?: boolean } = {}) {
  const { chart } = newChart(profile);
  const pack = new StorageClassPack(chart, 'storage');
  const w = new StatefulWorkload(chart, 'cache', {
    name: 'cache',
    namespace: 'ml-data',
    replicas: 4,
    containers: [{
      name: 'server', image: 'example/cache:1.0.0', ports: [{ name: 'client', port: 6379 }],
      readinessProbe: Probe.tcp('client'), volumeMounts: [{ name: 'data', mountPath: '/data' }],
      resizePolicy: { cpu: 'NotRequired', memory: 'RestartContainer' },
    }],
    sidecars: [{ name: 'exporter', image: 'example/exporter:0.1.0', ports: [{ name: 'metrics', port: 9121 }], readinessProbe: Probe.tcp('metrics') }],
    volumeClaims: [{ name: 'data', tier: pack.tier(options.tier ?? 'fast'), size: '12Gi' }],
    podManagementPolicy: PodManagementPolicy.PARALLEL,
    ...overrides,
  });
  w.addClientService({ name: 'cache-ro', preferClose: options.preferClose ?? true });
  const objects = synth(chart);
  return { w, objects, sts: find(objects, 'StatefulSet', 'cache'), gates: runGates(objects as ManifestObject[], { kubeVersion: profile.kubeVersion.toString() }) };
}

describe('native sidecars (1.29+)', () => {
  test('1.29: the sidecar is the last init container with restartPolicy Always; its port is published by number', () => {
    const { sts, objects, gates } = render(Profile.gke({ kubeVersion: '1.29' }));
    const pod = sts.spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['server']);
    expect(pod.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['exporter', 'Always']]);
    expect(pod.initContainers[0].readinessProbe.tcpSocket.port).toBe('metrics');
    expect(find(objects, 'Service', 'cache-headless').spec.ports).toEqual([
      { name: 'client', port: 6379, targetPort: 'client', protocol: 'TCP' },
      { name: 'metrics', port: 9121, targetPort: 9121, protocol: 'TCP' },
    ]);
    expect(gates.errors).toEqual([]);
  });

  test('1.28: the sidecar is an ordinary container, its port named', () => {
    const { sts, objects, gates } = render(Profile.gke({ kubeVersion: '1.28' }));
    const pod = sts.spec.template.spec;
    expect(pod.containers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['server', undefined], ['exporter', undefined]]);
    expect(pod.initContainers).toBeUndefined();
    expect(find(objects, 'Service', 'cache-headless').spec.ports[1]).toEqual({ name: 'metrics', port: 9121, targetPort: 'metrics', protocol: 'TCP' });
    expect(gates.errors).toEqual([]);
  });

  test('sidecars come after the ordinary init containers, which keep no restartPolicy', () => {
    const { sts } = render(Profile.kind({ kubeVersion: '1.33' }), {
      initContainers: [{ name: 'init-perms', image: 'busybox:1.36.1', command: ['true'] }],
    });
    expect(sts.spec.template.spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['init-perms', undefined], ['exporter', 'Always']]);
  });

  test('a sidecar image without a tag is a validation error like any container', () => {
    expect(() => render(Profile.kind(), { sidecars: [{ name: 'exporter', image: 'example/exporter' }] }))
      .toThrow("container 'exporter': image 'example/exporter' has no tag");
  });
});

describe('trafficDistribution: PreferClose (1.31+)', () => {
  test.each([['1.30', undefined], ['1.31', 'PreferClose'], ['1.36', 'PreferClose']])('%s -> %s', (version, expected) => {
    const { objects, gates } = render(Profile.eks({ kubeVersion: version }));
    expect(find(objects, 'Service', 'cache-ro').spec.trafficDistribution).toBe(expected);
    expect(find(objects, 'Service', 'cache-headless').spec.trafficDistribution).toBeUndefined();
    expect(gates.errors).toEqual([]);
  });

  test('not asked for, not emitted', () => {
    const { objects } = render(Profile.eks({ kubeVersion: '1.36' }), {}, { preferClose: false });
    expect(find(objects, 'Service', 'cache-ro').spec.trafficDistribution).toBeUndefined();
  });
});

describe('in-place resize policy (1.33+)', () => {
  test.each([['1.32', undefined], ['1.33', [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'memory', restartPolicy: 'RestartContainer' }]]])(
    '%s', (version, expected) => {
      const { sts, gates } = render(Profile.aks({ kubeVersion: version }));
      expect(sts.spec.template.spec.containers[0].resizePolicy).toEqual(expected);
      expect(sts.spec.template.spec.initContainers[0].resizePolicy).toBeUndefined();
      expect(gates.errors).toEqual([]);
    });
});

describe('StatefulSet maxUnavailable (1.35+), Parallel workloads only', () => {
  const strategy = { updateStrategy: UpdateStrategy.rollingUpdate({ maxUnavailable: 2 }) };

  test.each([['1.34', { partition: 0 }], ['1.35', { partition: 0, maxUnavailable: 2 }]])('%s', (version, expected) => {
    const { sts, gates } = render(Profile.gke({ kubeVersion: version }), strategy);
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: expected });
    expect(gates.errors).toEqual([]);
  });

  test('refused on an OrderedReady workload (databases), at every version', () => {
    for (const version of ['1.34', '1.35']) {
      expect(() => render(Profile.gke({ kubeVersion: version }), { ...strategy, podManagementPolicy: PodManagementPolicy.ORDERED_READY }))
        .toThrow('rolling update maxUnavailable 2 needs podManagementPolicy Parallel (an OrderedReady workload such as a database is replaced one pod at a time): drop maxUnavailable');
    }
  });

  test('out of range', () => {
    expect(() => render(Profile.gke(), { updateStrategy: UpdateStrategy.rollingUpdate({ maxUnavailable: 5 }) }))
      .toThrow('rolling update maxUnavailable 5 must be a whole number between 1 and replicas (4)');
  });

  test('MinIO rolls as many members as keep write quorum', () => {
    expect([2, 4, 5, 6, 8, 16].map(minioTolerableOutages)).toEqual([0, 1, 2, 2, 3, 4]);
    const minio = (version: string, replicas: number) => {
      const { chart } = newChart(Profile.eks({ kubeVersion: version }));
      const pack = new StorageClassPack(chart, 'storage');
      new ObjectStore(chart, 'minio', { namespace: 'ml-tracking', replicas, storage: { tier: pack.standard, size: '100Gi' }, credentials: Credentials.existingSecret('minio-root') });
      const objects = synth(chart);
      expectGatesPass(objects, version);
      return find(objects, 'StatefulSet', 'minio').spec.updateStrategy.rollingUpdate;
    };
    expect(minio('1.35', 8)).toEqual({ partition: 0, maxUnavailable: 3 });
    expect(minio('1.34', 8)).toEqual({ partition: 0 });
    expect(minio('1.36', 4)).toEqual({ partition: 0 });
  });
});

describe('VolumeAttributesClass (1.34+)', () => {
  test('1.34 on EKS: the fast tier (gp3 iops/throughput) gets a class and its claims name it; 1.33 has neither', () => {
    const at34 = render(Profile.eks({ kubeVersion: '1.34' }));
    const classes = all(at34.objects, 'VolumeAttributesClass');
    const name = volumeAttributesClassName('ml', 'fast', 'ebs.csi.aws.com', { iops: '6000', throughput: '250' });
    expect(name).toMatch(/^ml-fast-[0-9a-f]{8}$/);
    expect(classes).toEqual([{
      apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass',
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml', 'ml.cdk8s.io/storage-tier': 'fast' } },
      driverName: 'ebs.csi.aws.com', parameters: { iops: '6000', throughput: '250' },
    }]);
    expect(at34.sts.spec.volumeClaimTemplates[0].spec.volumeAttributesClassName).toBe(name);
    // The StorageClass keeps its parameters: a version upgrade changes no immutable StorageClass field.
    expect(find(at34.objects, 'StorageClass', 'ml-fast-v1').parameters).toMatchObject({ iops: '6000', throughput: '250' });
    expect(at34.gates.errors).toEqual([]);

    const at33 = render(Profile.eks({ kubeVersion: '1.33' }));
    expect(all(at33.objects, 'VolumeAttributesClass')).toEqual([]);
    expect(at33.sts.spec.volumeClaimTemplates[0].spec.volumeAttributesClassName).toBeUndefined();
    expect(at33.gates.errors).toEqual([]);
  });

  test('tiers whose parameters the driver cannot modify, and drivers that modify nothing, get none', () => {
    expect(all(render(Profile.eks({ kubeVersion: '1.36' }), {}, { tier: 'iops' }).objects, 'VolumeAttributesClass').map((c) => c.metadata.labels['ml.cdk8s.io/storage-tier'])).toEqual(['fast']);
    expect(render(Profile.eks({ kubeVersion: '1.36' }), {}, { tier: 'iops' }).sts.spec.volumeClaimTemplates[0].spec.volumeAttributesClassName).toBeUndefined();
    expect(all(render(Profile.kind({ kubeVersion: '1.36' })).objects, 'VolumeAttributesClass')).toEqual([]);
    expect(CsiDriver.localPath().volumeAttributes({ nodePath: '/data' })).toBeUndefined();
    expect(CsiDriver.gcePersistentDisk().volumeAttributes({ 'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '3000' })).toEqual({ iops: '3000' });
    expect(CsiDriver.azureDisk().volumeAttributes({ skuName: 'PremiumV2_LRS', DiskMBpsReadWrite: '500' })).toEqual({ DiskMBpsReadWrite: '500' });
  });

  test('a standalone claim from the tier (RestoredClaim) names the class too, where the version has it', () => {
    const restored = (version: string) => {
      const { chart } = newChart(Profile.eks({ kubeVersion: version }));
      const pack = new StorageClassPack(chart, 'storage');
      new RestoredClaim(chart, 'inspect', {
        name: 'pg-inspect', namespace: 'ml-db', tier: pack.fast, size: '20Gi', snapshot: SnapshotRef.named('pg-snap', { namespace: 'ml-db' }),
      });
      const objects = synth(chart);
      expectGatesPass(objects, version);
      return { spec: find(objects, 'PersistentVolumeClaim', 'pg-inspect').spec, pack };
    };
    const at34 = restored('1.34');
    expect(at34.spec.volumeAttributesClassName).toBe(at34.pack.fast.volumeAttributesClassName);
    expect(at34.spec.volumeAttributesClassName).toMatch(/^ml-fast-[0-9a-f]{8}$/);
    expect(restored('1.33').spec.volumeAttributesClassName).toBeUndefined();
  });

  test('new IOPS give the class a new name (its parameters are immutable)', () => {
    const a = volumeAttributesClassName('ml', 'fast', 'ebs.csi.aws.com', { iops: '6000', throughput: '250' });
    expect(volumeAttributesClassName('ml', 'fast', 'ebs.csi.aws.com', { throughput: '250', iops: '6000' })).toBe(a);
    expect(volumeAttributesClassName('ml', 'fast', 'ebs.csi.aws.com', { iops: '8000', throughput: '250' })).not.toBe(a);
  });
});

describe('upgrade guard and VolumeAttributesClass', () => {
  type M = Manifest & ManifestObject;
  const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));
  const claim: M = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-feast-0', namespace: 'ml-features' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1', volumeAttributesClassName: 'ml-fast-aaaaaaaa', resources: { requests: { storage: '10Gi' } } },
  };
  const storageClass: M = {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ml-fast-v1' }, provisioner: 'ebs.csi.aws.com',
    parameters: { type: 'gp3', iops: '6000', throughput: '250' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer',
  };
  const attributesClass: M = {
    apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass', metadata: { name: 'ml-fast-aaaaaaaa' }, driverName: 'ebs.csi.aws.com', parameters: { iops: '6000' },
  };
  const change = (obj: M, edit: (o: any) => void) => {
    const after = clone(obj);
    edit(after);
    return checkUpgrade([obj], [after]);
  };

  test('a claim moving to another VolumeAttributesClass is accepted', () => {
    expect(change(claim, (o) => { o.spec.volumeAttributesClassName = 'ml-fast-bbbbbbbb'; })).toEqual([]);
    expect(change(claim, (o) => { delete o.spec.volumeAttributesClassName; })).toEqual([]);
  });

  test('a StorageClass parameter change is still refused, pointing at VolumeAttributesClass for IOPS', () => {
    const findings = change(storageClass, (o) => { o.parameters.iops = '8000'; });
    expect(findings.map((f) => [f.rule, f.severity, f.path])).toEqual([['upgrade/storageclass-immutable', 'error', 'parameters.iops']]);
    expect(findings[0].message).toContain('"6000" -> "8000"');
    expect(findings[0].message).toContain('give the claims a new VolumeAttributesClass instead (Kubernetes 1.34+');
  });

  test('a VolumeAttributesClass parameter change is refused: a new class under a new name', () => {
    const findings = change(attributesClass, (o) => { o.parameters.iops = '8000'; });
    expect(findings.map((f) => [f.rule, f.severity, f.object, f.path])).toEqual([
      ['upgrade/volumeattributesclass-immutable', 'error', 'VolumeAttributesClass ml-fast-aaaaaaaa', 'parameters.iops'],
    ]);
    expect(findings[0].message).toContain('create the VolumeAttributesClass under a new name');
    expect(change(attributesClass, (o) => { o.metadata.labels = { a: 'b' }; })).toEqual([]);
  });

  test('a StatefulSet template naming another class: patch each claim, then re-create the StatefulSet', () => {
    const { sts } = render(Profile.eks({ kubeVersion: '1.34' }));
    const findings = change(sts as M, (o) => { o.spec.volumeClaimTemplates[0].spec.volumeAttributesClassName = 'ml-fast-bbbbbbbb'; });
    expect(findings.map((f) => [f.rule, f.path])).toEqual([['upgrade/statefulset-immutable', 'spec.volumeClaimTemplates[data].spec.volumeAttributesClassName']]);
    expect(findings[0].message).toContain('move each live claim to the new class in place (data-cache-0, data-cache-1, data-cache-2, data-cache-3): ' +
      'kubectl -n ml-data patch pvc <claim> -p \'{"spec":{"volumeAttributesClassName":"ml-fast-bbbbbbbb"}}\'');
    expect(findings[0].message).toContain('kubectl -n ml-data delete statefulset cache --cascade=orphan');
  });
});

describe('withNewerFields', () => {
  test('merges objects key by key and lists index by index; the newer leaf wins, missing entries stay', () => {
    const rendered = { spec: { a: 1, list: [{ name: 'x' }, { name: 'y' }], keep: { z: true } } };
    expect(withNewerFields(rendered, { spec: { list: [{}, { restartPolicy: 'Always' }], b: 'new' } })).toEqual({
      spec: { a: 1, list: [{ name: 'x' }, { name: 'y', restartPolicy: 'Always' }], keep: { z: true }, b: 'new' },
    });
    expect(withNewerFields(rendered, {})).toEqual(rendered);
  });
});
