import { Profile, SnapshotSchedule } from '../../lib';
import { KUBECTL_IMAGES } from '../../lib/storage';
import { gkeWithShared } from '../support/clusters';
import { Manifest, find, synth } from '../support/synth';
import { withSnapshotClass } from './support/workloads';
import { expectGatesPass } from '../support/gates';
import { renderedScript } from '../support/scripts';

const SCRIPT = renderedScript('stateful/scripts/snapshot-claims.sh');

function scheduled(profile: Profile, props: Partial<ConstructorParameters<typeof SnapshotSchedule>[2]> = {}) {
  const built = withSnapshotClass(profile);
  const schedule = new SnapshotSchedule(built.chart, 'snapshots-pg', {
    target: built.workload, snapshotClass: built.snapshotClass, schedule: '0 3 * * *', ...props,
  });
  return { ...built, schedule, objects: () => synth(built.chart) };
}

function envOf(cronJob: Manifest): Record<string, string> {
  const [container] = cronJob.spec.jobTemplate.spec.template.spec.containers;
  return Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
}

describe('SnapshotSchedule', () => {
  test('the kubectl image is of the profile\'s minor (kubectl supports one minor of skew; the same minor is right everywhere)', () => {
    for (const [profile, tag] of [[Profile.kind({ csiHostpath: true, kubeVersion: '1.30' }), '1.30.14'], [Profile.gke({ kubeVersion: '1.27' }), '1.27.16'], [Profile.aks({ kubeVersion: '1.34' }), '1.34.1']] as const) {
      const cronJob = find(scheduled(profile).objects(), 'CronJob', 'pg-snapshots');
      const image: string = cronJob.spec.jobTemplate.spec.template.spec.containers[0].image;
      expect(image).toBe(`docker.io/alpine/kubectl:${tag}`);
      expect(image.split(':')[1].split('.').slice(0, 2).join('.')).toBe(profile.kubeVersion.toString());
    }
    // One image per supported minor, each of its own minor.
    for (const [minor, image] of Object.entries(KUBECTL_IMAGES)) expect(image).toMatch(new RegExp(`^docker\\.io/alpine/kubectl:1\\.${minor}\\.\\d+$`));
  });

  test('CronJob: Forbid, starting deadline, UTC, restricted pod running the script from its ConfigMap', () => {
    const { objects } = scheduled(Profile.gke(), { keep: 5 });
    const o = objects();
    const cronJob = find(o, 'CronJob', 'pg-snapshots');
    expect(cronJob.metadata.namespace).toBe('ml-db');
    expect(cronJob.spec).toMatchObject({
      schedule: '0 3 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600, suspend: false,
    });
    const job = cronJob.spec.jobTemplate.spec;
    expect(job).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800 });
    const pod = job.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'pg-snapshots',
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const [container] = pod.containers;
    expect(container.image).toBe(KUBECTL_IMAGES[35]);
    expect(container.command).toEqual(['/bin/sh', '/scripts/snapshot-claims.sh']);
    expect(container.args).toBeUndefined();
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(envOf(cronJob)).toEqual({
      NAMESPACE: 'ml-db', STATEFULSET: 'pg', TEMPLATES: 'data wal',
      SELECTOR: 'app.kubernetes.io/name=postgres,app.kubernetes.io/instance=pg',
      SNAPSHOT_CLASS: 'ml-snapshots', SCHEDULE: 'pg-snapshots', KEEP: '5', HOME: '/tmp',
    });
    // The script is mounted from the ConfigMap, which holds the file as it is in the repository.
    const scriptVolume = pod.volumes.find((v: any) => v.name === 'script');
    expect(container.volumeMounts).toContainEqual({ name: 'script', mountPath: '/scripts', readOnly: true });
    const configMap = find(o, 'ConfigMap', scriptVolume.configMap.name);
    expect(configMap.metadata.namespace).toBe('ml-db');
    expect(configMap.data['snapshot-claims.sh']).toBe(SCRIPT);
  });

  test('the selector the script lists claims by selects the claims the StatefulSet creates', () => {
    const { objects } = scheduled(Profile.eks());
    const o = objects();
    const sts = find(o, 'StatefulSet', 'pg');
    const selector = Object.fromEntries(envOf(find(o, 'CronJob', 'pg-snapshots')).SELECTOR.split(',').map((kv) => kv.split('=')));
    for (const template of sts.spec.volumeClaimTemplates) {
      expect(Object.entries(selector).every(([k, v]) => template.metadata.labels[k] === v)).toBe(true);
    }
    expect(envOf(find(o, 'CronJob', 'pg-snapshots')).TEMPLATES.split(' ')).toEqual(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name));
  });

  test('RBAC: exactly list claims and create/list/delete VolumeSnapshots, bound to the job account only; no pods/exec', () => {
    const { objects, schedule } = scheduled(Profile.aks());
    const o = objects();
    const role = find(o, 'Role', 'pg-snapshots');
    expect(role.metadata.namespace).toBe('ml-db');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'list', 'delete'] },
    ]);
    expect(JSON.stringify(o)).not.toContain('pods/exec');
    expect(schedule.rules).toEqual(role.rules);
    expect(find(o, 'RoleBinding', 'pg-snapshots')).toMatchObject({
      metadata: { namespace: 'ml-db' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pg-snapshots' },
      subjects: [{ kind: 'ServiceAccount', name: 'pg-snapshots', namespace: 'ml-db' }],
    });
    // Only the job's pod mounts a token; the account does not hand one to anything else.
    expect(find(o, 'ServiceAccount', 'pg-snapshots').automountServiceAccountToken).toBe(false);
    expect(o.filter((x) => x.kind === 'ClusterRole' || x.kind === 'ClusterRoleBinding')).toEqual([]);
  });

  test('from 1.30 an admission policy lets the job create and delete only the snapshots labelled with its schedule', () => {
    const o = scheduled(Profile.gke({ kubeVersion: '1.30' })).objects();
    const user = 'system:serviceaccount:ml-db:pg-snapshots';
    const labelled = (object: string) => `has(${object}.metadata.labels) && 'ml.cdk8s.io/snapshot-schedule' in ${object}.metadata.labels && ` +
      `${object}.metadata.labels['ml.cdk8s.io/snapshot-schedule'] == 'pg-snapshots'`;
    expect(find(o, 'ValidatingAdmissionPolicy', 'ml-db-pg-snapshots-own-snapshots').spec).toEqual({
      failurePolicy: 'Fail',
      matchConstraints: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-db' } },
        resourceRules: [{ apiGroups: ['snapshot.storage.k8s.io'], apiVersions: ['*'], operations: ['CREATE', 'DELETE'], resources: ['volumesnapshots'] }],
      },
      matchConditions: [{ name: 'snapshot-schedule-job', expression: `request.userInfo.username == '${user}'` }],
      validations: [{
        expression: `request.operation == 'DELETE' ? (${labelled('oldObject')}) : (${labelled('object')})`,
        message: `${user} may create and delete only VolumeSnapshots labelled ml.cdk8s.io/snapshot-schedule=pg-snapshots`,
      }],
    });
    expect(find(o, 'ValidatingAdmissionPolicyBinding', 'ml-db-pg-snapshots-own-snapshots').spec)
      .toEqual({ policyName: 'ml-db-pg-snapshots-own-snapshots', validationActions: ['Deny'] });
    // The label the policy checks is the one the script writes on every snapshot and prunes by.
    expect(SCRIPT).toContain("SCHEDULE_LABEL='ml.cdk8s.io/snapshot-schedule'");
    expect(SCRIPT).toContain('$SCHEDULE_LABEL: $SCHEDULE');
    expect(envOf(find(o, 'CronJob', 'pg-snapshots')).SCHEDULE).toBe('pg-snapshots');
    expectGatesPass(o, '1.30');
    // Below 1.30 the API has no ValidatingAdmissionPolicy to render.
    expect(scheduled(Profile.gke({ kubeVersion: '1.29' })).objects().filter((x) => x.kind.startsWith('ValidatingAdmission'))).toEqual([]);
  });

  test('templates, name, time zone, deadlines, image and suspend are honoured', () => {
    const { objects, schedule } = scheduled(Profile.gke(), {
      templates: ['data'], name: 'pg-data-hourly', schedule: '@hourly', timeZone: 'Europe/Berlin',
      startingDeadlineSeconds: 120, activeDeadlineSeconds: 600, image: 'example/kubectl-sh:1.32.1', suspend: true,
    });
    const cronJob = find(objects(), 'CronJob', 'pg-data-hourly');
    expect(cronJob.spec).toMatchObject({ schedule: '@hourly', timeZone: 'Europe/Berlin', startingDeadlineSeconds: 120, suspend: true });
    expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(600);
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('example/kubectl-sh:1.32.1');
    expect(envOf(cronJob).TEMPLATES).toBe('data');
    expect(schedule.claimNames).toEqual(['data-pg-0', 'data-pg-1']);
    expect(schedule.snapshotNamePattern('data-pg-0')).toBe('data-pg-0-<yyyymmdd-hhmmss>');
  });

  test('accepts anything exposing a StatefulWorkload as `workload`', () => {
    const built = withSnapshotClass(Profile.eks());
    const schedule = new SnapshotSchedule(built.chart, 'via-owner', {
      target: { workload: built.workload }, snapshotClass: built.snapshotClass, schedule: '30 2 * * 0',
    });
    expect(schedule.workload).toBe(built.workload);
    expect(find(synth(built.chart), 'CronJob', 'pg-snapshots').spec.schedule).toBe('30 2 * * 0');
  });

  test.each([
    ['kind with csi-hostpath', Profile.kind({ csiHostpath: true })],
    ['gke', Profile.gke()], ['eks', Profile.eks()], ['aks', Profile.aks()],
  ])('%s: the output passes the gates (strict schema incl. VolumeSnapshotClass, PSS restricted)', (_, profile) => {
    const { objects } = scheduled(profile);
    expectGatesPass(objects(), profile);
  });
});

