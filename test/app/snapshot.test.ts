import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { sizingFor } from '../../apps/sizing';
import { Manifest, all, find } from '../support/synth';

/** Ranks of the training Job per profile, where the run is a Job. */
const TRAINING_JOB: Record<string, number | undefined> = { kind: 4, aks: 4 };

// The snapshot is the safety net for unintended YAML changes; the expectations next to it say
// what each profile must contain regardless of how the snapshot is updated.
describe.each(referenceProfiles().map((p) => [p.name, p] as const))('reference platform on %s', (name, profile) => {
  const rendered = renderWith(profile, buildPlatform);
  const objects = rendered.objects as Manifest[];

  test('YAML snapshot of every file', () => {
    for (const file of rendered.files) {
      expect(file.content).toMatchSnapshot(file.name);
    }
  });

  test('the StatefulSets and their replicas', () => {
    const replicas = Object.fromEntries(all(objects, 'StatefulSet').map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s.spec.replicas]));
    expect(replicas).toEqual({
      'ml-db/postgres': 3,
      'ml-features/feast-redis': 3,
      'ml-features/feast-redis-sentinel': 3,
      'ml-tracking/minio': sizingFor(profile).objectStore.replicas,
      // A StatefulSet trainer only where the GPU ranks have no ReadWriteMany tier for their checkpoints (GKE and EKS
      // without a declared network or file system); elsewhere the run is an Indexed Job.
      ...(TRAINING_JOB[name] ? {} : { 'ml-training/pytorch': 4 }),
    });
    // MLflow is a Deployment whose replicas are left to the HorizontalPodAutoscaler, so Argo CD does not fight it.
    const mlflow = all(objects, 'Deployment').find((d) => d.metadata.name === 'mlflow')!;
    expect('replicas' in mlflow.spec).toBe(false);
    if (TRAINING_JOB[name]) expect(find(objects, 'Job', 'pytorch').spec.parallelism).toBe(TRAINING_JOB[name]);
  });

  test('snapshots where the profile has a snapshot driver, logical backups everywhere', () => {
    const snapshotting = profile.snapshotDriver !== undefined;
    expect(snapshotting).toBe(name !== 'kind');
    // Two classes of the driver: Retain (the default, manual and pre-upgrade snapshots) and Delete (scheduled ones).
    expect(all(objects, 'VolumeSnapshotClass').map((o) => `${o.metadata.name} ${o.driver} ${o.deletionPolicy}`)).toEqual(snapshotting ? [
      `ml-snapshots ${profile.snapshotDriver!.provisioner} Retain`, `ml-snapshots-scheduled ${profile.snapshotDriver!.provisioner} Delete`,
    ] : []);
    expect(all(objects, 'CronJob').map((o) => o.metadata.name).sort()).toEqual(
      snapshotting ? ['postgres-logical-backup', 'postgres-snapshots'] : ['postgres-logical-backup']);
  });

  test('every claim template and claim uses a StorageClass of the pack', () => {
    const classes = new Set(all(objects, 'StorageClass').map((o) => o.metadata.name));
    const used = [
      ...all(objects, 'StatefulSet').flatMap((s) => (s.spec.volumeClaimTemplates ?? []).map((t: any) => t.spec.storageClassName)),
      ...all(objects, 'PersistentVolumeClaim').map((c) => c.spec.storageClassName),
    ];
    // postgres data, minio, feast-redis, trainer checkpoints; plus the shared dataset where the profile has it.
    expect(used.length).toBe(profile.supportsReadWriteMany ? 5 : 4);
    for (const c of used) expect(classes.has(c)).toBe(true);
  });
});
