import { Credentials, DatabaseEngine, HighAvailability, Profile, StatefulDatabaseProps } from '../../lib';
import { PRIMARY_ROLE, REPLICA_ROLE, ROLE_LABEL } from '../../lib/databases';
import { Manifest, all, find, selects, synth } from '../support/synth';
import { PROFILES, postgresDatabase } from '../support/databases';
import { expectGatesPass } from '../support/gates';

/** The fixture database with Patroni, a synchronous replica, its own replication Secret and MLflow's database. */
function postgres(profile: Profile, extra: Partial<StatefulDatabaseProps> = {}) {
  const { chart, db } = postgresDatabase(profile, {
    synchronousReplicas: 1,
    replicationCredentials: Credentials.existingSecret('postgres-replication'),
    resources: { memory: '1Gi' },
    highAvailability: HighAvailability.patroni(),
    ...extra,
  });
  db.addDatabase('mlflow');
  return { chart, db };
}

const serverOf = (sts: Manifest) => sts.spec.template.spec.containers.find((c: any) => c.name === 'postgres');

describe('StatefulDatabase with HighAvailability.patroni()', () => {
  test.each(PROFILES)('%s: -rw selects the leader label, -ro the replica label, both values are what Patroni writes, gates pass', (_n, make) => {
    const profile = make();
    const { chart, db } = postgres(profile);
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'postgres');
    const config = JSON.parse(find(objects, 'ConfigMap', 'postgres-patroni').data['patroni.yml']);
    const rw = find(objects, 'Service', 'postgres-rw');
    const ro = find(objects, 'Service', 'postgres-ro');
    const k = config.kubernetes;

    // Patroni writes `role_label: leader_label_value` on the leader, `follower_label_value` on replicas.
    expect(k.role_label).toBe(ROLE_LABEL);
    expect(rw.spec.selector).toEqual({ 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', [k.role_label]: k.leader_label_value });
    expect(ro.spec.selector).toEqual({ 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', [k.role_label]: k.follower_label_value });
    expect([k.leader_label_value, k.follower_label_value]).toEqual([PRIMARY_ROLE, REPLICA_ROLE]);
    // No pod carries a role from the template (Patroni alone sets it), so before Patroni labels
    // a pod neither Service selects it; once labelled, the Service selectors match the pod.
    const podLabels = sts.spec.template.metadata.labels;
    expect(podLabels[ROLE_LABEL]).toBeUndefined();
    expect(selects(rw.spec.selector, { ...podLabels, [ROLE_LABEL]: PRIMARY_ROLE })).toBe(true);
    expect(selects(rw.spec.selector, { ...podLabels, [ROLE_LABEL]: REPLICA_ROLE })).toBe(false);
    expect(selects(ro.spec.selector, { ...podLabels, [ROLE_LABEL]: REPLICA_ROLE })).toBe(true);
    expect(selects(ro.spec.selector, { ...podLabels, [ROLE_LABEL]: PRIMARY_ROLE })).toBe(false);
    // Patroni finds its members by its labels plus scope_label = scope: the pods carry them.
    expect(selects({ ...k.labels, [k.scope_label]: config.scope }, podLabels)).toBe(true);
    expect(k.namespace).toBe('ml-db');
    expect(db.readWriteService.selector[ROLE_LABEL]).toBe(PRIMARY_ROLE);
    expect(db.readOnlyService?.selector[ROLE_LABEL]).toBe(REPLICA_ROLE);

    expectGatesPass(objects, profile);
  });

  test.each(PROFILES)('%s: manual mode: -rw selects pod 0 by the controller\'s pod-name label, -ro every pod, no role label anywhere', (_n, make) => {
    const profile = make();
    const { chart } = postgres(profile, { highAvailability: HighAvailability.manual() });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'postgres');
    const podLabels = sts.spec.template.metadata.labels;
    const rw = find(objects, 'Service', 'postgres-rw');
    const ro = find(objects, 'Service', 'postgres-ro');
    expect(rw.spec.selector).toEqual({ 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'statefulset.kubernetes.io/pod-name': 'postgres-0' });
    for (const ordinal of [0, 1, 2]) {
      const pod = { ...podLabels, 'statefulset.kubernetes.io/pod-name': `postgres-${ordinal}` };
      expect(selects(rw.spec.selector, pod)).toBe(ordinal === 0);
      expect(selects(ro.spec.selector, pod)).toBe(true);
    }
    expect(podLabels[ROLE_LABEL]).toBeUndefined();
    expect(sts.spec.template.metadata.annotations['ml.cdk8s.io/runtime-labels']).toBeUndefined();
    expect(all(objects, 'Role')).toEqual([]);
    expectGatesPass(objects, profile);
  });

  test('least-privilege RBAC in the database namespace only: DCS ConfigMaps and its own pods, no exec, no Secrets', () => {
    const { chart } = postgres(Profile.kind());
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'postgres');
    const role = find(objects, 'Role', 'postgres-patroni');
    const binding = find(objects, 'RoleBinding', 'postgres-patroni');
    expect(all(objects, 'ClusterRole')).toEqual([]);
    expect(all(objects, 'ClusterRoleBinding')).toEqual([]);
    expect(role.metadata.namespace).toBe('ml-db');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['postgres-config', 'postgres-leader', 'postgres-sync', 'postgres-failover'], verbs: ['update', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: ['postgres-0', 'postgres-1', 'postgres-2'], verbs: ['patch', 'update'] },
    ]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'postgres-patroni' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'postgres-patroni', namespace: 'ml-db' }]);
    expect(sts.spec.template.spec.serviceAccountName).toBe('postgres-patroni');
    expect(sts.spec.template.spec.automountServiceAccountToken).toBe(true);
    // Patroni's DCS ConfigMap postgres-config is not ours: ours is postgres-patroni.
    expect(all(objects, 'ConfigMap').map((c) => c.metadata.name)).toEqual(['postgres-patroni']);
  });

  test('Patroni configuration: synchronous mode (strict when asked), pg_rewind, slots, cluster-wide parameters in the DCS, callbacks', () => {
    const { chart } = postgres(Profile.kind(), { highAvailability: HighAvailability.patroni({ strictSynchronous: true }), maxReadyLag: '8Mi' });
    const objects = synth(chart);
    const config = JSON.parse(find(objects, 'ConfigMap', 'postgres-patroni').data['patroni.yml']);
    const dcs = config.bootstrap.dcs;
    expect(dcs).toMatchObject({
      ttl: 20, loop_wait: 5, retry_timeout: 5, maximum_lag_on_failover: 8 * 2 ** 20,
      synchronous_mode: true, synchronous_mode_strict: true, synchronous_node_count: 1,
      postgresql: { use_pg_rewind: true, use_slots: true },
    });
    expect(dcs.postgresql.parameters).toMatchObject({ max_connections: '200', wal_level: 'replica', hot_standby: 'on', max_slot_wal_keep_size: '4096MB' });
    expect(config.postgresql.parameters).toMatchObject({ shared_buffers: '256MB', password_encryption: 'scram-sha-256', unix_socket_directories: '/var/run/postgresql' });
    expect(config.postgresql.parameters.synchronous_standby_names).toBeUndefined();
    expect(config.postgresql.parameters.listen_addresses).toBeUndefined();
    expect(config.postgresql).toMatchObject({
      listen: '0.0.0.0:5432', data_dir: '/var/lib/postgresql/data/pgdata', bin_dir: '/usr/lib/postgresql/16/bin',
      remove_data_directory_on_rewind_failure: false, remove_data_directory_on_diverged_timelines: false,
      callbacks: { on_start: 'sh /etc/db/config/patroni-callback.sh', on_role_change: 'sh /etc/db/config/patroni-callback.sh' },
    });
    expect(config.postgresql.pg_hba).toEqual([
      'local all all trust', 'host replication replicator all scram-sha-256', 'host all all all scram-sha-256',
    ]);
    const sts = find(objects, 'StatefulSet', 'postgres');
    const server = serverOf(sts);
    expect(server.image).toBe('ghcr.io/zalando/spilo-16:3.2-p3');
    expect(server.command).toEqual(['sh', '/etc/db/config/run.sh']);
    expect(sts.spec.template.spec.initContainers).toBeUndefined();
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 103, fsGroup: 103, runAsNonRoot: true });
    // Passwords only by reference.
    const env = Object.fromEntries(server.env.map((e: any) => [e.name, e]));
    expect(env.PATRONI_SUPERUSER_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'postgres-credentials', key: 'password' });
    expect(env.PATRONI_REPLICATION_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'postgres-replication', key: 'password' });
    expect(env.DB_READY_MAX_LAG_BYTES.value).toBe(String(8 * 2 ** 20));
    // Readiness: the rendered script; liveness: Patroni's loop, never lag.
    expect(server.readinessProbe.exec.command).toEqual(['sh', '/etc/db/config/ready.sh']);
    expect(server.livenessProbe.httpGet).toEqual({ path: '/liveness', port: 'patroni' });
    expect(server.volumeMounts).toContainEqual({ name: 'shm', mountPath: '/dev/shm' });
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } });
  });

  test('bad combinations fail with the construct path, the value and the fix', () => {
    expect(() => postgres(Profile.kind(), { synchronousReplicas: 0, highAvailability: HighAvailability.patroni({ strictSynchronous: true }) }))
      .toThrow("StatefulDatabase 'test/postgres': strictSynchronous needs synchronousReplicas ≥ 1");
    expect(() => postgres(Profile.kind(), { highAvailability: HighAvailability.patroni({ ttl: 10 }) }))
      .toThrow('Patroni ttl 10 must be at least loopWait + 2 × retryTimeout (15)');
    expect(() => postgres(Profile.kind(), { engine: DatabaseEngine.postgres('17.2') }))
      .toThrow('no default Patroni image for PostgreSQL 17.2');
    expect(() => postgres(Profile.kind(), { engine: DatabaseEngine.mariadb('11.4.4'), synchronousReplicas: 0 }))
      .toThrow('HighAvailability.patroni() is PostgreSQL\'s automatic failover; MariaDB 11.4.4 has none');
  });
});
