import { Chart } from 'cdk8s';
import {
  Credentials, DatabaseEngine, Profile, StatefulDatabase, StorageClassPack, UpdateStrategy,
} from '../../lib';
import { Manifest, all, find, newChart, selects, synth } from '../support/synth';
import { PROFILES, postgresDatabase } from '../support/databases';
import { expectGatesPass } from '../support/gates';

const postgres = postgresDatabase;

const template = (sts: Manifest) => sts.spec.template;
const container = (sts: Manifest, name: string) =>
  [...(template(sts).spec.initContainers ?? []), ...template(sts).spec.containers].find((c: any) => c.name === name);
const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('StatefulDatabase: the issue example (3-replica PostgreSQL in ml-db)', () => {
  test.each(PROFILES)('%s: typed identity matches the objects, Services select the right pods, gates pass', (_name, make) => {
    const profile = make();
    const { chart, pack, db } = postgres(profile);
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'postgres');

    expect(db.primaryHost).toBe('postgres-0.postgres-headless.ml-db.svc.cluster.local');
    expect(db.podHost(2)).toBe('postgres-2.postgres-headless.ml-db.svc.cluster.local');
    expect(() => db.podHost(3)).toThrow("StatefulWorkload 'test/postgres/Workload' has ordinals 0..2; 3 is out of range: use an ordinal below replicas (3).");
    expect(db.port).toBe(5432);
    expect(db.family).toBe('postgres');
    expect(db.credentials.secretName).toBe('postgres-credentials');
    expect(db.claimName(1)).toBe('data-postgres-1');

    // The pod DNS names resolve through the headless Service that governs the StatefulSet.
    const headless = find(objects, 'Service', 'postgres-headless');
    expect(sts.spec.serviceName).toBe('postgres-headless');
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(selects(headless.spec.selector, template(sts).metadata.labels)).toBe(true);
    expect(sts.spec.replicas).toBe(3);

    // Read-write: pod 0 only, by the label the StatefulSet controller puts on each pod.
    const rw = find(objects, 'Service', 'postgres-rw');
    expect(db.readWriteService.host).toBe('postgres-rw.ml-db.svc.cluster.local');
    expect(rw.spec.selector).toEqual({
      'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'statefulset.kubernetes.io/pod-name': 'postgres-0',
    });
    expect(rw.spec.ports).toEqual([{ name: 'db', port: 5432, targetPort: 'db', protocol: 'TCP' }]);
    const ro = find(objects, 'Service', 'postgres-ro');
    expect(db.readOnlyService?.host).toBe('postgres-ro.ml-db.svc.cluster.local');
    expect(selects(ro.spec.selector, template(sts).metadata.labels)).toBe(true);
    // Documented: the primary is a member of the read-only Service too (it has the same labels).
    expect(selects(ro.spec.selector, { ...template(sts).metadata.labels, 'statefulset.kubernetes.io/pod-name': 'postgres-0' })).toBe(true);

    // Storage from the pack's fast tier of this profile.
    expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres' } },
      spec: {
        accessModes: ['ReadWriteOnce'], storageClassName: pack.fast.storageClassName, resources: { requests: { storage: '20Gi' } },
        // Kubernetes 1.34+ on a driver that modifies volumes (EKS gp3 iops/throughput): the tier's VolumeAttributesClass.
        ...(pack.fast.volumeAttributesClassName ? { volumeAttributesClassName: pack.fast.volumeAttributesClassName } : {}),
      },
    })]);
    expect(sts.spec.topologySpreadConstraints ?? template(sts).spec.topologySpreadConstraints).toEqual([
      expect.objectContaining({ topologyKey: profile.zoneTopologyKey, whenUnsatisfiable: 'ScheduleAnyway' }),
    ]);

    // The official image's uid, a read-only root filesystem, emptyDirs where the server writes.
    expect(template(sts).spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    const server = container(sts, 'postgres');
    expect(server.image).toBe('postgres:16.4-bookworm');
    expect(server.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(server.volumeMounts.map((m: any) => m.mountPath)).toEqual(
      ['/var/lib/postgresql/data', '/etc/db/config', '/etc/db/secrets', '/dev/shm', '/var/run/postgresql', '/var/run/postgresql-auth', '/tmp']);
    expect(template(sts).spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name)).toEqual(
      ['shm', 'w-var-run-postgresql', 'w-var-run-postgresql-auth', 'w-tmp']);
    // /dev/shm in memory, a quarter of the memory limit by default.
    expect(template(sts).spec.volumes.find((v: any) => v.name === 'shm').emptyDir.medium).toBe('Memory');
    // Readiness is the rendered role-aware script; liveness only asks whether the server answers.
    expect(server.readinessProbe.exec.command).toEqual(['sh', '/etc/db/config/ready.sh']);
    expect(server.livenessProbe.exec.command).toEqual(['pg_isready', '-q', '-h', '/var/run/postgresql', '-p', '5432']);
    expect(envOf(server).DB_READY_MAX_LAG_BYTES).toBe(String(16 * 2 ** 20));

    // Every profile here is ≥ 1.28: the ordinal comes from the pod-index label.
    expect(envOf(server).POD_INDEX).toEqual({ fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" } });
    expect(envOf(server).PRIMARY_HOST).toBe(db.primaryHost);
    // Slots for ordinals 1..2; the empty-primary guard asks the replicas by their pod DNS names;
    // replicas write their pgpass file into an emptyDir.
    for (const name of ['bootstrap', 'postgres']) {
      expect(envOf(container(sts, name))).toMatchObject({
        DB_REPLICAS: '3',
        REPLICA_HOSTS: `${db.podHost(1)} ${db.podHost(2)}`,
        DB_PASSFILE: '/var/run/postgresql-auth/replication.pgpass',
      });
      expect(envOf(container(sts, name)).DB_ALLOW_INITDB_WITH_REPLICAS).toBeUndefined();
      expect(envOf(container(sts, name)).DB_RECOVER_PRIMARY_FROM).toBeUndefined();
    }
    expect(server.volumeMounts).toContainEqual({ name: 'w-var-run-postgresql-auth', mountPath: '/var/run/postgresql-auth' });

    expectGatesPass(objects, profile);
  });

  test('the pod runs the bootstrap script in an init container, then the run script; both from the ConfigMap', () => {
    const { chart } = postgres();
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'postgres');
    const config = find(objects, 'ConfigMap', 'postgres-config');
    expect(Object.keys(config.data).sort()).toEqual(['bootstrap.sh', 'databases.list', 'heal.sh', 'pg_hba.conf', 'postgresql.conf', 'ready.sh', 'reconcile.sh', 'run.sh']);
    expect(template(sts).spec.initContainers.map((c: any) => [c.name, c.image, c.command])).toEqual([
      ['bootstrap', 'postgres:16.4-bookworm', ['sh', '/etc/db/config/bootstrap.sh']],
    ]);
    expect(container(sts, 'postgres').command).toEqual(['sh', '/etc/db/config/run.sh']);
    expect(template(sts).spec.volumes).toEqual(expect.arrayContaining([
      { name: 'config', configMap: { name: 'postgres-config', defaultMode: 0o444 } },
    ]));
    expect(config.data['bootstrap.sh']).toContain('pg_basebackup');
    expect(config.data['bootstrap.sh'].startsWith('#!/bin/sh\n')).toBe(true);
    // The init container's temporary server sizes its buffers like the server: same resources.
    expect(container(sts, 'bootstrap').resources).toEqual(container(sts, 'postgres').resources);
    // SIGTERM is a smart shutdown: preStop stops fast.
    expect(container(sts, 'postgres').lifecycle.preStop.exec.command).toEqual(['sh', '-c', 'pg_ctl -D "$PGDATA" -m fast -w -t 50 stop']);
    expect(template(sts).spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('probes: pg_isready on the socket for startup and liveness, the role-aware ready.sh for readiness, startup allows 10 minutes of recovery', () => {
    const { chart } = postgres();
    const server = container(find(synth(chart), 'StatefulSet', 'postgres'), 'postgres');
    const command = ['pg_isready', '-q', '-h', '/var/run/postgresql', '-p', '5432'];
    expect(server.startupProbe).toEqual({ exec: { command }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120, successThreshold: 1 });
    expect(server.readinessProbe).toEqual({ exec: { command: ['sh', '/etc/db/config/ready.sh'] }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 });
    expect(server.livenessProbe).toEqual({ exec: { command }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6, successThreshold: 1 });
  });

  test('credentials by reference: superuser name through secretKeyRef, passwords as projected files, no Secret', () => {
    const { chart } = postgres(Profile.kind(), { replicationCredentials: Credentials.existingSecret('postgres-replication') });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', 'postgres');
    expect(all(objects, 'Secret')).toEqual([]);
    const env = envOf(container(sts, 'bootstrap'));
    expect(env.DB_SUPERUSER).toEqual({ secretKeyRef: { name: 'postgres-credentials', key: 'username' } });
    expect(env.PGUSER).toBe('$(DB_SUPERUSER)');
    expect(template(sts).spec.volumes.find((v: any) => v.name === 'secrets')).toEqual({
      name: 'secrets',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'postgres-credentials', items: [{ key: 'password', path: 'superuser/password' }] } },
          { secret: { name: 'postgres-replication', items: [{ key: 'password', path: 'replication/password' }] } },
        ],
      },
    });
  });

  test('external credentials: an ExternalSecret in the database namespace', () => {
    const { chart } = postgres(Profile.kind(), {
      credentials: Credentials.externalSecret({ secretName: 'pg-admin', store: 'vault', remoteKey: 'ml/postgres' }),
    });
    const external = all(synth(chart), 'ExternalSecret');
    expect(external.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ml-db/pg-admin']);
  });
});

