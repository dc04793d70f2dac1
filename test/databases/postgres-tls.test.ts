import { App } from 'cdk8s';
import {
  Credentials, DatabaseEngine, HighAvailability, Profile, ServerTls, StatefulDatabaseProps, renderProfile,
} from '../../lib';
import { NAMESPACES, buildPlatform } from '../../apps/platform';
import { PLATFORM_ISSUER } from '../../apps/tls';
import { referenceProfiles } from '../../apps/profiles';
import { Manifest, find, findJob, synth } from '../support/synth';
import { postgresDatabase } from '../support/databases';

/** The fixture database as `pg` (PostgreSQL 15, superuser Secret `pg-admin`) with TLS from the Secret `pg-certs`. */
function database(profile: Profile, extra: Partial<StatefulDatabaseProps> = {}) {
  const { chart, db } = postgresDatabase(profile, {
    engine: DatabaseEngine.postgres('15.8'),
    credentials: Credentials.existingSecret('pg-admin'),
    resources: { memory: '1Gi' },
    tls: ServerTls.existingSecret('pg-certs'),
    ...extra,
  }, { name: 'pg' });
  return { chart, db };
}

const spec = (o: Manifest): any => o.spec.template.spec;
const containerOf = (o: Manifest, name: string): any => [...(spec(o).initContainers ?? []), ...spec(o).containers].find((c: any) => c.name === name);
const env = (c: any, name: string): string | undefined => c.env.find((e: any) => e.name === name)?.value;

const SERVER_TLS_VOLUME = {
  name: 'tls',
  secret: {
    secretName: 'pg-certs', defaultMode: 0o440,
    items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }, { key: 'ca.crt', path: 'ca.crt' }],
  },
};
const SSL_LINES = [
  'ssl = on',
  "ssl_cert_file = '/etc/tls/tls.crt'",
  "ssl_key_file = '/etc/tls/tls.key'",
  "ssl_ca_file = '/etc/tls/ca.crt'",
  "ssl_min_protocol_version = 'TLSv1.2'",
];

describe('PostgreSQL TLS, manual mode', () => {
  const { chart } = database(Profile.kind());
  const objects = synth(chart);
  const config = find(objects, 'ConfigMap', 'pg-config');
  const sts = find(objects, 'StatefulSet', 'pg');

  test('postgresql.conf turns ssl on with the mounted files', () => {
    const lines = config.data['postgresql.conf'].split('\n');
    for (const line of SSL_LINES) expect(lines).toContain(line);
  });

  test('pg_hba: the socket stays trusted, TCP only over TLS', () => {
    expect(config.data['pg_hba.conf']).toBe([
      '# TYPE  DATABASE     USER        ADDRESS  METHOD',
      'local   all          all                  trust',
      'hostssl replication  replicator  all      scram-sha-256',
      'hostssl all          all         all      scram-sha-256',
      '',
    ].join('\n'));
  });

  test('server and bootstrap mount certificate, key and CA; peers are verified (verify-full)', () => {
    expect(spec(sts).volumes).toContainEqual(SERVER_TLS_VOLUME);
    for (const name of ['postgres', 'bootstrap']) {
      const c = containerOf(sts, name);
      expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
      expect(env(c, 'PGSSLMODE')).toBe('verify-full');
      expect(env(c, 'PGSSLROOTCERT')).toBe('/etc/tls/ca.crt');
    }
    // The exporter stays on the socket, where TLS does not apply.
  });

  test('the replica start script adds sslmode and sslrootcert to primary_conninfo', () => {
    const run: string = config.data['run.sh'];
    expect(run).toContain('conninfo="$conninfo sslmode=$(conninfo_value "$PGSSLMODE") sslrootcert=$(conninfo_value "${PGSSLROOTCERT:-}")"');
  });

  test('without tls: plain host rules and no ssl settings', () => {
    const plain = synth(database(Profile.kind(), { tls: undefined }).chart);
    const c = find(plain, 'ConfigMap', 'pg-config');
    expect(c.data['pg_hba.conf']).not.toContain('hostssl');
    expect(c.data['postgresql.conf']).not.toContain('ssl');
    expect(env(containerOf(find(plain, 'StatefulSet', 'pg'), 'postgres'), 'PGSSLMODE')).toBeUndefined();
  });
});

