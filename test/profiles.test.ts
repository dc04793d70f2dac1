import { CsiDriver, KubeVersion, Profile } from '../lib';
import { gkeWithShared } from './support/clusters';

describe('Profile factories', () => {
  test.each([
    ['gke', gkeWithShared(), '1.35', 'pd.csi.storage.gke.io', 'filestore.csi.storage.gke.io'],
    ['eks', Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' }), '1.35', 'ebs.csi.aws.com', 'efs.csi.aws.com'],
    ['aks', Profile.aks(), '1.35', 'disk.csi.azure.com', 'file.csi.azure.com'],
  ])('%s: version, block driver, ReadWriteMany driver, snapshots', (name, profile, version, block, shared) => {
    expect(profile.name).toBe(name);
    expect(profile.kubeVersion.toString()).toBe(version);
    expect(profile.tier('standard').driver.provisioner).toBe(block);
    expect(profile.tier('shared').driver.provisioner).toBe(shared);
    expect(profile.tier('shared').driver.accessMode).toBe('ReadWriteMany');
    expect(profile.snapshotDriver?.provisioner).toBe(block);
    expect(profile.gpu?.resourceName).toBe('nvidia.com/gpu');
    expect(profile.zoneTopologyKey).toBe('topology.kubernetes.io/zone');
    expect(profile.defaultResources).toEqual({ cpu: '500m', memory: '1Gi' });
  });

  test('kind: 1.36, local-path without expansion, snapshots or ReadWriteMany, small sizing', () => {
    const kind = Profile.kind();
    expect(kind.kubeVersion.toString()).toBe('1.36');
    expect(kind.tier('fast').driver.provisioner).toBe('rancher.io/local-path');
    expect(kind.tier('fast').driver.supportsExpansion).toBe(false);
    expect(kind.snapshotDriver).toBeUndefined();
    expect(kind.supportsReadWriteMany).toBe(false);
    expect(kind.gpu).toBeUndefined();
    expect(kind.internalLoadBalancerAnnotations).toBeUndefined();
    expect(kind.defaultResources).toEqual({ cpu: '100m', memory: '256Mi' });
  });

  test('kind with the csi-hostpath driver declared gets snapshots and expansion', () => {
    const kind = Profile.kind({ csiHostpath: true });
    expect(kind.snapshotDriver?.provisioner).toBe('hostpath.csi.k8s.io');
    expect(kind.tier('standard').driver.supportsExpansion).toBe(true);
  });

  test('EKS tiers: gp3 / io2 / st1, all encrypted', () => {
    const eks = Profile.eks();
    expect(eks.tier('standard').parameters).toEqual({ 'type': 'gp3', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4' });
    expect(eks.tier('fast').parameters).toMatchObject({ type: 'gp3', iops: '6000', throughput: '250', encrypted: 'true' });
    expect(eks.tier('iops').parameters).toMatchObject({ type: 'io2', encrypted: 'true' });
    expect(eks.tier('throughput').parameters).toMatchObject({ type: 'st1', encrypted: 'true' });
  });

  test('GPU settings per cloud', () => {
    // No node label requirement by default: clouds do not label GPU nodes consistently (EKS sets none).
    for (const profile of [Profile.gke(), Profile.eks(), Profile.aks()]) expect(profile.gpu?.nodeLabelKey).toBeUndefined();
    expect(Profile.gke().gpu?.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
    expect(Profile.aks().gpu?.tolerations).toEqual([
      { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(Profile.eks().gpu?.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('internal load balancer annotations per cloud', () => {
    expect(Profile.gke().internalLoadBalancerAnnotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    expect(Profile.aks().internalLoadBalancerAnnotations).toEqual({ 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' });
    expect(Profile.eks().internalLoadBalancerAnnotations?.['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internal');
  });

  test('overrides: version, sizing and one tier replaced, the others kept', () => {
    const gke = Profile.gke({
      kubeVersion: '1.28',
      defaultResources: { cpu: '1', memory: '4Gi' },
      storageTiers: { fast: { driver: CsiDriver.gcePersistentDisk(), parameters: { 'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '6000' } } },
    });
    expect(gke.kubeVersion.minor).toBe(28);
    expect(gke.defaultResources.memory).toBe('4Gi');
    expect(gke.tier('fast').parameters.type).toBe('hyperdisk-balanced');
    expect(gke.tier('standard').parameters.type).toBe('pd-balanced');
  });
});

describe('bad profile input', () => {
  test.each(['1.26', '1.37', '2.0'])('unsupported kubeVersion %s', (version) => {
    expect(() => Profile.gke({ kubeVersion: version })).toThrow(
      `Unsupported kubeVersion '${version}': supported versions are 1.27 to 1.36.`);
  });

  test.each(['1.27', '1.33', '1.35', 'v1.36.2'])('supported kubeVersion %s', (version) => {
    expect(Profile.eks({ kubeVersion: version }).kubeVersion.toString()).toBe(version.replace(/^v/, '').split('.').slice(0, 2).join('.'));
  });

  test('malformed kubeVersion', () => {
    expect(() => KubeVersion.of('latest')).toThrow("Invalid kubeVersion 'latest': expected a Kubernetes minor version such as '1.35'.");
  });

  test('ReadWriteMany on kind names what to declare', () => {
    expect(() => Profile.kind().tier('shared')).toThrow(
      "Profile 'kind' has no 'shared' (ReadWriteMany) storage tier: kind has no ReadWriteMany driver: declare one with Profile.kind({ storageTiers: { shared:");
  });

  test('EKS without an EFS file system has no shared tier', () => {
    expect(() => Profile.eks().tier('shared')).toThrow(
      "Profile 'eks' has no 'shared' (ReadWriteMany) storage tier: EKS provides ReadWriteMany through EFS: pass Profile.eks({ efsFileSystemId: 'fs-…' })");
  });

  test('unknown tier', () => {
    expect(() => Profile.gke().tier('ultra' as any)).toThrow("Unknown storage tier 'ultra': tiers are standard, fast, iops, throughput, shared.");
  });

  test.each([
    [Profile.eks, { type: 'gp4' }, "Profile 'eks': invalid StorageClass parameters for tier 'fast' (ebs.csi.aws.com): parameter 'type: gp4' must be one of gp2, gp3, io1, io2, sc1, st1, standard."],
    [Profile.eks, { type: 'st1', throughput: '500' }, "Profile 'eks': invalid StorageClass parameters for tier 'fast' (ebs.csi.aws.com): throughput applies only to type gp3, not st1."],
    [Profile.eks, { type: 'gp3', iopsPerGb: '10' }, "Profile 'eks': invalid StorageClass parameters for tier 'fast' (ebs.csi.aws.com): unknown parameter 'iopsPerGb' for ebs.csi.aws.com (known: type, iops, iopsPerGB,"],
    [Profile.gke, { type: 'pd-ssd', 'replication-type': 'regional' }, "parameter 'replication-type: regional' must be one of none, regional-pd."],
    [Profile.aks, { skuName: 'PremiumV2_LRS', cachingMode: 'ReadOnly' }, 'PremiumV2_LRS supports only cachingMode "None".'],
  ])('invalid StorageClass parameters for the driver (%#)', (factory, parameters, message) => {
    const driver = factory === Profile.eks ? CsiDriver.awsEbs() : factory === Profile.gke ? CsiDriver.gcePersistentDisk() : CsiDriver.azureDisk();
    expect(() => (factory as any)({ storageTiers: { fast: { driver, parameters } } })).toThrow(message);
  });

  test('EFS parameters: file system id format', () => {
    expect(() => Profile.eks({ efsFileSystemId: 'my-fs' })).toThrow(
      "invalid StorageClass parameters for tier 'shared' (efs.csi.aws.com): parameter 'fileSystemId: my-fs' must match");
  });

  test('a block driver cannot be the shared tier', () => {
    expect(() => Profile.gke({ storageTiers: { shared: { driver: CsiDriver.gcePersistentDisk(), parameters: {} } } })).toThrow(
      "Profile 'gke': the 'shared' tier must be ReadWriteMany, but pd.csi.storage.gke.io provides ReadWriteOnce.");
  });
});

describe('KubeVersion feature gates', () => {
  test('pod-index label from 1.28, retention policy and unhealthyPodEvictionPolicy from 1.27', () => {
    expect(KubeVersion.of('1.27').hasPodIndexLabel).toBe(false);
    expect(KubeVersion.of('1.28').hasPodIndexLabel).toBe(true);
    expect(KubeVersion.of('v1.27.3').hasPvcRetentionPolicy).toBe(true);
    expect(KubeVersion.of('1.27').hasUnhealthyPodEvictionPolicy).toBe(true);
    expect(KubeVersion.of('1.34').hasStatefulSetMaxUnavailable).toBe(false);
  });
});