describe('StatefulDatabase.addDatabase', () => {
  test('a database and user per consumer: grant, SQLAlchemy URL, Secret bound in ml-db, list and password file in the pod', () => {
    const { chart, db } = postgres();
    const grant = db.addDatabase('mlflow');
    expect(grant).toMatchObject({
      family: 'postgres', database: 'mlflow', user: 'mlflow', host: 'postgres-rw.ml-db.svc.cluster.local', port: 5432,
    });
    expect(grant.credentials.secretName).toBe('postgres-mlflow');
    expect(grant.credentials.namespaces).toEqual(['ml-db']);
    expect(grant.sqlalchemyUrl('DB_PASSWORD')).toBe('postgresql://mlflow:$(DB_PASSWORD)@postgres-rw.ml-db.svc.cluster.local:5432/mlflow');
    db.addDatabase('feature_registry', { user: 'feast', credentials: Credentials.existingSecret('feast-db', { password: 'pw' }) });
    expect(db.databases.map((g) => g.database)).toEqual(['mlflow', 'feature_registry']);

    const objects = synth(chart);
    expect(find(objects, 'ConfigMap', 'postgres-config').data['databases.list']).toBe(
      '# database user (the password is the file grants/<database>/password)\nmlflow mlflow\nfeature_registry feast\n');
    const volume = template(find(objects, 'StatefulSet', 'postgres')).spec.volumes.find((v: any) => v.name === 'secrets');
    expect(volume.projected.sources.slice(2)).toEqual([
      { secret: { name: 'postgres-mlflow', items: [{ key: 'password', path: 'grants/mlflow/password' }] } },
      { secret: { name: 'feast-db', items: [{ key: 'pw', path: 'grants/feature_registry/password' }] } },
    ]);
  });

  test('adding a database changes the config checksum, so the pods roll and the primary creates it', () => {
    const before = postgres();
    const after = postgres();
    after.db.addDatabase('mlflow');
    const checksum = (chart: Chart) => template(find(synth(chart), 'StatefulSet', 'postgres')).metadata.annotations['ml.cdk8s.io/config-checksum'];
    expect(checksum(before.chart)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(after.chart)).not.toBe(checksum(before.chart));
    expect(checksum(postgres().chart)).toBe(checksum(before.chart)); // deterministic
  });

  test('MySQL and MariaDB URLs use PyMySQL', () => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage');
    const mysql = new StatefulDatabase(chart, 'mysql', {
      engine: DatabaseEngine.mysql('8.4.3'), namespace: 'ml-db', storage: { tier: pack.fast, size: '10Gi' },
      credentials: Credentials.existingSecret('mysql-credentials'),
    });
    expect(mysql.addDatabase('feast').sqlalchemyUrl('PW')).toBe('mysql+pymysql://feast:$(PW)@mysql-rw.ml-db.svc.cluster.local:3306/feast');
  });

  test('bad names, duplicates and the replication user are refused', () => {
    const { db } = postgres();
    db.addDatabase('mlflow');
    expect(() => db.addDatabase('mlflow')).toThrow(
      "StatefulDatabase 'test/postgres': database 'mlflow' was already added; share the DatabaseGrant it returned.");
    expect(() => db.addDatabase('ML-Flow')).toThrow(
      "StatefulDatabase 'test/postgres': invalid database name 'ML-Flow': use lower-case letters, digits and '_' (not first), at most 63 characters.");
    expect(() => db.addDatabase('feast', { user: 'replicator' })).toThrow(
      "StatefulDatabase 'test/postgres': user 'replicator' is the replication user; choose another user name for database 'feast'.");
  });
});