describe('SnapshotSchedule bad input', () => {
  test('a schedule that is not cron', () => {
    const { objects } = scheduled(Profile.gke(), { schedule: '0 25 * * *' });
    expect(objects).toThrow("[test/snapshots-pg] invalid schedule '0 25 * * *': hour field '25' is out of range 0-23; " +
      "use five fields 'minute hour day-of-month month day-of-week', e.g. '0 3 * * *' (daily at 03:00), or a descriptor such as '@daily'");
  });

  test('six fields, TZ inside the schedule and unknown descriptors', () => {
    expect(scheduled(Profile.gke(), { schedule: '0 0 3 * * *' }).objects).toThrow("invalid schedule '0 0 3 * * *': expected 5 fields, got 6;");
    expect(scheduled(Profile.gke(), { schedule: 'CRON_TZ=UTC 0 3 * * *' }).objects).toThrow(
      "invalid schedule 'CRON_TZ=UTC 0 3 * * *': Kubernetes rejects TZ/CRON_TZ inside the schedule; set the timeZone property instead");
    expect(scheduled(Profile.gke(), { schedule: '@fortnightly' }).objects).toThrow("invalid schedule '@fortnightly': unknown descriptor;");
  });

  test('keep < 1, an active deadline < 1', () => {
    expect(scheduled(Profile.gke(), { keep: 0, activeDeadlineSeconds: 0 }).objects).toThrow([
      '[test/snapshots-pg] keep 0 must be a whole number ≥ 1: pruning would delete every snapshot, including the one just taken',
      '[test/snapshots-pg] activeDeadlineSeconds 0 must be a whole number ≥ 1',
    ].join('\n'));
  });

  test('a starting deadline under the controller period, a bad time zone, an unpinned image', () => {
    const { objects } = scheduled(Profile.gke(), {
      startingDeadlineSeconds: 5, timeZone: 'CET+1', image: 'alpine/kubectl',
    });
    expect(objects).toThrow([
      '[test/snapshots-pg] invalid timeZone \'CET+1\': use an IANA time zone name such as \'Etc/UTC\' or \'Europe/Berlin\' (this one is not in the tz database)',
      '[test/snapshots-pg] startingDeadlineSeconds 5 must be a whole number ≥ 10: the CronJob controller checks every 10 seconds and would miss every run',
      "[test/snapshots-pg] image 'alpine/kubectl' has no tag: pin a version (e.g. 'alpine/kubectl:1.2.3') or a digest",
    ].join('\n'));
  });

  test('a claim on a tier the snapshot driver does not provision', () => {
    const built = withSnapshotClass(gkeWithShared(), { shared: true });
    expect(() => new SnapshotSchedule(built.chart, 'snapshots-pg', {
      target: built.workload, snapshotClass: built.snapshotClass, schedule: '@daily',
    })).toThrow("SnapshotSchedule 'test/snapshots-pg': claim template 'shared' of StatefulWorkload 'pg' is on tier 'shared' " +
      '(filestore.csi.storage.gke.io), which snapshot class \'ml-snapshots\' (pd.csi.storage.gke.io) cannot snapshot: ' +
      'move the data to a tier of pd.csi.storage.gke.io, leave the template out with templates: [...], or back it up logically.');
    // Leaving it out works.
    const ok = new SnapshotSchedule(built.chart, 'snapshots-pg-block', {
      target: built.workload, snapshotClass: built.snapshotClass, schedule: '@daily', templates: ['data', 'wal'], name: 'pg-block-snapshots',
    });
    expect(ok.templates.map((t) => t.name)).toEqual(['data', 'wal']);
  });

  test('unknown templates, a too-long name', () => {
    const built = withSnapshotClass(Profile.gke());
    const base = { target: built.workload, snapshotClass: built.snapshotClass, schedule: '@daily' };
    expect(() => new SnapshotSchedule(built.chart, 'a', { ...base, templates: ['logs'] })).toThrow(
      "SnapshotSchedule 'test/a': StatefulWorkload 'pg' has no volume claim template 'logs' (it has: data, wal).");
    expect(() => new SnapshotSchedule(built.chart, 'b', { ...base, name: 'x'.repeat(53) })).toThrow(
      `SnapshotSchedule 'test/b': invalid name '${'x'.repeat(53)}' (53 characters): a CronJob name is a DNS-1123 label of at most 52 characters; pass a shorter name.`);
  });
});
