#!/bin/sh
# Server container of every PostgreSQL pod: runs postgres in the foreground (PID 1) with the
# generated configuration. A replica is a hot standby because its bootstrap left standby.signal.
# POSIX sh.
set -eu

: "${PGDATA:?PGDATA must name the data directory}"
: "${PGHOST:?PGHOST must name the unix socket directory}"
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding postgresql.conf}"
PGPORT="${PGPORT:-5432}"

set -- -D "$PGDATA" \
  -c "config_file=$DB_CONFIG_DIR/postgresql.conf" \
  -c "hba_file=$DB_CONFIG_DIR/pg_hba.conf" \
  -c "unix_socket_directories=$PGHOST" \
  -p "$PGPORT"
# Tests bind to 127.0.0.1; in a pod the configuration's listen_addresses ('*') applies.
if [ -n "${PG_LISTEN_ADDRESSES:-}" ]; then
  set -- "$@" -c "listen_addresses=$PG_LISTEN_ADDRESSES"
fi
exec postgres "$@"
