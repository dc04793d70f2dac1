/**
 * Patroni's configuration file for a StatefulDatabase in `HighAvailability.patroni()` mode,
 * rendered as JSON (a YAML subset Patroni reads as is). Secrets and per-pod addresses are not in
 * it: Patroni takes them from PATRONI_* environment variables (secretKeyRefs, the pod's name and
 * IP), so the file is the same for every pod.
 */

/** Label Patroni sets on each pod with its role, and the values the Services select. */
export const ROLE_LABEL = 'role';
/** `role` label value of the current leader (Patroni's `kubernetes.leader_label_value`). */
export const PRIMARY_ROLE = 'primary';
/** `role` label value of a streaming replica (Patroni's `kubernetes.follower_label_value`). */
export const REPLICA_ROLE = 'replica';
/** Port of Patroni's REST API. */
export const PATRONI_PORT = 8008;

/**
 * Parameters Patroni accepts only from the cluster-wide (DCS) configuration, because every
 * member must agree on them (Patroni's `CMDLINE_OPTIONS`); the rest are local.
 */
const CLUSTER_WIDE = new Set([
  'max_connections', 'max_locks_per_transaction', 'max_worker_processes', 'max_prepared_transactions',
  'wal_level', 'track_commit_timestamp', 'max_wal_senders', 'max_replication_slots', 'wal_keep_size',
  'wal_log_hints', 'hot_standby', 'max_slot_wal_keep_size',
]);
/** Settings Patroni manages itself (listen address, port, synchronous standbys). */
const PATRONI_OWNED = new Set(['listen_addresses', 'port', 'synchronous_standby_names']);

/** What the Patroni configuration is derived from. */
export interface PatroniConfigInput {
  /** Patroni scope: the StatefulSet name. */
  readonly scope: string;
  /** Namespace holding the DCS objects (the database's). */
  readonly namespace: string;
  /** Labels of every pod of the cluster except the scope label (`app.kubernetes.io/instance`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Label whose value is the scope on every pod. */
  readonly scopeLabel: string;
  /** PostgreSQL server port. */
  readonly port: number;
  /** PostgreSQL data directory (PGDATA). */
  readonly dataDir: string;
  /** Unix socket directory (an emptyDir the probes and the exporter share). */
  readonly socketDir: string;
  /** Directory of the image's PostgreSQL binaries. */
  readonly binDir: string;
  /** pgpass file Patroni writes (in an emptyDir). */
  readonly pgpass: string;
  /** Generated server settings (name, value as written in postgresql.conf). */
  readonly settings: ReadonlyArray<readonly [string, string]>;
  /** pg_hba.conf lines. */
  readonly pgHba: readonly string[];
  /** Replicas that confirm every commit (0: asynchronous). */
  readonly synchronousReplicas: number;
  /** `synchronous_mode_strict`: commits wait rather than go asynchronous without a synchronous standby. */
  readonly strictSynchronous: boolean;
  /** A replica further behind than this (bytes) is never promoted. */
  readonly maximumLagOnFailover: number;
  /** Leader lock lifetime, seconds. */
  readonly ttl: number;
  /** Seconds between HA loops. */
  readonly loopWait: number;
  /** Seconds of retries against the DCS and PostgreSQL. */
  readonly retryTimeout: number;
  /** libpq TLS settings of replication and rewind connections. @default - none (no TLS) */
  readonly replicationTls?: { readonly sslmode: string; readonly sslrootcert: string };
  /** Script Patroni runs on start and role change (the primary reconciles roles and databases). */
  readonly callback: string;
}

/** `'64MB'` → `64MB`, `'on'` → `on`: postgresql.conf quoting removed (Patroni quotes itself). */
function unquote(value: string): string {
  return value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1).replace(/''/g, "'") : value;
}

/** The Patroni configuration object (tests and docs read it back from the ConfigMap). */
export function patroniConfig(input: PatroniConfigInput): Record<string, unknown> {
  const clusterWide: Record<string, string> = {};
  const local: Record<string, string> = {};
  for (const [name, value] of input.settings) {
    if (PATRONI_OWNED.has(name)) continue;
    (CLUSTER_WIDE.has(name) ? clusterWide : local)[name] = unquote(value);
  }
  local.unix_socket_directories = input.socketDir;
  const sync = input.synchronousReplicas;
  return {
    scope: input.scope,
    restapi: { listen: `0.0.0.0:${PATRONI_PORT}` },
    kubernetes: {
      namespace: input.namespace,
      labels: { ...input.labels },
      scope_label: input.scopeLabel,
      role_label: ROLE_LABEL,
      leader_label_value: PRIMARY_ROLE,
      follower_label_value: REPLICA_ROLE,
      standby_leader_label_value: PRIMARY_ROLE,
      // Leader lock and configuration in ConfigMaps; the -rw Service selects the leader by its
      // role label, so Patroni needs no Endpoints or Services permissions.
      use_endpoints: false,
    },
    bootstrap: {
      dcs: {
        ttl: input.ttl,
        loop_wait: input.loopWait,
        retry_timeout: input.retryTimeout,
        maximum_lag_on_failover: input.maximumLagOnFailover,
        synchronous_mode: sync > 0,
        synchronous_mode_strict: sync > 0 && input.strictSynchronous,
        synchronous_node_count: Math.max(1, sync),
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: clusterWide,
        },
      },
      // Checksums make pg_rewind possible without wal_log_hints.
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'data-checksums'],
      // Read only by Patroni before 3.0 (and required by 3.0's --validate-config); the same rules.
      pg_hba: [...input.pgHba],
    },
    postgresql: {
      listen: `0.0.0.0:${input.port}`,
      data_dir: input.dataDir,
      bin_dir: input.binDir,
      pgpass: input.pgpass,
      use_unix_socket: true,
      use_unix_socket_repl: false,
      // A new replica clones the leader at once instead of waiting for a spread checkpoint.
      basebackup: [{ checkpoint: 'fast' }],
      // A former leader rejoins through pg_rewind; if that fails it stays down (its data is
      // moved aside by hand, never deleted by Patroni: docs/database-operations.md).
      remove_data_directory_on_rewind_failure: false,
      remove_data_directory_on_diverged_timelines: false,
      parameters: local,
      pg_hba: [...input.pgHba],
      // Usernames and passwords come from PATRONI_* env vars, merged into this section by Patroni.
      ...(input.replicationTls ? { authentication: { replication: { ...input.replicationTls }, rewind: { ...input.replicationTls } } } : {}),
      callbacks: {
        on_start: input.callback,
        on_role_change: input.callback,
      },
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

/** The configuration file's text. */
export function renderPatroniConfig(input: PatroniConfigInput): string {
  return `${JSON.stringify(patroniConfig(input), null, 2)}\n`;
}
