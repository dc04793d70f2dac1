import {
  BackupDestination, Credentials, DatabaseEngine, DatabaseFamily, ENGINE_DRIVERS, EngineDriver, HighAvailability, LogicalBackup, Probe, Profile,
  ServerTls, StatefulDatabase, StatefulDatabaseProps, StorageClassPack,
} from '../../lib';
import { Manifest, find, newChart, synth } from '../support/synth';

/**
 * A third engine that exists only here: everything StatefulDatabase, LogicalBackup and the grants render for it comes
 * from this object. It reuses the `postgres` family the way a PostgreSQL-wire-compatible server would (the family is
 * what clients' dialects are chosen by).
 */
const TOYDB: EngineDriver = {
  family: 'postgres',
  title: 'ToyDB',
  supportedLines: [{ line: '1' }],
  exampleVersion: '1.2',
  pinnedVersion: /^(\d+)\.(\d+)$/,
  line: (version) => version.split('.')[0],
  image: (version) => `registry.example/toydb:${version}`,
  runAs: { uid: 4321, gid: 4321 },
  port: 7000,
  exporterImage: 'registry.example/toydb-exporter:0.1',
  metricsPort: 9555,
  maxIdentifierLength: 12,
  sqlalchemySchemes: { default: 'toydb', feast: 'toydb+async' },
  supports: {
    haModes: ['manual'],
    tls: false,
    recoverPrimaryFrom: false,
    readyLag: 'maxReadyLagSeconds',
    synchronousWaitsForever: false,
    maxSynchronousReplicas: { count: 1, why: 'ToyDB acknowledges commits from one replica at most; use 1 (or 0)' },
    backupRole: false,
  },
  configSection: '[server]',
  settings: (input) => [
    ['port', String(input.engine.port)],
    ['cache_mb', String(Math.floor(input.memoryLimitBytes / 2 ** 20 / 2))],
    ['replicas', input.replicaNames.join(',')],
  ],
  managedParameters: { port: [undefined, "Services, probes and clients use the engine's port"] },
  parameterKey: (key) => key.toLowerCase(),
  pod: (context) => ({
    image: context.engine.image,
    runAs: context.engine.runAs,
    dataMount: '/toy/data',
    env: [
      { name: 'TOY_PRIMARY', value: context.identity.podHost(0) },
      { name: 'TOY_LAG_SECONDS', value: String(context.sizing.maxReadyLagSeconds) },
    ],
    writablePaths: ['/tmp'],
    ports: [{ name: 'db', port: context.engine.port }],
    startupProbe: Probe.exec(['toy', 'ping'], { failureThreshold: 30 }),
    readinessProbe: Probe.exec(['toy', 'ready']),
    livenessProbe: Probe.exec(['toy', 'ping']),
    bootstrap: false,
    serverVolumes: [],
    configMapName: `${context.identity.name}-toy`,
    configFiles: {
      'toydb.ini': context.serverConfig,
      'databases.list': context.grantsList,
      'run.sh': `exec toydb --config ${context.configDir}/toydb.ini\n`,
    },
  }),
  exporter: (context) => ({ args: [`--target=127.0.0.1:${context.engine.port}`] }),
  terminationGracePeriodSeconds: () => 45,
  backup: {
    scriptFile: 'backup-mysql.sh',
    connectionEnv: (target) => [{ name: 'TOY_HOST', value: `${target.host}:${target.port}` }, target.superuser.envVar('TOY_USER', 'username')],
  },
};

function toy(extra: Partial<StatefulDatabaseProps> = {}) {
  const { chart } = newChart(Profile.kind());
  const pack = new StorageClassPack(chart, 'storage');
  const db = new StatefulDatabase(chart, 'toy', {
    engine: DatabaseEngine.fromDriver(TOYDB, '1.2'), namespace: 'ml-db', replicas: 2, metrics: true,
    storage: { tier: pack.fast, size: '10Gi' }, credentials: Credentials.existingSecret('toy-admin'),
    resources: { cpu: '1', memory: '2Gi' },
    ...extra,
  });
  return { chart, pack, db };
}

const containers = (set: Manifest) => [...(set.spec.template.spec.initContainers ?? []), ...set.spec.template.spec.containers];

