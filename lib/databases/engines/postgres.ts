import { readAsset } from '../../assets';
import { k8s } from '../../k8s';
import { Probe } from '../../stateful';
import { Quantity } from '../../storage/quantity';
import { MONITOR_USER, REPLICATION_USER } from '../database-roles';
import { PATRONI_PORT, renderPatroniConfig } from '../patroni-config';
import type { EngineContext, EngineDriver, EnginePod, EngineSettingsInput } from './engine-driver';
import { manualReplicationEnv, replicaHostsEnv } from './manual-replication-env';

const MiB = 2 ** 20;
/** PostgreSQL's data directory: a subdirectory, as the volume's root may hold lost+found and initdb wants an empty directory. */
const PGDATA = '/var/lib/postgresql/data/pgdata';
const DATA_MOUNT = '/var/lib/postgresql/data';
const PGSOCKET = '/var/run/postgresql';
/** emptyDir holding the replicas' pgpass file (libpq needs it writable by the server's uid, mode 0600). */
const PASSFILE_DIR = '/var/run/postgresql-auth';
/** Spilo (Zalando's PostgreSQL + Patroni image) when `HighAvailability.patroni()` names none. */
const DEFAULT_PATRONI_IMAGE = 'ghcr.io/zalando/spilo-16:3.2-p3';
/** uid/gid of Spilo's `postgres` user. */
const SPILO_RUN_AS = { uid: 101, gid: 103 };

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function postgresSettings(input: EngineSettingsInput): Array<[string, string]> {
  const memory = Math.floor(input.memoryLimitBytes / MiB);
  const storage = Math.floor(input.storageBytes / MiB);
  const sharedBuffers = Math.max(32, Math.floor(memory / 4));
  const sync = input.synchronousReplicas;
  const settings: Array<[string, string]> = [
    ['listen_addresses', "'*'"],
    ['port', String(input.engine.port)],
    ['max_connections', String(input.maxConnections)],
    ['password_encryption', 'scram-sha-256'],
    // Memory, from the container's memory limit: the page cache is the rest of it.
    ['shared_buffers', `${sharedBuffers}MB`],
    ['effective_cache_size', `${Math.max(64, Math.floor((memory * 3) / 4))}MB`],
    ['maintenance_work_mem', `${clamp(Math.floor(memory / 20), 16, 2048)}MB`],
    // A quarter of the memory shared by every connection's sorts and hashes.
    ['work_mem', `${Math.max(1024, Math.floor((memory * 1024) / 4 / input.maxConnections))}kB`],
    // Streaming replication: every replica plus pg_basebackup's two connections, with headroom.
    ['wal_level', 'replica'],
    ['max_wal_senders', String(Math.max(10, input.replicaNames.length * 2 + 4))],
    ['max_replication_slots', String(Math.max(10, input.replicaNames.length * 2 + 4))],
    // WAL kept for replicas that fall behind: a tenth of the volume, at most 8 GB.
    ['wal_keep_size', `${clamp(Math.floor(storage / 10), 64, 8192)}MB`],
    // Each replica ordinal has a replication slot, which keeps the WAL it has not received while
    // it is down; bounded at a fifth of the volume so a replica gone for good (or a stale slot)
    // cannot fill the disk: past the bound the slot is invalidated and that replica is cloned again.
    ['max_slot_wal_keep_size', `${Math.max(128, Math.floor(storage / 5))}MB`],
    ['max_wal_size', `${clamp(Math.floor(storage / 10), 256, 8192)}MB`],
    ['hot_standby', 'on'],
    ['hot_standby_feedback', 'on'],
    ['synchronous_commit', 'on'],
    // Quorum commit: any `sync` of the replicas, named by the application_name they connect with.
    ['synchronous_standby_names', sync > 0 ? `'ANY ${sync} (${input.replicaNames.map((n) => `"${n}"`).join(', ')})'` : "''"],
    ['log_destination', "'stderr'"],
    ['logging_collector', 'off'],
    ['log_line_prefix', "'%m [%p] %q%u@%d '"],
  ];
  if (input.tls) {
    settings.push(
      ['ssl', 'on'],
      ['ssl_cert_file', `'${input.tls.certFile}'`],
      ['ssl_key_file', `'${input.tls.keyFile}'`],
      ['ssl_ca_file', `'${input.tls.caFile}'`],
      ['ssl_min_protocol_version', "'TLSv1.2'"],
    );
  }
  return settings;
}

/**
 * pg_hba.conf: the local socket (inside the pod's emptyDir, reachable only by the pod's own
 * containers) trusts local users; everything over the network needs a SCRAM password, and with
 * `tls` a TLS connection (`hostssl`: no rule matches a plaintext TCP connection, so it is refused).
 */
