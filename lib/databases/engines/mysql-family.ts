import { readAsset } from '../../assets';
import { Probe } from '../../stateful';
import type { EngineContext, EngineDriver, EngineSettingsInput, SupportedLine } from './engine-driver';
import { manualReplicationEnv, replicaHostsEnv } from './manual-replication-env';

const MiB = 2 ** 20;
const SOCKET = '/var/run/mysqld/mysqld.sock';

/**
 * InnoDB buffer pool of a MySQL/MariaDB server, in MiB: half of the memory limit in whole
 * 128 MiB chunks (innodb_buffer_pool_chunk_size); the rest holds per-connection buffers, the
 * binlog cache and the exporter.
 */
export function innodbBufferPoolMiB(memoryLimitBytes: number): number {
  return Math.max(128, Math.floor(Math.floor(memoryLimitBytes / MiB) / 2 / 128) * 128);
}

/**
 * Seconds a MySQL/MariaDB pod gets to shut down cleanly: InnoDB flushes the dirty pages of its
 * buffer pool (at most all of it) before it exits, budgeted at 10 s per GiB (a slow 100 MB/s
 * disk) on top of 30 s, and never less than 60 s.
 */
export function innodbShutdownSeconds(memoryLimitBytes: number): number {
  return Math.max(60, 30 + Math.ceil((innodbBufferPoolMiB(memoryLimitBytes) / 1024) * 10));
}

/** Settings MySQL and MariaDB share: connections, InnoDB and the binary log. */
function innodbSettings(input: EngineSettingsInput, redoLog: string): Array<[string, string]> {
  const bufferPool = innodbBufferPoolMiB(input.memoryLimitBytes);
  return [
    ['port', String(input.engine.port)],
    ['max_connections', String(input.maxConnections)],
    ['skip_name_resolve', 'ON'],
    ['character_set_server', 'utf8mb4'],
    ['innodb_buffer_pool_size', `${bufferPool}M`],
    // Redo log sized at a quarter of the buffer pool, the usual starting point.
    [redoLog, `${Math.max(128, bufferPool / 4)}M`],
    // Binary log and GTIDs: replicas position themselves by GTID, not by file and offset.
    ['log_bin', 'binlog'],
    ['relay_log', 'relay-bin'],
    ['binlog_expire_logs_seconds', '604800'],
    ['sync_binlog', '1'],
    ['innodb_flush_log_at_trx_commit', '1'],
  ];
}

function mysqlSettings(input: EngineSettingsInput): Array<[string, string]> {
  const settings = innodbSettings(input, 'innodb_redo_log_capacity');
  settings.push(
    ['gtid_mode', 'ON'],
    ['enforce_gtid_consistency', 'ON'],
    ['log_replica_updates', 'ON'],
    // Replicas clone the primary (CLONE INSTANCE) before they start replicating.
    ['plugin_load_add', 'mysql_clone.so'],
  );
  if (input.synchronousReplicas > 0) {
    settings.push(
      ['plugin_load_add', 'semisync_source.so'],
      ['plugin_load_add', 'semisync_replica.so'],
      ['rpl_semi_sync_source_enabled', 'ON'],
      ['rpl_semi_sync_replica_enabled', 'ON'],
      ['rpl_semi_sync_source_wait_for_replica_count', String(input.synchronousReplicas)],
      ['rpl_semi_sync_source_wait_point', 'AFTER_SYNC'],
    );
  }
  return settings;
}

function mariadbSettings(input: EngineSettingsInput): Array<[string, string]> {
  const settings = innodbSettings(input, 'innodb_log_file_size');
  settings.push(
    ['binlog_format', 'ROW'],
    ['log_slave_updates', 'ON'],
    ['gtid_strict_mode', 'ON'],
  );
  if (input.synchronousReplicas > 0) {
    settings.push(
      ['rpl_semi_sync_master_enabled', 'ON'],
      ['rpl_semi_sync_slave_enabled', 'ON'],
      ['rpl_semi_sync_master_wait_point', 'AFTER_SYNC'],
    );
  }
  return settings;
}

