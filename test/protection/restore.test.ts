import { Credentials, DatabaseEngine, Profile, RestoredClaim, SnapshotRef, StatefulDatabase, StatefulWorkload, restoredTemplate } from '../../lib';
import { gkeWithShared } from '../support/clusters';
import { find, synth } from '../support/synth';
import { postgresLike, withSnapshotClass } from './support/workloads';
import { expectGatesPass } from '../support/gates';

const SNAP = 'data-pg-0-20250301-030000';

describe('restore from a VolumeSnapshot', () => {
  test('a StatefulWorkload whose claim template is populated from a snapshot', () => {
    const built = withSnapshotClass(Profile.gke());
    const snapshot = SnapshotRef.named(SNAP, { namespace: 'ml-db', takenWith: built.snapshotClass });
    const template = restoredTemplate({ name: 'data', tier: built.pack.fast, size: '20Gi' }, snapshot, 'ml-db');
    new StatefulWorkload(built.chart, 'restored', {
      name: 'pg-restored', namespace: 'ml-db', volumeClaims: [template],
      containers: [{ name: 'postgres', image: 'postgres:16.4', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }] }],
    });
    const sts = find(synth(built.chart), 'StatefulSet', 'pg-restored');
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'pg-restored', 'app.kubernetes.io/instance': 'pg-restored' } },
      spec: {
        accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1', resources: { requests: { storage: '20Gi' } },
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: SNAP },
      },
    }]);
  });

  test('a StatefulDatabase restored through restoreFrom: every new data claim starts from the snapshot', () => {
    const { chart, pack } = postgresLike(Profile.eks());
    new StatefulDatabase(chart, 'restored', {
      name: 'postgres-restored', engine: DatabaseEngine.postgres('16.4'), namespace: 'ml-db',
      storage: { tier: pack.fast, size: '20Gi' }, credentials: Credentials.existingSecret('db-admin'),
      restoreFrom: SnapshotRef.named(SNAP).dataSource,
    });
    const sts = find(synth(chart), 'StatefulSet', 'postgres-restored');
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
      spec: { storageClassName: 'ml-fast-v1', dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: SNAP } },
    });
  });

  test('standalone restored claim: the tier, the size and the snapshot as dataSource', () => {
    const { chart, pack } = postgresLike(Profile.aks());
    new RestoredClaim(chart, 'inspect', {
      name: 'pg-inspect', namespace: 'ml-db', tier: pack.fast, size: '20Gi', snapshot: SnapshotRef.named(SNAP, { namespace: 'ml-db' }),
    });
    const objects = synth(chart);
    expect(find(objects, 'PersistentVolumeClaim', 'pg-inspect')).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'pg-inspect', namespace: 'ml-db',
        labels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful-ml' },
        annotations: { 'ml.cdk8s.io/restored-from': SNAP },
      },
      spec: {
        accessModes: ['ReadWriteOnce'], storageClassName: 'ml-fast-v1', resources: { requests: { storage: '20Gi' } },
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: SNAP },
      },
    });
    expectGatesPass(objects, '1.35');
  });

  test('per-ordinal restore: claims named as the StatefulSet names them, ordered before it, adopted instead of created', () => {
    const { chart, workload } = postgresLike(Profile.gke(), { replicas: 2 });
    RestoredClaim.forWorkload(chart, 'restore', {
      target: workload, template: 'data',
      snapshots: [SnapshotRef.named('data-pg-0-20250301-030000'), SnapshotRef.named('data-pg-1-20250301-030000')],
    });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'pg');
    for (const ordinal of [0, 1]) {
      const claim = find(objects, 'PersistentVolumeClaim', workload.claimName('data', ordinal));
      expect(claim.metadata.name).toBe(`data-pg-${ordinal}`);
      expect(claim.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
      expect(claim.spec.dataSource.name).toBe(`data-pg-${ordinal}-20250301-030000`);
      // Same class, size and labels as the template the StatefulSet would create it from.
      const template = sts.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === 'data');
      expect(claim.spec.storageClassName).toBe(template.spec.storageClassName);
      expect(claim.spec.resources).toEqual(template.spec.resources);
      expect(claim.metadata.labels).toMatchObject(template.metadata.labels);
      expect(objects.indexOf(claim)).toBeLessThan(objects.indexOf(sts));
    }
  });
});

