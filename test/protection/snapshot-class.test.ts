import { Profile, SnapshotClass, StorageClassPack } from '../../lib';
import { gkeWithShared } from '../support/clusters';
import { all, find, newChart, synth } from '../support/synth';
import { postgresLike } from './support/workloads';

describe('SnapshotClass', () => {
  test.each([
    ['gke', Profile.gke(), 'pd.csi.storage.gke.io'],
    ['eks', Profile.eks(), 'ebs.csi.aws.com'],
    ['aks', Profile.aks(), 'disk.csi.azure.com'],
    ['kind with csi-hostpath', Profile.kind({ csiHostpath: true }), 'hostpath.csi.k8s.io'],
  ])('%s: driver is the profile snapshot driver, which provisions the pack tiers; Retain by default', (_, profile, driver) => {
    const { chart } = newChart(profile);
    const pack = new StorageClassPack(chart, 'storage');
    const snapshotClass = new SnapshotClass(chart, 'snapshots', { pack });
    const objects = synth(chart);
    expect(find(objects, 'VolumeSnapshotClass', 'ml-snapshots')).toEqual({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: 'ml-snapshots', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' } },
      driver,
      deletionPolicy: 'Retain',
    });
    // The class snapshots exactly the tiers whose StorageClass names the same CSI driver.
    for (const tier of pack.all) {
      const sc = find(objects, 'StorageClass', tier.storageClassName);
      expect(snapshotClass.canSnapshot(tier)).toBe(sc.provisioner === driver);
    }
    expect(snapshotClass.canSnapshot(pack.standard)).toBe(true);
  });

  test('shared (ReadWriteMany) tiers are not snapshotted by the block-storage class', () => {
    const { chart } = newChart(gkeWithShared());
    const pack = new StorageClassPack(chart, 'storage');
    const snapshotClass = new SnapshotClass(chart, 'snapshots', { pack });
    expect(snapshotClass.canSnapshot(pack.shared)).toBe(false);
  });

  test('name, Delete policy, parameters and the default-class annotation', () => {
    const { chart } = newChart(Profile.aks());
    new SnapshotClass(chart, 'snapshots', {
      name: 'ml-snapshots-incremental', deletionPolicy: 'Delete', parameters: { incremental: 'true' }, isDefault: true,
    });
    const [cls] = all(synth(chart), 'VolumeSnapshotClass');
    expect(cls).toMatchObject({
      metadata: { name: 'ml-snapshots-incremental', annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
      deletionPolicy: 'Delete',
      parameters: { incremental: 'true' },
    });
  });
});

describe('SnapshotClass bad input', () => {
  test('kind without the CSI hostpath driver has no snapshot driver', () => {
    const { chart } = newChart(Profile.kind());
    expect(() => new SnapshotClass(chart, 'snapshots')).toThrow(
      "SnapshotClass 'test/snapshots': profile 'kind' has no snapshot driver, so nothing can be snapshotted: " +
      'install the CSI hostpath driver and declare it with Profile.kind({ csiHostpath: true }), ' +
      'or protect the data with logical backups instead.');
  });

  test('a profile whose snapshot driver was removed names the override to set', () => {
    const { chart } = newChart(Profile.eks({ snapshotDriver: undefined }));
    expect(() => new SnapshotClass(chart, 'snapshots')).toThrow(
      "SnapshotClass 'test/snapshots': profile 'eks' has no snapshot driver, so nothing can be snapshotted: " +
      'declare one with Profile.eks({ snapshotDriver: CsiDriver.… }), or protect the data with logical backups instead.');
  });

  test('a snapshot driver that provisions none of the pack tiers', () => {
    const { chart, pack } = postgresLike(Profile.kind({ csiHostpath: false }));
    const hostpath = Profile.kind({ csiHostpath: true });
    expect(() => new SnapshotClass(chart, 'snapshots', { profile: hostpath, pack })).toThrow(
      "SnapshotClass 'test/snapshots': the snapshot driver hostpath.csi.k8s.io provisions none of the tiers of StorageClassPack 'test/storage' " +
      '(standard: rancher.io/local-path, fast: rancher.io/local-path, iops: rancher.io/local-path, throughput: rancher.io/local-path): ' +
      'a snapshot class can only snapshot volumes of its own driver.');
  });
});
