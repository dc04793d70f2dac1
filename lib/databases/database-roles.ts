/** Role name of the streaming-replication / binlog-replication user. */
export const REPLICATION_USER = 'replicator';
/** PostgreSQL role of the metrics exporter: `pg_monitor` only, no password, unix socket only. */
export const MONITOR_USER = 'metrics_exporter';
/** PostgreSQL role of the logical backups: `pg_read_all_data`, not a superuser. */
export const BACKUP_USER = 'backup';
