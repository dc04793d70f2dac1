import { renderWith } from '../../apps/main';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { sizingFor } from '../../apps/sizing';
import { Manifest, all, find } from '../support/synth';

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
      'ml-tracking/minio': sizingFor(profile).objectStore.replicas,
      // Left to the HorizontalPodAutoscaler, so Argo CD does not fight it.
      'ml-tracking/mlflow': undefined,
    });
    // The training run is an Indexed Job of 4 ranks, not a StatefulSet.
    expect(find(objects, 'Job', 'pytorch').spec.parallelism).toBe(4);
  });

  test('snapshots where the profile has a snapshot driver, logical backups everywhere', () => {
    const snapshotting = profile.snapshotDriver !== undefined;
    expect(snapshotting).toBe(name !== 'kind');
    expect(all(objects, 'VolumeSnapshotClass').map((o) => o.driver)).toEqual(snapshotting ? [profile.snapshotDriver!.provisioner] : []);
    expect(all(objects, 'CronJob').map((o) => o.metadata.name).sort()).toEqual(
      snapshotting ? ['postgres-logical-backup', 'postgres-snapshots'] : ['postgres-logical-backup']);
  });

  test('every claim template and claim uses a StorageClass of the pack', () => {
    const classes = new Set(all(objects, 'StorageClass').map((o) => o.metadata.name));
    const used = [
      ...all(objects, 'StatefulSet').flatMap((s) => (s.spec.volumeClaimTemplates ?? []).map((t: any) => t.spec.storageClassName)),
      ...all(objects, 'PersistentVolumeClaim').map((c) => c.spec.storageClassName),
    ];
    expect(used.length).toBeGreaterThanOrEqual(5);
    for (const c of used) expect(classes.has(c)).toBe(true);
  });
});
