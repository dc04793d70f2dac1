#!/bin/sh
# Server container of every PostgreSQL pod: runs postgres in the foreground (PID 1) with the
# generated configuration. A replica is a hot standby because its bootstrap left standby.signal.
# POSIX sh.
#
# On every start of a replica (a container restart does not rerun the init container):
#  - the replication password is written from its mounted Secret file into a pgpass file in an
#    emptyDir (never into the data directory), so a rotated password takes effect on restart;
#  - primary_conninfo in postgresql.auto.conf is rewritten without a password, naming that
#    passfile, and primary_slot_name names this ordinal's slot on the primary. This also
#    repairs replicas cloned with `pg_basebackup -R`, which stored the password there.
set -eu
script_name=postgres-run
# prelude: log pod_ordinal

: "${PGDATA:?PGDATA must name the data directory}"
: "${PGHOST:?PGHOST must name the unix socket directory}"
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding postgresql.conf}"
PGPORT="${PGPORT:-5432}"

pod_ordinal

# postgresql.auto.conf without primary_conninfo / primary_slot_name (plus $1, already escaped
# lines), replaced atomically. The server is not running: nothing else writes the file.
rewrite_auto_conf() {
  auto="$PGDATA/postgresql.auto.conf"
  [ -f "$auto" ] || : > "$auto"
  { grep -v -E '^[[:space:]]*(primary_conninfo|primary_slot_name)[[:space:]]*=' "$auto" || true; printf '%s' "$1"; } > "$auto.tmp"
  chmod 600 "$auto.tmp"
  mv "$auto.tmp" "$auto"
}

# A libpq connection value in single quotes (\ and ' escaped), then as a postgresql.conf string
# (' doubled).
conninfo_value() { printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"; }
conf_string() { printf "'%s'" "$(printf '%s' "$1" | sed -e "s/'/''/g")"; }

if [ "$ordinal" -ne 0 ]; then
  : "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"
  : "${PRIMARY_HOST:?PRIMARY_HOST must name the primary}"
  : "${DB_PASSFILE:?DB_PASSFILE must name the pgpass file to write (in an emptyDir)}"
  PRIMARY_PORT="${PRIMARY_PORT:-$PGPORT}"
  REPLICATION_USER="${REPLICATION_USER:-replicator}"
  password_file="$DB_SECRETS_DIR/replication/password"
  [ -r "$password_file" ] || { log "cannot read the replication password file $password_file"; exit 1; }
  # Trailing line breaks are dropped (as psql's backquotes do when the primary sets it); one
  # inside the password cannot be written to a pgpass file.
  password=$(cat "$password_file")
  nl='
'
  case "$password" in *"$nl"*) log "the replication password in $password_file contains a line break, which a pgpass file cannot hold"; exit 1 ;; esac
  # pgpass fields escape \ and :.
  pgpass_field() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/:/\\:/g'; }
  (
    umask 077
    printf '*:*:*:%s:%s\n' "$(pgpass_field "$REPLICATION_USER")" "$(pgpass_field "$password")" > "$DB_PASSFILE.tmp"
  )
  chmod 600 "$DB_PASSFILE.tmp"
  mv "$DB_PASSFILE.tmp" "$DB_PASSFILE"
  # application_name is what the primary's synchronous_standby_names lists; the slot,
  # <statefulset>_<ordinal> with '_' for '-' (slot names allow [a-z0-9_]), is created by the
  # primary's bootstrap.
  slot="$(printf '%s' "${pod%-*}" | tr '-' '_')_$ordinal"
  conninfo="host=$(conninfo_value "$PRIMARY_HOST") port=$(conninfo_value "$PRIMARY_PORT") user=$(conninfo_value "$REPLICATION_USER") passfile=$(conninfo_value "$DB_PASSFILE") application_name=$(conninfo_value "$pod")"
  # With TLS (PGSSLMODE set in the pod) the walreceiver verifies the primary's certificate too.
  if [ -n "${PGSSLMODE:-}" ]; then
    conninfo="$conninfo sslmode=$(conninfo_value "$PGSSLMODE") sslrootcert=$(conninfo_value "${PGSSLROOTCERT:-}")"
  fi
  rewrite_auto_conf "primary_conninfo = $(conf_string "$conninfo")
primary_slot_name = '$slot'
"
elif [ -f "$PGDATA/postgresql.auto.conf" ] && grep -q -E '^[[:space:]]*(primary_conninfo|primary_slot_name)[[:space:]]*=' "$PGDATA/postgresql.auto.conf"; then
  # A primary recovered from a replica's data keeps that replica's settings (and maybe a
  # password): drop them.
  rewrite_auto_conf ''
fi

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
