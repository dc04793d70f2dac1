import { ClusterConfig, Profile, StorageClassPack } from '../lib';
import { Quantity } from '../lib/storage';
import { gkeWithShared } from './support/clusters';
import { all, find, newChart, synth } from './support/synth';

describe('StorageClassPack', () => {
  test('EKS: one versioned class per tier, WaitForFirstConsumer, Retain, expansion', () => {
    const { chart } = newChart(Profile.eks({ efsFileSystemId: 'fs-0123456789abcdef0' }));
    const pack = new StorageClassPack(chart, 'storage');
    const objects = synth(chart);
    expect(all(objects, 'StorageClass').map((o) => o.metadata.name)).toEqual(
      ['ml-standard-v1', 'ml-fast-v1', 'ml-iops-v1', 'ml-throughput-v1', 'ml-shared-v1']);
    const fast = find(objects, 'StorageClass', 'ml-fast-v1');
    expect(fast).toMatchObject({
      apiVersion: 'storage.k8s.io/v1',
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', iops: '6000', throughput: '250', encrypted: 'true' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    expect(fast.metadata.annotations).toBeUndefined();
    expect(find(objects, 'StorageClass', 'ml-shared-v1')).toMatchObject({
      provisioner: 'efs.csi.aws.com', allowVolumeExpansion: false,
      parameters: { provisioningMode: 'efs-ap', fileSystemId: 'fs-0123456789abcdef0' },
    });
    expect(pack.shared.accessMode).toBe('ReadWriteMany');
    expect(pack.fast.storageClassName).toBe('ml-fast-v1');
  });

  test('GKE defaults attach to every PD machine family: pd-balanced / pd-ssd / pd-ssd / pd-standard, and Filestore on the declared VPC', () => {
    const { chart } = newChart(gkeWithShared());
    new StorageClassPack(chart, 'storage');
    const objects = synth(chart);
    const types = all(objects, 'StorageClass').map((o) => `${o.provisioner}:${o.parameters.type ?? o.parameters.tier}`);
    expect(types).toEqual([
      'pd.csi.storage.gke.io:pd-balanced', 'pd.csi.storage.gke.io:pd-ssd', 'pd.csi.storage.gke.io:pd-ssd',
      'pd.csi.storage.gke.io:pd-standard', 'filestore.csi.storage.gke.io:standard',
    ]);
    expect(find(objects, 'StorageClass', 'ml-shared-v1').parameters).toEqual({ tier: 'standard', network: 'ml-vpc' });
  });

  test('GKE performanceDisks: Hyperdisk Balanced / Throughput, provisioned, opt-in per tier', () => {
    const { chart } = newChart(Profile.gke({ performanceDisks: ['iops', 'throughput'] }));
    new StorageClassPack(chart, 'storage');
    const objects = synth(chart);
    expect(find(objects, 'StorageClass', 'ml-iops-v1').parameters).toEqual({
      'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '10000', 'provisioned-throughput-on-create': '400Mi', 'csi.storage.k8s.io/fstype': 'ext4',
    });
    expect(find(objects, 'StorageClass', 'ml-throughput-v1').parameters).toEqual({
      'type': 'hyperdisk-throughput', 'provisioned-throughput-on-create': '180Mi', 'csi.storage.k8s.io/fstype': 'ext4',
    });
    expect(find(objects, 'StorageClass', 'ml-fast-v1').parameters.type).toBe('pd-ssd');
  });

  test('AKS defaults attach to any node pool: StandardSSD_LRS / Premium_LRS (x3) and Azure Files NFS; Premium SSD v2 is opt-in', () => {
    const { chart } = newChart(Profile.aks());
    new StorageClassPack(chart, 'storage');
    const skus = all(synth(chart), 'StorageClass').map((o) => o.parameters.skuName);
    expect(skus).toEqual(['StandardSSD_LRS', 'Premium_LRS', 'Premium_LRS', 'Premium_LRS', 'Premium_LRS']);
    const v2 = newChart(Profile.aks({ performanceDisks: ['iops'], cluster: ClusterConfig.of({ name: 'ml-aks', zones: ['eastus-1'] }) }));
    new StorageClassPack(v2.chart, 'storage');
    expect(find(synth(v2.chart), 'StorageClass', 'ml-iops-v1').parameters).toEqual({
      skuName: 'PremiumV2_LRS', cachingMode: 'None', DiskIOPSReadWrite: '10000', DiskMBpsReadWrite: '400', 'csi.storage.k8s.io/fstype': 'ext4',
    });
  });

  test('kind: local-path, no expansion, no parameters, no shared tier', () => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage');
    const classes = all(synth(chart), 'StorageClass');
    expect(classes).toHaveLength(4);
    for (const c of classes) {
      expect(c.provisioner).toBe('rancher.io/local-path');
      expect(c.allowVolumeExpansion).toBe(false);
      expect(c.parameters).toBeUndefined();
    }
    expect(pack.standard.allowsExpansion).toBe(false);
  });

  test('version bump renames every class; default-class annotation on the chosen tier only', () => {
    const { chart } = newChart(Profile.gke());
    new StorageClassPack(chart, 'storage', { version: 2, defaultTier: 'standard', prefix: 'ai' });
    const classes = all(synth(chart), 'StorageClass');
    expect(classes.map((c) => c.metadata.name)).toContain('ai-standard-v2');
    expect(classes.filter((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
      .map((c) => c.metadata.name)).toEqual(['ai-standard-v2']);
  });

  test('claim spec from a tier validates the size', () => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    expect(pack.fast.claimSpec('20Gi')).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1' });
    expect(() => pack.fast.claimSpec('10GB')).toThrow(
      "Invalid storage size for tier 'fast' '10GB': not a Kubernetes quantity (e.g. '20Gi', '512Mi', '500m'). Did you mean '10Gi'?");
  });
});

describe('StorageClassPack bad input', () => {
  test.each([
    [gkeWithShared(), 'shared', '500Gi', "Storage size 500Gi is below the minimum of tier 'shared' on profile 'gke' (filestore.csi.storage.gke.io provisions at least 1Ti): ask for 1Ti or more, or use another tier."],
    [Profile.eks(), 'throughput', '100Gi', "Storage size 100Gi is below the minimum of tier 'throughput' on profile 'eks' (ebs.csi.aws.com provisions at least 125Gi): ask for 125Gi or more, or use another tier."],
    [Profile.aks(), 'shared', '50Gi', "Storage size 50Gi is below the minimum of tier 'shared' on profile 'aks' (file.csi.azure.com provisions at least 100Gi): ask for 100Gi or more, or use another tier."],
  ] as const)('a claim below the disk type minimum (%#)', (profile, tier, size, message) => {
    const { chart } = newChart(profile);
    const pack = new StorageClassPack(chart, 'storage');
    expect(() => pack.tier(tier).claimSpec(size)).toThrow(message);
    expect(pack.tier(tier).minimumSize).toBeDefined();
    expect(() => pack.tier(tier).claimSpec(pack.tier(tier).minimumSize!)).not.toThrow();
  });

  test('asking kind for the shared tier says what to declare', () => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage');
    expect(() => pack.shared).toThrow("Profile 'kind' has no 'shared' (ReadWriteMany) storage tier: kind has no ReadWriteMany driver: declare one with");
  });

  test('creating a pack with a tier the profile lacks', () => {
    const { chart } = newChart(Profile.kind());
    expect(() => new StorageClassPack(chart, 'storage', { tiers: ['standard', 'shared'] })).toThrow(
      "Profile 'kind' has no 'shared' (ReadWriteMany) storage tier");
  });

  test('a tier left out of the pack', () => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage', { tiers: ['standard'] });
    expect(() => pack.iops).toThrow("StorageClassPack 'test/storage' has no 'iops' tier: it was created with tiers: [standard]; add 'iops' to its tiers.");
  });

  test('unknown tier name', () => {
    const { chart } = newChart(Profile.gke());
    expect(() => new StorageClassPack(chart, 'storage', { tiers: ['ultra' as any] })).toThrow("Unknown storage tier 'ultra'");
  });

  test('default tier outside the pack', () => {
    const { chart } = newChart(Profile.gke());
    expect(() => new StorageClassPack(chart, 'storage', { tiers: ['fast'], defaultTier: 'standard' })).toThrow(
      "StorageClassPack 'test/storage': defaultTier 'standard' is not one of the pack's tiers (fast).");
  });
});

describe('Quantity', () => {
  test.each([['20Gi', 20 * 2 ** 30], ['512Mi', 512 * 2 ** 20], ['500m', 0.5], ['1.5G', 1.5e9], ['3', 3]])('%s', (text, value) => {
    expect(Quantity.parse(text).value).toBe(value);
  });
  test.each([['10GB', '10Gi'], ['512mb', '512Mi'], ['1TB', '1Ti']])('%s suggests %s', (bad, good) => {
    expect(() => Quantity.parse(bad, 'size')).toThrow(`Did you mean '${good}'?`);
  });
  test('bytes() picks the largest whole binary unit', () => {
    expect(Quantity.bytes(8 * 2 ** 30).text).toBe('8Gi');
    expect(Quantity.bytes(768 * 2 ** 20).text).toBe('768Mi');
  });
});