describe('StatefulDatabase options', () => {
  test('allowFrom: a NetworkPolicy admitting the peer on the database port and the members among themselves', () => {
    const { chart, db } = postgres();
    db.allowFrom({ namespace: 'ml-tracking', podSelector: { 'app.kubernetes.io/name': 'mlflow' } });
    const policy = find(synth(chart), 'NetworkPolicy', 'postgres');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres' } });
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres' } } }] },
      {
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-tracking' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mlflow' } },
        }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
  });

  test('no NetworkPolicy until a client is declared', () => {
    expect(all(synth(postgres().chart), 'NetworkPolicy')).toEqual([]);
  });

  test('metrics: the pinned postgres exporter logs in as a pg_monitor role over the unix socket (no password); its port is scrapeable once allowed', () => {
    const { chart, db } = postgres(Profile.kind(), { metrics: true });
    db.allowMetricsFrom({ namespace: 'monitoring', podSelector: { 'app.kubernetes.io/name': 'prometheus' } });
    const objects = synth(chart);
    const exporter = container(find(objects, 'StatefulSet', 'postgres'), 'metrics');
    expect(exporter.image).toBe('quay.io/prometheuscommunity/postgres-exporter:v0.15.0');
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9187, protocol: 'TCP' }]);
    expect(envOf(exporter)).toEqual({
      DATA_SOURCE_NAME: 'host=/var/run/postgresql port=5432 user=metrics_exporter dbname=postgres sslmode=disable',
    });
    expect(exporter.volumeMounts).toEqual([{ name: 'w-var-run-postgresql', mountPath: '/var/run/postgresql' }]);
    // The server's socket directory is the emptyDir the exporter mounts; reconcile.sh creates the role.
    expect(container(find(objects, 'StatefulSet', 'postgres'), 'postgres').volumeMounts).toContainEqual({ name: 'w-var-run-postgresql', mountPath: '/var/run/postgresql' });
    expect(envOf(container(find(objects, 'StatefulSet', 'postgres'), 'bootstrap')).DB_MONITOR_USER).toBe('metrics_exporter');
    expect(exporter.readinessProbe.tcpSocket).toEqual({ port: 'metrics' });
    expect(find(objects, 'NetworkPolicy', 'postgres').spec.ingress[1].ports).toEqual([{ protocol: 'TCP', port: 9187 }]);
    // Clients reach only the database port through the rw/ro Services.
    expect(find(objects, 'Service', 'postgres-rw').spec.ports.map((p: any) => p.name)).toEqual(['db']);
  });

  test('metrics: the mysqld exporter gets the user as an argument and the password through secretKeyRef', () => {
    const { chart } = newChart(Profile.kind());
    const pack = new StorageClassPack(chart, 'storage');
    new StatefulDatabase(chart, 'mysql', {
      engine: DatabaseEngine.mysql('8.4.3'), namespace: 'ml-db', storage: { tier: pack.fast, size: '10Gi' },
      credentials: Credentials.existingSecret('mysql-credentials'), metrics: true,
    });
    const exporter = container(find(synth(chart), 'StatefulSet', 'mysql'), 'metrics');
    expect(exporter.image).toBe('prom/mysqld-exporter:v0.15.1');
    expect(exporter.args).toEqual(['--mysqld.address=127.0.0.1:3306', '--mysqld.username=$(DB_SUPERUSER)']);
    expect(envOf(exporter).MYSQLD_EXPORTER_PASSWORD).toEqual({ secretKeyRef: { name: 'mysql-credentials', key: 'password' } });
  });

  test('allowMetricsFrom without the exporter is an error', () => {
    const { db } = postgres();
    expect(() => db.allowMetricsFrom({ namespace: 'monitoring', podSelector: { app: 'prometheus' } })).toThrow(
      "StatefulDatabase 'test/postgres' has no metrics exporter: set metrics: true to scrape it.");
  });

  test('claim retention, canary partition and restore from a VolumeSnapshot reach the StatefulSet', () => {
    const { chart } = postgres(Profile.gke(), {
      replicas: 1,
      claimRetention: { whenScaled: 'Delete' },
      updateStrategy: UpdateStrategy.rollingUpdate({ partition: 1 }),
      restoreFrom: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'postgres-nightly' },
    });
    const sts = find(synth(chart), 'StatefulSet', 'postgres');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 1 } });
    expect(sts.spec.volumeClaimTemplates[0].spec.dataSource).toEqual(
      { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'postgres-nightly' });
  });

  test('restoreFrom with replicas is refused: every replica would start from a copy of the primary', () => {
    expect(() => postgres(Profile.gke(), {
      restoreFrom: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'postgres-nightly' },
    })).toThrow("StatefulDatabase 'test/postgres': restoreFrom would copy 'postgres-nightly' into all 3 data claims, and a replica holding a copy " +
      "of the primary's data would start as a second primary. Restore only ordinal 0 with RestoredClaim.forWorkload(");
  });

  test('Kubernetes 1.27 has no pod-index label: the scripts derive the ordinal from the pod name', () => {
    const { chart } = postgres(Profile.kind({ kubeVersion: '1.27' }));
    const server = container(find(synth(chart), 'StatefulSet', 'postgres'), 'postgres');
    expect(envOf(server).POD_INDEX).toBeUndefined();
    expect(envOf(server).POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
  });

  test('a single pod has no read-only Service', () => {
    const { chart, db } = postgres(Profile.kind(), { replicas: 1 });
    expect(db.readOnlyService).toBeUndefined();
    expect(all(synth(chart), 'Service').map((s) => s.metadata.name)).toEqual(['postgres-headless', 'postgres-rw']);
  });

  test.each([
    ['mysql', DatabaseEngine.mysql('8.4.3'), 'mysql:8.4.3', 'mysqladmin', 'my.cnf'],
    ['mariadb', DatabaseEngine.mariadb('11.4.4'), 'mariadb:11.4.4', 'mariadb-admin', 'my.cnf'],
  ])('%s: pinned image, uid 999, mysqld layout and ping probe', (name, engine, image, admin, configFile) => {
    const { chart } = newChart(Profile.eks());
    const pack = new StorageClassPack(chart, 'storage');
    new StatefulDatabase(chart, name, {
      engine, replicas: 2, namespace: 'ml-db', storage: { tier: pack.fast, size: '20Gi' },
      credentials: Credentials.existingSecret(`${name}-credentials`),
    });
    const objects = synth(chart);
    const sts = find(objects, 'StatefulSet', name);
    const server = container(sts, name);
    expect(server.image).toBe(image);
    expect(template(sts).spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(server.readinessProbe.exec.command).toEqual(['sh', '/etc/db/config/ready.sh']);
    expect(server.livenessProbe.exec.command).toEqual([admin, '--socket=/var/run/mysqld/mysqld.sock', 'ping']);
    expect(server.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/var/lib/mysql', '/etc/db/config', '/etc/db/secrets', '/var/run/mysqld', '/tmp']);
    expect(envOf(server)).toMatchObject({ DB_ENGINE: name, DB_DATA_DIR: '/var/lib/mysql/data', DB_PORT: '3306' });
    expect(Object.keys(find(objects, 'ConfigMap', `${name}-config`).data)).toContain(configFile);
    // A clean shutdown from the preStop hook (stop.sh), with time to flush the buffer pool.
    expect(server.lifecycle).toEqual({ preStop: { exec: { command: ['sh', '/etc/db/config/stop.sh'] } } });
    expect(find(objects, 'ConfigMap', `${name}-config`).data['stop.sh']).toContain(`admin=${admin} ;;`);
    expect(template(sts).spec.terminationGracePeriodSeconds).toBe(60);
    expectGatesPass(objects, '1.35');
  });

  test.each([
    // memory limit → buffer pool (half, in 128Mi chunks) → 30 s + 10 s per GiB, at least 60 s
    ['1Gi', 60],
    ['8Gi', 70],
    ['32Gi', 190],
    ['100Gi', 530],
  ])('MySQL grace period from a %s memory limit: %d s', (memory, seconds) => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    new StatefulDatabase(chart, 'mysql', {
      engine: DatabaseEngine.mysql('8.4.3'), namespace: 'ml-db', storage: { tier: pack.fast, size: '10Gi' },
      credentials: Credentials.existingSecret('mysql-credentials'), resources: { memory },
    });
    expect(template(find(synth(chart), 'StatefulSet', 'mysql')).spec.terminationGracePeriodSeconds).toBe(seconds);
  });

  test('terminationGracePeriodSeconds overrides the derived grace period', () => {
    const { chart } = newChart(Profile.gke());
    const pack = new StorageClassPack(chart, 'storage');
    new StatefulDatabase(chart, 'mariadb', {
      engine: DatabaseEngine.mariadb('11.4.4'), namespace: 'ml-db', storage: { tier: pack.fast, size: '10Gi' },
      credentials: Credentials.existingSecret('mariadb-credentials'), resources: { memory: '32Gi' }, terminationGracePeriodSeconds: 300,
    });
    expect(template(find(synth(chart), 'StatefulSet', 'mariadb')).spec.terminationGracePeriodSeconds).toBe(300);
  });

  test('PostgreSQL recovery switches reach both containers: allowEmptyPrimary and recoverPrimaryFrom', () => {
    const allow = postgres(Profile.kind(), { allowEmptyPrimary: true });
    const allowSts = find(synth(allow.chart), 'StatefulSet', 'postgres');
    expect(envOf(container(allowSts, 'bootstrap')).DB_ALLOW_INITDB_WITH_REPLICAS).toBe('1');
    const recover = postgres(Profile.kind(), { recoverPrimaryFrom: 2 });
    const recoverSts = find(synth(recover.chart), 'StatefulSet', 'postgres');
    expect(envOf(container(recoverSts, 'bootstrap')).DB_RECOVER_PRIMARY_FROM).toBe('postgres-2.postgres-headless.ml-db.svc.cluster.local');
    expect(envOf(container(recoverSts, 'bootstrap')).DB_RECOVER_PRIMARY_FROM).toBe(recover.db.podHost(2));
  });

  test('a single PostgreSQL pod keeps no slots and has no replica hosts to ask', () => {
    const { chart } = postgres(Profile.kind(), { replicas: 1 });
    const env = envOf(container(find(synth(chart), 'StatefulSet', 'postgres'), 'bootstrap'));
    expect(env).toMatchObject({ DB_REPLICAS: '1', REPLICA_HOSTS: '' });
  });
});