describe('a third engine needs only a driver', () => {
  test('the StatefulSet, ConfigMap and Services render from the driver', () => {
    const { chart } = toy();
    const objects = synth(chart);
    const set = find(objects, 'StatefulSet', 'toy');
    const pod = set.spec.template.spec;
    const server = containers(set).find((c) => c.name === 'postgres');
    expect(server).toMatchObject({
      image: 'registry.example/toydb:1.2',
      command: ['sh', '/etc/db/config/run.sh'],
      ports: [{ name: 'db', containerPort: 7000 }],
      readinessProbe: { exec: { command: ['toy', 'ready'] } },
      livenessProbe: { exec: { command: ['toy', 'ping'] } },
      startupProbe: { exec: { command: ['toy', 'ping'] }, failureThreshold: 30 },
    });
    expect(server.env).toEqual([
      { name: 'TOY_PRIMARY', value: 'toy-0.toy-headless.ml-db.svc.cluster.local' },
      { name: 'TOY_LAG_SECONDS', value: '30' },
    ]);
    expect(server.volumeMounts).toContainEqual({ name: 'data', mountPath: '/toy/data' });
    // No bootstrap init container: the driver asked for none.
    expect(containers(set).map((c) => c.name).sort()).toEqual(['metrics', 'postgres']);
    expect(pod.securityContext).toMatchObject({ runAsUser: 4321, fsGroup: 4321 });
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    expect(containers(set).find((c) => c.name === 'metrics')).toMatchObject({
      image: 'registry.example/toydb-exporter:0.1', args: ['--target=127.0.0.1:7000'], ports: [{ name: 'metrics', containerPort: 9555 }],
    });

    const config = find(objects, 'ConfigMap', 'toy-toy').data;
    expect(Object.keys(config).sort()).toEqual(['databases.list', 'run.sh', 'toydb.ini']);
    expect(config['toydb.ini']).toBe([
      '# ToyDB 1.2, generated by cdk8s-stateful-ml for a 2048MB memory limit.',
      '[server]',
      'port = 7000',
      'cache_mb = 1024',
      'replicas = toy-1',
      '',
    ].join('\n'));
    expect(find(objects, 'Service', 'toy-rw').spec.ports).toEqual([{ name: 'db', port: 7000, targetPort: 'db', protocol: 'TCP' }]);
  });

  test('grants, identifiers and backups follow the driver', () => {
    const { chart, pack, db } = toy();
    expect(db.addDatabase('feast').sqlalchemyUrl('PW')).toBe('toydb://feast:$(PW)@toy-rw.ml-db.svc.cluster.local:7000/feast');
    expect(() => db.addDatabase('a_long_name_x')).toThrow("invalid database name 'a_long_name_x': use lower-case letters, digits and '_' (not first), at most 12 characters.");
    expect(() => db.backupRole()).toThrow("StatefulDatabase 'test/toy': backupRole() is PostgreSQL's pg_read_all_data role; ToyDB 1.2 backups use the superuser.");
    new LogicalBackup(chart, 'backup', { database: db, destination: BackupDestination.claim({ tier: pack.standard, size: '20Gi' }), schedule: '@daily' });
    const job = find(synth(chart), 'CronJob', 'toy-logical-backup').spec.jobTemplate.spec.template.spec;
    const dump = job.containers[0];
    expect(dump.image).toBe('registry.example/toydb:1.2');
    expect(dump.command).toEqual(['/bin/sh', '/scripts/backup-mysql.sh']);
    expect(dump.env).toContainEqual({ name: 'TOY_HOST', value: 'toy-rw.ml-db.svc.cluster.local:7000' });
  });

  test('versions, supported props and managed settings come from the driver', () => {
    expect(() => toy({ engine: DatabaseEngine.fromDriver(TOYDB, '2.0') }))
      .toThrow("StatefulDatabase 'test/toy': unsupported ToyDB version '2.0': use a full release of a supported line (1), e.g. DatabaseEngine.postgres('1.2').");
    expect(() => toy({ highAvailability: HighAvailability.patroni() })).toThrow("HighAvailability.patroni() is PostgreSQL's automatic failover; ToyDB 1.2 has none");
    expect(() => toy({ tls: ServerTls.existingSecret('toy-tls') })).toThrow('ToyDB 1.2 would still accept and replicate in plaintext');
    expect(() => toy({ maxReadyLag: '16Mi' })).toThrow('maxReadyLag (bytes) applies to PostgreSQL; bound ToyDB 1.2 replicas with maxReadyLagSeconds.');
    expect(() => toy({ replicas: 3, synchronousReplicas: 2 })).toThrow('synchronousReplicas 2: ToyDB acknowledges commits from one replica at most; use 1 (or 0).');
    expect(() => toy({ parameters: { PORT: '1' } })).toThrow('parameters.PORT = "1" overrides a setting the construct manages');
  });
});

describe('the compiler names what a driver lacks', () => {
  test('a driver without its backup does not compile', () => {
    const { backup: _backup, ...withoutBackup } = TOYDB;
    // @ts-expect-error Property 'backup' is missing in type ... but required in type 'EngineDriver'.
    const incomplete: EngineDriver = withoutBackup;
    expect(incomplete.backup).toBeUndefined();
  });

  test('ENGINE_DRIVERS must hold a driver for every DatabaseFamily', () => {
    // @ts-expect-error Property 'mariadb' is missing in type ... but required in type '{ readonly [F in DatabaseFamily]: EngineDriver }'.
    const partial: typeof ENGINE_DRIVERS = { postgres: ENGINE_DRIVERS.postgres, mysql: ENGINE_DRIVERS.mysql };
    expect(Object.keys(partial)).toHaveLength(2);
    const families: DatabaseFamily[] = ['postgres', 'mysql', 'mariadb'];
    expect(families.map((f) => ENGINE_DRIVERS[f].family)).toEqual(families);
  });
});