export function renderPgHba(replicationUser: string, tls = false): string {
  const host = tls ? 'hostssl' : 'host   ';
  return [
    '# TYPE  DATABASE     USER        ADDRESS  METHOD',
    'local   all          all                  trust',
    `${host} replication  ${replicationUser}  all      scram-sha-256`,
    `${host} all          all         all      scram-sha-256`,
    '',
  ].join('\n');
}

/** libpq defaults of the server container with TLS: TCP connections to peers verify their certificate (sockets are unaffected). */
function libpqTlsEnv(context: EngineContext): k8s.EnvVar[] {
  return context.tls ? [{ name: 'PGSSLMODE', value: 'verify-full' }, { name: 'PGSSLROOTCERT', value: context.tls.caFile }] : [];
}

function monitorUserEnv(context: EngineContext): k8s.EnvVar[] {
  return context.props.metrics ? [{ name: 'DB_MONITOR_USER', value: MONITOR_USER }] : [];
}

function script(file: string): string {
  return readAsset(__dirname, `../scripts/${file}`);
}

/** Parallel queries allocate dynamic shared memory in /dev/shm (64 MiB by default): a memory-backed one, sized. */
function sharedMemory(context: EngineContext): EnginePod['serverVolumes'] {
  const size = context.props.sharedMemorySize ?? `${Math.max(64, Math.floor(context.sizing.memoryLimitBytes / 4 / MiB))}Mi`;
  const shm = Quantity.parse(size, `sharedMemorySize of ${context.where}`);
  return [{
    volume: { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(shm.text) } },
    mount: { name: 'shm', mountPath: '/dev/shm' },
  }];
}

/** Ordinal 0 is the primary, the others hot standbys, kept by the bootstrap/run/reconcile scripts. */
function manualPod(context: EngineContext): EnginePod {
  const { props, engine } = context;
  const liveness = ['pg_isready', '-q', '-h', PGSOCKET, '-p', String(engine.port)];
  return {
    image: engine.image,
    runAs: engine.runAs,
    dataMount: DATA_MOUNT,
    env: [
      ...manualReplicationEnv(context),
      // A subdirectory: the volume's root may hold lost+found, and initdb wants an empty directory.
      { name: 'PGDATA', value: PGDATA },
      { name: 'PGHOST', value: PGSOCKET },
      { name: 'PGPORT', value: String(engine.port) },
      { name: 'PGUSER', value: '$(DB_SUPERUSER)' },
      // The primary keeps a replication slot per replica ordinal.
      { name: 'DB_REPLICAS', value: String(context.replicas) },
      // The primary's bootstrap refuses to initialize an empty database while one of these answers.
      replicaHostsEnv(context),
      // Replicas connect with this pgpass file, written from the Secret on every start.
      { name: 'DB_PASSFILE', value: `${PASSFILE_DIR}/replication.pgpass` },
      ...(props.allowEmptyPrimary ? [{ name: 'DB_ALLOW_INITDB_WITH_REPLICAS', value: '1' }] : []),
      ...(props.recoverPrimaryFrom !== undefined ? [{ name: 'DB_RECOVER_PRIMARY_FROM', value: context.identity.podHost(props.recoverPrimaryFrom) }] : []),
      // Replicas clone, rewind and stream from the primary with verify-full.
      ...libpqTlsEnv(context),
      // ready.sh: a standby further behind than this is not Ready.
      { name: 'DB_READY_MAX_LAG_BYTES', value: String(context.sizing.maxReadyLagBytes) },
      // reconcile.sh: the exporter's pg_monitor role.
      ...monitorUserEnv(context),
    ],
    writablePaths: [PGSOCKET, PASSFILE_DIR, '/tmp'],
    ports: [{ name: 'db', port: engine.port }],
    // Recovery after a crash can replay a lot of WAL: allow 10 minutes to start.
    startupProbe: Probe.exec(liveness, { failureThreshold: 120 }),
    readinessProbe: Probe.exec(['sh', `${context.configDir}/ready.sh`]),
    livenessProbe: Probe.exec(liveness),
    // SIGTERM is a "smart" shutdown that waits for every client: stop fast instead.
    preStop: ['sh', '-c', 'pg_ctl -D "$PGDATA" -m fast -w -t 50 stop'],
    bootstrap: true,
    serverVolumes: sharedMemory(context),
    configMapName: `${context.identity.name}-config`,
    configFiles: {
      'postgresql.conf': context.serverConfig,
      'pg_hba.conf': renderPgHba(REPLICATION_USER, !!context.tls),
      'databases.list': context.grantsList,
      'bootstrap.sh': script('postgres-bootstrap.sh'),
      'run.sh': script('postgres-run.sh'),
      'reconcile.sh': script('postgres-reconcile.sh'),
      'ready.sh': script('postgres-ready.sh'),
      'heal.sh': script('postgres-heal.sh'),
    },
  };
}

