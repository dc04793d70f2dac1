import { App } from 'cdk8s';
import { renderProfile } from '../../lib';
import { buildPlatform } from '../../apps/platform';
import { referenceProfiles } from '../../apps/profiles';
import { Manifest, all, find, findJob } from '../support/synth';

describe('reference platform: data protection of ml-db', () => {
  const rendered = referenceProfiles().map((profile) => {
    const app = new App();
    const platform = buildPlatform(app, profile);
    const { objects, files } = renderProfile(app, profile);
    return { profile, platform, objects: objects as Manifest[], files };
  });

  test.each(rendered.map((r) => [r.profile.name, r] as const))('%s: nightly logical backup of the database into MinIO, admitted by both NetworkPolicies', (_, r) => {
    const cronJob = find(r.objects, 'CronJob', 'postgres-logical-backup');
    expect(cronJob.metadata.namespace).toBe('ml-db');
    expect(cronJob.spec.schedule).toBe('15 1 * * *');
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    const [dump] = pod.initContainers;
    expect(dump.env.find((e: any) => e.name === 'PGHOST').value).toBe(r.platform.database.readWriteService.host);
    const [upload] = pod.containers;
    const env = Object.fromEntries(upload.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      S3_ENDPOINT: r.platform.objectStore.endpoint, S3_BUCKET: 'ml-db-backups', S3_PREFIX: 'postgres', KEEP: '7',
      // The backup's own MinIO user, never the root key.
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'minio-postgres-backup', key: 'username' } },
    });
    expect(pod.volumes).toContainEqual({ name: 'dump', emptyDir: { sizeLimit: r.profile.name === 'kind' ? '5Gi' : '50Gi' } });
    // The bucket exists: MinIO's bucket Job creates it.
    expect(findJob(r.objects, 'minio-buckets').spec.template.spec.containers[0].command.slice(4)).toEqual(['ml-artifacts', 'ml-db-backups']);
    expect(all(r.objects, 'PersistentVolumeClaim').filter((c) => c.metadata.name === 'postgres-backups')).toEqual([]);
    const podLabels = cronJob.spec.jobTemplate.spec.template.metadata.labels;
    const admits = (policy: Manifest, port: number) => policy.spec.ingress.some((rule: any) =>
      rule.ports?.some((p: any) => p.port === port) && rule.from.some((f: any) =>
        f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'ml-db'
        && f.podSelector.matchLabels['app.kubernetes.io/name'] === 'logical-backup'
        && Object.entries(f.podSelector.matchLabels).every(([k, v]) => podLabels[k] === v)));
    expect(admits(find(r.objects, 'NetworkPolicy', 'postgres'), 5432)).toBe(true);
    expect(admits(find(r.objects, 'NetworkPolicy', 'minio'), 9000)).toBe(true);
    expect(r.files.map((f) => f.name)).toContain('protection.k8s.yaml');
  });

  test('snapshots where the profile has a snapshot driver, with the class of its driver, and no exec into the database', () => {
    for (const r of rendered) {
      const driver = r.profile.snapshotDriver;
      const schedules = all(r.objects, 'CronJob').filter((c) => c.metadata.name === 'postgres-snapshots');
      if (!driver) {
        expect(r.profile.name).toBe('kind');
        expect(schedules).toEqual([]);
        expect(all(r.objects, 'VolumeSnapshotClass')).toEqual([]);
        continue;
      }
      // Manual and pre-upgrade snapshots (the driver's default class) keep their storage snapshot; the schedule's class
      // deletes it with the VolumeSnapshot, so pruning frees the cloud snapshot too.
      expect(find(r.objects, 'VolumeSnapshotClass', 'ml-snapshots')).toMatchObject({
        driver: driver.provisioner, deletionPolicy: 'Retain', metadata: { annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
      });
      expect(find(r.objects, 'VolumeSnapshotClass', 'ml-snapshots-scheduled')).toMatchObject({ driver: driver.provisioner, deletionPolicy: 'Delete' });
      expect(find(r.objects, 'VolumeSnapshotClass', 'ml-snapshots-scheduled').metadata.annotations['snapshot.storage.kubernetes.io/is-default-class']).toBeUndefined();
      // The database's claims come from a StorageClass of the same driver.
      const sts = find(r.objects, 'StatefulSet', 'postgres');
      const storageClass = find(r.objects, 'StorageClass', sts.spec.volumeClaimTemplates[0].spec.storageClassName);
      expect(storageClass.provisioner).toBe(driver.provisioner);
      // No exec into the database: the job touches claims and snapshots only.
      const [cronJob] = schedules;
      const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.env).toContainEqual({ name: 'SNAPSHOT_CLASS', value: 'ml-snapshots-scheduled' });
      // kubectl of the cluster's minor.
      expect(container.image.split(':')[1].split('.').slice(0, 2).join('.')).toBe(r.profile.kubeVersion.toString());
      expect(container.args).toBeUndefined();
      expect(find(r.objects, 'Role', 'postgres-snapshots').rules.flatMap((rule: any) => rule.resources)).toEqual(['persistentvolumeclaims', 'volumesnapshots']);
    }
  });
});
