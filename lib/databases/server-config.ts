import { DatabaseEngine } from './database-engine';

const MiB = 2 ** 20;

/** What the generated server configuration is derived from. */
export interface ServerConfigInput {
  /** Engine and version the configuration is written for. */
  readonly engine: DatabaseEngine;
  /** Memory limit of the server container, in bytes. */
  readonly memoryLimitBytes: number;
  /** Size of the data volume, in bytes. */
  readonly storageBytes: number;
  /** Client connection limit (`max_connections`). */
  readonly maxConnections: number;
  /** Pod names of the replicas (ordinals ≥ 1), in ordinal order. */
  readonly replicaNames: readonly string[];
  /** Replicas that must confirm a commit before it returns (0: asynchronous). */
  readonly synchronousReplicas: number;
  /** Extra or overriding settings, written last (later settings win in both engines). */
  readonly parameters: Readonly<Record<string, string>>;
  /** PostgreSQL: server certificate, key and CA files (mounted from the TLS Secret). @default - no TLS */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
}

function mib(bytes: number): number {
  return Math.floor(bytes / MiB);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** The settings derived from the input, in file order (the keys are the engine's parameter names). */
export function serverSettings(input: ServerConfigInput): Array<[string, string]> {
  return input.engine.family === 'postgres' ? postgresSettings(input) : mysqlSettings(input);
}

function postgresSettings(input: ServerConfigInput): Array<[string, string]> {
  const memory = mib(input.memoryLimitBytes);
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
    ['wal_keep_size', `${clamp(Math.floor(mib(input.storageBytes) / 10), 64, 8192)}MB`],
    // Each replica ordinal has a replication slot, which keeps the WAL it has not received while
    // it is down; bounded at a fifth of the volume so a replica gone for good (or a stale slot)
    // cannot fill the disk: past the bound the slot is invalidated and that replica is cloned again.
    ['max_slot_wal_keep_size', `${Math.max(128, Math.floor(mib(input.storageBytes) / 5))}MB`],
    ['max_wal_size', `${clamp(Math.floor(mib(input.storageBytes) / 10), 256, 8192)}MB`],
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
 * InnoDB buffer pool of a MySQL/MariaDB server, in MiB: half of the memory limit in whole
 * 128 MiB chunks (innodb_buffer_pool_chunk_size); the rest holds per-connection buffers, the
 * binlog cache and the exporter.
 */
export function innodbBufferPoolMiB(memoryLimitBytes: number): number {
  return Math.max(128, Math.floor(mib(memoryLimitBytes) / 2 / 128) * 128);
}

/**
 * Seconds a MySQL/MariaDB pod gets to shut down cleanly: InnoDB flushes the dirty pages of its
 * buffer pool (at most all of it) before it exits, budgeted at 10 s per GiB (a slow 100 MB/s
 * disk) on top of 30 s, and never less than 60 s.
 */
export function innodbShutdownSeconds(memoryLimitBytes: number): number {
  return Math.max(60, 30 + Math.ceil((innodbBufferPoolMiB(memoryLimitBytes) / 1024) * 10));
}

function mysqlSettings(input: ServerConfigInput): Array<[string, string]> {
  const engine = input.engine;
  const bufferPool = innodbBufferPoolMiB(input.memoryLimitBytes);
  const mysql = engine.family === 'mysql';
  const sync = input.synchronousReplicas;
  const settings: Array<[string, string]> = [
    ['port', String(engine.port)],
    ['max_connections', String(input.maxConnections)],
    ['skip_name_resolve', 'ON'],
    ['character_set_server', 'utf8mb4'],
    ['innodb_buffer_pool_size', `${bufferPool}M`],
    // Redo log sized at a quarter of the buffer pool, the usual starting point.
    mysql ? ['innodb_redo_log_capacity', `${Math.max(128, bufferPool / 4)}M`] : ['innodb_log_file_size', `${Math.max(128, bufferPool / 4)}M`],
    // Binary log and GTIDs: replicas position themselves by GTID, not by file and offset.
    ['log_bin', 'binlog'],
    ['relay_log', 'relay-bin'],
    ['binlog_expire_logs_seconds', '604800'],
    ['sync_binlog', '1'],
    ['innodb_flush_log_at_trx_commit', '1'],
  ];
  if (mysql) {
    settings.push(
      ['gtid_mode', 'ON'],
      ['enforce_gtid_consistency', 'ON'],
      ['log_replica_updates', 'ON'],
      // Replicas clone the primary (CLONE INSTANCE) before they start replicating.
      ['plugin_load_add', 'mysql_clone.so'],
    );
    if (sync > 0) {
      settings.push(
        ['plugin_load_add', 'semisync_source.so'],
        ['plugin_load_add', 'semisync_replica.so'],
        ['rpl_semi_sync_source_enabled', 'ON'],
        ['rpl_semi_sync_replica_enabled', 'ON'],
        ['rpl_semi_sync_source_wait_for_replica_count', String(sync)],
        ['rpl_semi_sync_source_wait_point', 'AFTER_SYNC'],
      );
    }
  } else {
    settings.push(
      ['binlog_format', 'ROW'],
      ['log_slave_updates', 'ON'],
      ['gtid_strict_mode', 'ON'],
    );
    if (sync > 0) {
      settings.push(
        ['rpl_semi_sync_master_enabled', 'ON'],
        ['rpl_semi_sync_slave_enabled', 'ON'],
        ['rpl_semi_sync_master_wait_point', 'AFTER_SYNC'],
      );
    }
  }
  return settings;
}

/** The engine's configuration file (`postgresql.conf` or `my.cnf`), with `parameters` last. */
export function renderServerConfig(input: ServerConfigInput): string {
  const settings = [...serverSettings(input), ...Object.entries(input.parameters).sort(([a], [b]) => a.localeCompare(b))];
  const memory = `${mib(input.memoryLimitBytes)}MB`;
  if (input.engine.family === 'postgres') {
    return [
      `# ${input.engine.title}, generated by cdk8s-stateful-ml for a ${memory} memory limit.`,
      ...settings.map(([k, v]) => `${k} = ${v}`),
      '',
    ].join('\n');
  }
  return [
    `# ${input.engine.title}, generated by cdk8s-stateful-ml for a ${memory} memory limit.`,
    '[mysqld]',
    ...settings.map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
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

/**
 * Settings the construct manages because Services, probes, replication or clients depend on them: the prop that
 * sets each (or none) and why. `parameters` cannot override them (the Services would stay on the old port, sync
 * replication would be off while the construct reports it on). Keys are compared as the engines do:
 * case-insensitively, and MySQL/MariaDB treat '-' and '_' alike.
 */
export const MANAGED_PARAMETERS: Readonly<Record<'postgres' | 'mysql', Readonly<Record<string, readonly [prop: string | undefined, why: string]>>>> = {
  postgres: {
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
  mysql: {
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
  },
};

/** One message per user `parameters` key that collides with a managed setting, naming the prop to use instead. */
export function managedParameterProblems(family: 'postgres' | 'mysql' | 'mariadb', parameters: Readonly<Record<string, string>>): string[] {
  const table = MANAGED_PARAMETERS[family === 'postgres' ? 'postgres' : 'mysql'];
  const out: string[] = [];
  for (const [key, value] of Object.entries(parameters)) {
    const managed = table[family === 'postgres' ? key.toLowerCase() : key.toLowerCase().replace(/-/g, '_')];
    if (!managed) continue;
    const [prop, why] = managed;
    out.push(`parameters.${key} = ${JSON.stringify(value)} overrides a setting the construct manages (${why}); ` +
      (prop ? `remove it and set the ${prop} prop instead` : 'remove it (no prop changes it)'));
  }
  return out;
}