/** Settings the construct manages in both servers (MySQL's and MariaDB's names for the same switches). */
const MANAGED_PARAMETERS: EngineDriver['managedParameters'] = {
  port: [undefined, "Services, probes and clients use the engine's port"],
  bind_address: [undefined, 'the server must listen on the pod IP for its Services and peers'],
  max_connections: ['maxConnections', 'clients size their pools against it'],
  log_bin: [undefined, 'replicas read the binary log'],
  gtid_mode: [undefined, 'replicas position themselves by GTID'],
  enforce_gtid_consistency: [undefined, 'replicas position themselves by GTID'],
  gtid_strict_mode: [undefined, 'replicas position themselves by GTID'],
  server_id: [undefined, 'each pod derives its own from its ordinal'],
  rpl_semi_sync_source_enabled: ['synchronousReplicas', 'it switches semi-synchronous replication'],
  rpl_semi_sync_replica_enabled: ['synchronousReplicas', 'it switches semi-synchronous replication'],
  rpl_semi_sync_source_wait_for_replica_count: ['synchronousReplicas', 'it is the replica count commits wait for'],
  rpl_semi_sync_master_enabled: ['synchronousReplicas', 'it switches semi-synchronous replication'],
  rpl_semi_sync_slave_enabled: ['synchronousReplicas', 'it switches semi-synchronous replication'],
  rpl_semi_sync_master_wait_for_slave_count: ['synchronousReplicas', 'it is the replica count commits wait for'],
};

function script(file: string): string {
  return readAsset(__dirname, `../scripts/${file}`);
}

/** What tells MySQL and MariaDB apart; the scripts take the family from `DB_ENGINE`. */
interface MysqlFamilyMember {
  readonly family: 'mysql' | 'mariadb';
  readonly title: string;
  readonly supportedLines: readonly SupportedLine[];
  readonly exampleVersion: string;
  readonly maxIdentifierLength: number;
  /** The admin client of the image (`mysqladmin`, `mariadb-admin`). */
  readonly admin: string;
  readonly settings: (input: EngineSettingsInput) => Array<[string, string]>;
  readonly maxSynchronousReplicas?: EngineDriver['supports']['maxSynchronousReplicas'];
}

/**
 * A mysqld-family server from its official image: ordinal 0 is the primary, replicas clone it and follow its binary
 * log by GTID (semi-synchronously with `synchronousReplicas`); **no automatic failover**.
 */
