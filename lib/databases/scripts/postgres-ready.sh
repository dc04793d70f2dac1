#!/bin/sh
# Readiness probe of every PostgreSQL pod, in both modes: "can this pod serve its role now",
# not "does the process answer". POSIX sh; reads the server over its unix socket.
#  - not in recovery (a primary): Ready;
#  - in recovery (a standby): Ready only while its WAL receiver is streaming from the primary
#    and the WAL it has been told exists but has not replayed yet is at most
#    DB_READY_MAX_LAG_BYTES. A standby whose WAL the primary removed, that follows a timeline the
#    primary left, or that lost its connection has no streaming receiver: not Ready, so the
#    -ro Service stops sending it reads and it never counts as caught up.
# Liveness never runs this: lag is no reason to restart a database.
set -eu
: "${DB_READY_MAX_LAG_BYTES:?DB_READY_MAX_LAG_BYTES must be the replay lag bound in bytes}"
case "$DB_READY_MAX_LAG_BYTES" in ''|*[!0-9]*) echo "DB_READY_MAX_LAG_BYTES must be a number of bytes" >&2; exit 1 ;; esac

state=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -d postgres -c "
SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'primary'
  ELSE coalesce((
    SELECT CASE
      WHEN status <> 'streaming' THEN 'standby not streaming (' || status || ')'
      WHEN coalesce(pg_wal_lsn_diff(latest_end_lsn, pg_last_wal_replay_lsn()), 0) > $DB_READY_MAX_LAG_BYTES
        THEN 'standby replay lag ' || pg_wal_lsn_diff(latest_end_lsn, pg_last_wal_replay_lsn())::bigint || ' bytes > $DB_READY_MAX_LAG_BYTES'
      ELSE 'streaming' END
    FROM pg_stat_wal_receiver), 'standby without a WAL receiver (not connected to the primary)')
  END") || { echo "not ready: the server does not answer queries" >&2; exit 1; }

case "$state" in
  primary|streaming) exit 0 ;;
  *) echo "not ready: $state" >&2; exit 1 ;;
esac