/** Patroni in every pod with the Kubernetes DCS: it fails over by itself and labels the leader. */
function patroniPod(context: EngineContext): EnginePod {
  const { props, engine, identity, credentials } = context;
  const options = context.highAvailability.patroniOptions;
  const binDir = options.binDir ?? `/usr/lib/postgresql/${engine.line}/bin`;
  const pgHba = renderPgHba(REPLICATION_USER, !!context.tls).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\s+/g, ' '));
  const patroniProbe = (timing = {}) => Probe.http('/liveness', 'patroni', timing);
  return {
    image: options.image ?? DEFAULT_PATRONI_IMAGE,
    runAs: options.runAs ?? SPILO_RUN_AS,
    dataMount: DATA_MOUNT,
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'PATRONI_NAME', value: '$(POD_NAME)' },
      { name: 'PATRONI_KUBERNETES_POD_IP', value: '$(POD_IP)' },
      { name: 'PATRONI_RESTAPI_CONNECT_ADDRESS', value: `$(POD_IP):${PATRONI_PORT}` },
      // With TLS, replicas reach the leader by its pod name, which its certificate holds (not its IP).
      {
        name: 'PATRONI_POSTGRESQL_CONNECT_ADDRESS',
        value: context.tls ? `$(POD_NAME).${identity.serviceHost(identity.headlessServiceName)}:${engine.port}` : `$(POD_IP):${engine.port}`,
      },
      credentials.envVar('PATRONI_SUPERUSER_USERNAME', 'username'),
      credentials.envVar('PATRONI_SUPERUSER_PASSWORD', 'password'),
      { name: 'PATRONI_REPLICATION_USERNAME', value: REPLICATION_USER },
      context.replicationCredentials.envVar('PATRONI_REPLICATION_PASSWORD', 'password'),
      // pg_rewind of a former leader connects as the superuser.
      credentials.envVar('PATRONI_REWIND_USERNAME', 'username'),
      credentials.envVar('PATRONI_REWIND_PASSWORD', 'password'),
      // The REST API's unsafe endpoints (switchover, restart, reinitialize) need the superuser's
      // credentials; health checks stay open to the kubelet.
      credentials.envVar('PATRONI_RESTAPI_USERNAME', 'username'),
      credentials.envVar('PATRONI_RESTAPI_PASSWORD', 'password'),
      credentials.envVar('DB_SUPERUSER', 'username'),
      { name: 'DB_CONFIG_DIR', value: context.configDir },
      { name: 'DB_SECRETS_DIR', value: context.secretsDir },
      { name: 'REPLICATION_USER', value: REPLICATION_USER },
      { name: 'PGHOST', value: PGSOCKET },
      { name: 'PGPORT', value: String(engine.port) },
      { name: 'PGUSER', value: '$(DB_SUPERUSER)' },
      { name: 'DB_READY_MAX_LAG_BYTES', value: String(context.sizing.maxReadyLagBytes) },
      ...monitorUserEnv(context),
      // run.sh checks leftover data against the leader behind the -rw Service.
      { name: 'PGDATA', value: PGDATA },
      { name: 'DB_LEADER_HOST', value: identity.serviceHost(context.readWriteServiceName) },
      ...libpqTlsEnv(context),
      { name: 'PATH', value: `${binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` },
    ],
    writablePaths: [PGSOCKET, PASSFILE_DIR, '/tmp'],
    ports: [{ name: 'db', port: engine.port }, { name: 'patroni', port: PATRONI_PORT }],
    // Liveness asks only whether Patroni's HA loop runs, never lag; startup allows 10 minutes of recovery.
    startupProbe: patroniProbe({ failureThreshold: 120 }),
    readinessProbe: Probe.exec(['sh', `${context.configDir}/ready.sh`]),
    livenessProbe: patroniProbe(),
    bootstrap: false,
    serverVolumes: sharedMemory(context),
    // Patroni keeps its own DCS ConfigMaps named <scope>-config, -leader, -sync, -failover.
    configMapName: `${identity.name}-patroni`,
    configFiles: {
      'patroni.yml': renderPatroniConfig({
        scope: identity.name,
        namespace: identity.namespace,
        labels: { 'app.kubernetes.io/name': identity.selectorLabels['app.kubernetes.io/name'] },
        scopeLabel: 'app.kubernetes.io/instance',
        port: engine.port,
        dataDir: PGDATA,
        socketDir: PGSOCKET,
        binDir,
        pgpass: `${PASSFILE_DIR}/patroni.pgpass`,
        settings: postgresSettings(context.settingsInput)
          .concat(Object.entries(props.parameters ?? {}).sort(([a], [b]) => a.localeCompare(b))),
        pgHba,
        synchronousReplicas: context.synchronousReplicas,
        strictSynchronous: options.strictSynchronous ?? false,
        maximumLagOnFailover: context.sizing.maxReadyLagBytes,
        ttl: options.ttl ?? 20,
        loopWait: options.loopWait ?? 5,
        retryTimeout: options.retryTimeout ?? 5,
        ...(context.tls ? { replicationTls: { sslmode: 'verify-full', sslrootcert: context.tls.caFile } } : {}),
        callback: `sh ${context.configDir}/patroni-callback.sh`,
      }),
      'databases.list': context.grantsList,
      'reconcile.sh': script('postgres-reconcile.sh'),
      'ready.sh': script('postgres-ready.sh'),
      'heal.sh': script('postgres-heal.sh'),
      'run.sh': script('patroni-run.sh'),
      'patroni-callback.sh': script('patroni-callback.sh'),
    },
  };
}