describe('restore bad input', () => {
  test('a snapshot taken by another driver, in another namespace, or a tier without snapshots', () => {
    const gke = withSnapshotClass(gkeWithShared());
    const aws = withSnapshotClass(Profile.eks());
    expect(() => new RestoredClaim(gke.chart, 'a', {
      name: 'x', namespace: 'ml-db', tier: gke.pack.fast, size: '20Gi', snapshot: SnapshotRef.named(SNAP, { takenWith: aws.snapshotClass }),
    })).toThrow(`RestoredClaim 'test/a': VolumeSnapshot '${SNAP}' was taken by ebs.csi.aws.com, but tier 'fast' is provisioned by pd.csi.storage.gke.io: a driver restores only its own snapshots.`);
    expect(() => new RestoredClaim(gke.chart, 'b', {
      name: 'x', namespace: 'ml-db', tier: gke.pack.fast, size: '20Gi', snapshot: SnapshotRef.named(SNAP, { namespace: 'ml-training' }),
    })).toThrow(`RestoredClaim 'test/b': VolumeSnapshot '${SNAP}' is in namespace 'ml-training', but the claim is in 'ml-db': a claim restores only from its own namespace.`);
    expect(() => new RestoredClaim(gke.chart, 'c', {
      name: 'x', namespace: 'ml-db', tier: gke.pack.shared, size: '1Ti', snapshot: SnapshotRef.named(SNAP),
    })).toThrow("RestoredClaim 'test/c': tier 'shared' (filestore.csi.storage.gke.io) cannot be restored from a VolumeSnapshot: its driver does not implement snapshots.");
    const kind = postgresLike(Profile.kind());
    expect(() => restoredTemplate({ name: 'data', tier: kind.pack.fast, size: '1Gi' }, SnapshotRef.named(SNAP), 'ml-db')).toThrow(
      "Volume claim template 'data' restored from a snapshot: tier 'fast' (rancher.io/local-path) cannot be restored from a VolumeSnapshot: its driver does not implement snapshots.");
  });

  test('a restored claim below the tier minimum names the claim', () => {
    const eks = withSnapshotClass(Profile.eks());
    expect(() => new RestoredClaim(eks.chart, 'small', {
      name: 'x', namespace: 'ml-db', tier: eks.pack.iops, size: '2Gi', snapshot: SnapshotRef.named(SNAP),
    })).toThrow("RestoredClaim 'test/small': size 2Gi is below the minimum of tier 'iops' on profile 'eks' " +
      '(ebs.csi.aws.com provisions at least 4Gi): ask for 4Gi or more, or use another tier.');
  });

  test('bad names and snapshot counts', () => {
    expect(() => SnapshotRef.named('Data_PG')).toThrow("Invalid VolumeSnapshot name 'Data_PG': a DNS-1123 subdomain (lower-case letters, digits, '-' and '.').");
    const { chart, workload } = postgresLike(Profile.gke(), { replicas: 2 });
    expect(() => RestoredClaim.forWorkload(chart, 'r', { target: workload, template: 'data', snapshots: ['a', 'b', 'c'].map((n) => SnapshotRef.named(n)) }))
      .toThrow("RestoredClaim 'test/r': give one snapshot per ordinal, 1 to 2 (the replicas of 'pg'), got 3.");
    expect(() => RestoredClaim.forWorkload(chart, 's', { target: workload, template: 'logs', snapshots: [SnapshotRef.named('a')] }))
      .toThrow("RestoredClaim 'test/s': StatefulWorkload 'pg' has no volume claim template 'logs' (it has: data, wal).");
  });
});