function mysqlFamilyDriver(member: MysqlFamilyMember): EngineDriver {
  return {
    family: member.family,
    title: member.title,
    supportedLines: member.supportedLines,
    exampleVersion: member.exampleVersion,
    pinnedVersion: /^(\d+)\.(\d+)\.(\d+)$/,
    line: (version) => version.split('.').slice(0, 2).join('.'),
    image: (version) => `${member.family}:${version}`,
    runAs: { uid: 999, gid: 999 },
    port: 3306,
    exporterImage: 'prom/mysqld-exporter:v0.15.1',
    metricsPort: 9104,
    maxIdentifierLength: member.maxIdentifierLength,
    sqlalchemySchemes: { default: 'mysql+pymysql', feast: 'mysql+pymysql' },
    supports: {
      haModes: ['manual'],
      tls: false,
      recoverPrimaryFrom: false,
      readyLag: 'maxReadyLagSeconds',
      synchronousWaitsForever: false,
      ...(member.maxSynchronousReplicas ? { maxSynchronousReplicas: member.maxSynchronousReplicas } : {}),
      backupRole: false,
    },
    configSection: '[mysqld]',
    settings: member.settings,
    managedParameters: MANAGED_PARAMETERS,
    parameterKey: (key) => key.toLowerCase().replace(/-/g, '_'),
    pod: (context: EngineContext) => ({
      image: context.engine.image,
      runAs: context.engine.runAs,
      dataMount: '/var/lib/mysql',
      env: [
        ...manualReplicationEnv(context),
        { name: 'DB_ENGINE', value: member.family },
        { name: 'DB_DATA_DIR', value: '/var/lib/mysql/data' },
        { name: 'DB_SOCKET', value: SOCKET },
        { name: 'DB_PORT', value: String(context.engine.port) },
        { name: 'DB_TMP_DIR', value: '/tmp' },
        // The primary's bootstrap refuses to initialize an empty data directory while one of these answers.
        replicaHostsEnv(context),
        ...(context.props.allowEmptyPrimary ? [{ name: 'DB_ALLOW_INITDB_WITH_REPLICAS', value: '1' }] : []),
        // ready.sh authenticates through this option file, which run.sh writes from the Secret.
        { name: 'DB_CLIENT_CNF', value: '/var/run/mysqld/probe.cnf' },
        { name: 'DB_READY_MAX_LAG_SECONDS', value: String(context.sizing.maxReadyLagSeconds) },
      ],
      writablePaths: ['/var/run/mysqld', '/tmp'],
      ports: [{ name: 'db', port: context.engine.port }],
      // ping exits 0 whenever the server answers, even with access denied: no password needed. Crash recovery can
      // replay a lot of redo: allow 10 minutes to start.
      startupProbe: Probe.exec([member.admin, `--socket=${SOCKET}`, 'ping'], { failureThreshold: 120 }),
      readinessProbe: Probe.exec(['sh', `${context.configDir}/ready.sh`]),
      livenessProbe: Probe.exec([member.admin, `--socket=${SOCKET}`, 'ping']),
      // SIGTERM alone gives no chance to see the shutdown through: stop the server and wait.
      preStop: ['sh', `${context.configDir}/stop.sh`],
      bootstrap: true,
      serverVolumes: [],
      configMapName: `${context.identity.name}-config`,
      configFiles: {
        'my.cnf': context.serverConfig,
        'databases.list': context.grantsList,
        'bootstrap.sh': script('mysql-bootstrap.sh'),
        'run.sh': script('mysql-run.sh'),
        'ready.sh': script('mysql-ready.sh'),
        'stop.sh': script('mysql-stop.sh'),
      },
    }),
    exporter: (context) => ({
      args: [`--mysqld.address=127.0.0.1:${context.engine.port}`, '--mysqld.username=$(DB_SUPERUSER)'],
      env: [
        context.credentials.envVar('DB_SUPERUSER', 'username'),
        context.credentials.envVar('MYSQLD_EXPORTER_PASSWORD', 'password'),
      ],
    }),
    terminationGracePeriodSeconds: innodbShutdownSeconds,
    backup: {
      scriptFile: 'backup-mysql.sh',
      connectionEnv: (target) => [
        { name: 'DB_HOST', value: target.host },
        { name: 'DB_PORT', value: String(target.port) },
        target.superuser.envVar('DB_USER', 'username'),
        target.superuser.envVar('MYSQL_PWD', 'password'),
      ],
    },
  };
}

/** MySQL 8.0.30+ and 8.4 from the official (Oracle Linux based) image. */
export const MYSQL_DRIVER: EngineDriver = mysqlFamilyDriver({
  family: 'mysql',
  title: 'MySQL',
  // CHANGE REPLICATION SOURCE and --skip-replica-start need 8.0.26, innodb_redo_log_capacity 8.0.30.
  supportedLines: [{ line: '8.0', minPatch: 30 }, { line: '8.4' }],
  exampleVersion: '8.4.3',
  maxIdentifierLength: 32,
  admin: 'mysqladmin',
  settings: mysqlSettings,
});

/** MariaDB's long-term-support series from the official (Ubuntu based) image. */
export const MARIADB_DRIVER: EngineDriver = mysqlFamilyDriver({
  family: 'mariadb',
  title: 'MariaDB',
  // CREATE USER IF NOT EXISTS and binlog_expire_logs_seconds need 10.6.
  supportedLines: [{ line: '10.6' }, { line: '10.11' }, { line: '11.4' }],
  exampleVersion: '11.4.4',
  maxIdentifierLength: 64,
  admin: 'mariadb-admin',
  settings: mariadbSettings,
  maxSynchronousReplicas: { count: 1, why: 'MariaDB semi-synchronous replication waits for exactly one replica; use 1 (or 0)' },
});