/** PostgreSQL 14–17 from the official Debian-based image; Patroni (Spilo) for automatic failover. */
export const POSTGRES_DRIVER: EngineDriver = {
  family: 'postgres',
  title: 'PostgreSQL',
  // pg_basebackup -R writing postgresql.auto.conf + standby.signal needs 12+; psql's \gexec 9.6+.
  supportedLines: [{ line: '14' }, { line: '15' }, { line: '16' }, { line: '17' }],
  exampleVersion: '16.4',
  pinnedVersion: /^(\d+)\.(\d+)$/,
  line: (version) => version.split('.')[0],
  image: (version) => `postgres:${version}-bookworm`,
  runAs: { uid: 999, gid: 999 },
  port: 5432,
  exporterImage: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0',
  metricsPort: 9187,
  maxIdentifierLength: 63,
  // psycopg2 (MLflow); Feast's postgres extra installs psycopg 3, not SQLAlchemy's default psycopg2.
  sqlalchemySchemes: { default: 'postgresql', feast: 'postgresql+psycopg' },
  supports: {
    haModes: ['manual', 'patroni'],
    tls: true,
    recoverPrimaryFrom: true,
    readyLag: 'maxReadyLag',
    synchronousWaitsForever: true,
    backupRole: true,
  },
  settings: postgresSettings,
  managedParameters: {
    port: [undefined, "Services, probes and clients use the engine's port"],
    listen_addresses: [undefined, 'the server must listen on the pod IP for its Services and peers'],
    max_connections: ['maxConnections', 'clients size their pools against it'],
    synchronous_standby_names: ['synchronousReplicas', 'the quorum names the replica pods'],
    synchronous_commit: ['synchronousReplicas', 'acknowledged commits must survive a failover'],
    wal_level: [undefined, 'streaming replication and failover need wal_level replica'],
    hot_standby: [undefined, 'replicas serve reads and report ready through it'],
    max_wal_senders: ['replicas', 'it is sized from the replica count'],
    max_replication_slots: ['replicas', 'it is sized from the replica count'],
    password_encryption: [undefined, 'pg_hba requires scram-sha-256'],
    ssl: ['tls', 'pg_hba and the clients follow the tls prop'],
  },
  parameterKey: (key) => key.toLowerCase(),
  pod: (context) => (context.highAvailability.mode === 'patroni' ? patroniPod(context) : manualPod(context)),
  // Not the superuser: a pg_monitor role (created by reconcile.sh) over the server's unix socket, which pg_hba
  // trusts for local users; no password exists for it, over TCP it cannot log in at all.
  exporter: (context) => ({
    env: [
      { name: 'DATA_SOURCE_NAME', value: `host=${PGSOCKET} port=${context.engine.port} user=${MONITOR_USER} dbname=postgres sslmode=disable` },
    ],
    // The server's socket directory: the same emptyDir (one per writable path in the pod).
    writablePaths: [PGSOCKET],
  }),
  terminationGracePeriodSeconds: () => 60,
  backup: {
    scriptFile: 'backup-postgres.sh',
    connectionEnv: (target) => {
      // Not the superuser: the database's pg_read_all_data role.
      const role = target.backupRole();
      return [
        { name: 'PGHOST', value: target.host },
        { name: 'PGPORT', value: String(target.port) },
        { name: 'PGUSER', value: role.user },
        role.credentials.envVar('PGPASSWORD', 'password'),
        ...target.tlsEnv,
      ];
    },
  },
};