describe('PostgreSQL TLS with Patroni and cert-manager', () => {
  const { chart } = database(Profile.gke(), {
    highAvailability: HighAvailability.patroni(), tls: ServerTls.certManager({ issuer: { name: 'ca-issuer' } }),
  });
  const objects = synth(chart);
  const config = JSON.parse(find(objects, 'ConfigMap', 'pg-patroni').data['patroni.yml']);
  const sts = find(objects, 'StatefulSet', 'pg');

  test('postgresql.parameters, pg_hba and replication/rewind sslmode', () => {
    expect(config.postgresql.parameters).toMatchObject({
      ssl: 'on', ssl_cert_file: '/etc/tls/tls.crt', ssl_key_file: '/etc/tls/tls.key', ssl_ca_file: '/etc/tls/ca.crt', ssl_min_protocol_version: 'TLSv1.2',
    });
    const hba = ['local all all trust', 'hostssl replication replicator all scram-sha-256', 'hostssl all all all scram-sha-256'];
    expect(config.postgresql.pg_hba).toEqual(hba);
    expect(config.bootstrap.pg_hba).toEqual(hba);
    const verify = { sslmode: 'verify-full', sslrootcert: '/etc/tls/ca.crt' };
    expect(config.postgresql.authentication).toEqual({ replication: verify, rewind: verify });
  });

  test('replicas reach the leader by its pod name, which the certificate holds', () => {
    const c = containerOf(sts, 'postgres');
    expect(env(c, 'PATRONI_POSTGRESQL_CONNECT_ADDRESS')).toBe('$(POD_NAME).pg-headless.ml-db.svc.cluster.local:5432');
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
    const cert = find(objects, 'Certificate', 'pg-tls');
    const svc = (n: string) => [n, `${n}.ml-db`, `${n}.ml-db.svc`, `${n}.ml-db.svc.cluster.local`];
    expect(cert.spec.dnsNames).toEqual([
      ...svc('pg-rw'), ...svc('pg-ro'), ...svc('pg-headless'),
      'pg-0.pg-headless.ml-db.svc.cluster.local', 'pg-1.pg-headless.ml-db.svc.cluster.local', 'pg-2.pg-headless.ml-db.svc.cluster.local',
    ]);
    expect(cert.spec.issuerRef).toEqual({ name: 'ca-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(spec(sts).volumes).toContainEqual({ ...SERVER_TLS_VOLUME, secret: { ...SERVER_TLS_VOLUME.secret, secretName: 'pg-tls' } });
  });

  test('parameters cannot switch ssl off behind the construct', () => {
    expect(() => database(Profile.gke(), { parameters: { ssl: 'off' } })).toThrow(
      'parameters.ssl = "off" overrides a setting the construct manages (pg_hba and the clients follow the tls prop); remove it and set the tls prop instead');
  });
});

test.each([['mysql', DatabaseEngine.mysql('8.4.3')], ['mariadb', DatabaseEngine.mariadb('11.4.4')]] as const)('%s refuses tls', (_n, engine) => {
  expect(() => database(Profile.kind(), { engine, replicas: 1 })).toThrow(
    `StatefulDatabase 'test/pg': tls is supported for PostgreSQL only; ${engine.title} would still accept and replicate in plaintext. ` +
    'Remove tls (and keep the database on a default-deny network), or use DatabaseEngine.postgres(...).');
});

describe.each(referenceProfiles().map((p) => [p.name, p] as const))('reference platform on %s', (name, profile) => {
  const app = new App();
  const platform = buildPlatform(app, profile);
  const rendered = renderProfile(app, profile);
  const objects = rendered.objects as Manifest[];
  const cloud = name !== 'kind';

  test('gates pass', () => {
    expect(rendered.gates.ok).toBe(true);
  });

  test(cloud ? 'TLS on: hostssl, ssl on, every client verify-full with the CA mounted' : 'kind stays plain', () => {
    const patroni = JSON.parse(find(objects, 'ConfigMap', `${platform.database.name}-patroni`).data['patroni.yml']);
    const mlflow = find(objects, 'Deployment', 'mlflow');
    const migrate = findJob(objects as any, 'mlflow-db-migrate');
    const feast = find(objects, 'Deployment', 'feast-server');
    const backup = find(objects, 'CronJob', 'postgres-logical-backup').spec.jobTemplate.spec.template.spec;
    const dump = [...(backup.initContainers ?? []), ...backup.containers].find((c: any) => c.name === 'dump');
    const uri = env(containerOf(mlflow, 'mlflow'), 'MLFLOW_BACKEND_STORE_URI')!;
    const feastUrl = env(feast.spec.template.spec.containers[0], 'FEAST_REGISTRY_URL')!;
    if (!cloud) {
      expect(patroni.postgresql.parameters.ssl).toBeUndefined();
      expect(patroni.postgresql.pg_hba.join('\n')).not.toContain('hostssl');
      expect(uri).not.toContain('sslmode');
      expect(feastUrl).not.toContain('sslmode');
      expect(env(dump, 'PGSSLMODE')).toBeUndefined();
      expect(objects.filter((o) => o.kind === 'Certificate' && o.metadata.name.startsWith('postgres'))).toEqual([]);
      return;
    }
    expect(patroni.postgresql.parameters.ssl).toBe('on');
    expect(patroni.postgresql.pg_hba).toEqual(['local all all trust', 'hostssl replication replicator all scram-sha-256', 'hostssl all all all scram-sha-256']);
    const query = '?sslmode=verify-full&sslrootcert=/etc/db-ca/ca.crt';
    expect(uri).toBe(`postgresql://mlflow:$(DB_PASSWORD)@postgres-rw.ml-db.svc.cluster.local:5432/mlflow${query}`);
    expect(feastUrl).toBe(`postgresql+psycopg://feast:$(FEAST_REGISTRY_DB_PASSWORD)@postgres-rw.ml-db.svc.cluster.local:5432/feast${query}`);
    const caMount = { name: 'db-ca', mountPath: '/etc/db-ca', readOnly: true };
    const caVolume = (secretName: string) => ({ name: 'db-ca', secret: { secretName, defaultMode: 0o444, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    // Clients in other namespaces get the CA through a client Certificate from the same issuer there.
    for (const [workload, containers, namespace] of [
      [mlflow, ['mlflow', 'wait-for-schema'], NAMESPACES.tracking], [migrate, ['migrate'], NAMESPACES.tracking], [feast, ['feature-server'], NAMESPACES.features],
    ] as const) {
      expect(spec(workload).volumes).toContainEqual(caVolume('postgres-ca'));
      for (const c of containers) expect(containerOf(workload, c).volumeMounts).toContainEqual(caMount);
      const cert = objects.find((o) => o.kind === 'Certificate' && o.metadata.name === 'postgres-ca' && o.metadata.namespace === namespace)!;
      expect(cert.spec).toMatchObject({ secretName: 'postgres-ca', issuerRef: { name: PLATFORM_ISSUER, kind: 'ClusterIssuer' }, usages: ['client auth', 'digital signature'] });
    }
    // The backup runs in the database's namespace: it mounts the CA of the server's own Secret.
    expect(backup.volumes).toContainEqual(caVolume('postgres-tls'));
    expect(dump.volumeMounts).toContainEqual(caMount);
    expect(env(dump, 'PGSSLMODE')).toBe('verify-full');
    expect(env(dump, 'PGSSLROOTCERT')).toBe('/etc/db-ca/ca.crt');
  });
});

describe('backup role', () => {
  test('PostgreSQL: one pg_read_all_data role, its password projected from its own Secret', () => {
    const { chart, db } = database(Profile.kind(), { tls: undefined });
    const role = db.backupRole();
    expect(db.backupRole()).toBe(role);
    expect(role.user).toBe('backup');
    expect(role.credentials.secretName).toBe('pg-backup');
    const objects = synth(chart);
    expect(find(objects, 'ConfigMap', 'pg-config').data['databases.list']).toContain('\n@backup backup\n');
    expect(spec(find(objects, 'StatefulSet', 'pg')).volumes.find((v: any) => v.name === 'secrets').projected.sources)
      .toContainEqual({ secret: { name: 'pg-backup', items: [{ key: 'password', path: 'backup/password' }] } });
  });

  test('MySQL has none: its backups use the superuser', () => {
    const { db } = database(Profile.kind(), { engine: DatabaseEngine.mysql('8.4.3'), replicas: 1, tls: undefined });
    expect(() => db.backupRole()).toThrow(
      "StatefulDatabase 'test/pg': backupRole() is PostgreSQL's pg_read_all_data role; MySQL 8.4.3 backups use the superuser.");
  });
});
