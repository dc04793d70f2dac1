#!/bin/sh
# Init container of every PostgreSQL pod. POSIX sh (dash, busybox ash, bash).
#
# The role comes from the ordinal: ordinal 0 is the primary, every other ordinal a hot standby.
#  - primary, first start: initdb with the superuser password from its Secret;
#  - replica, first start: pg_basebackup -R from the primary (standby.signal + primary_conninfo);
#  - primary, every start: on a socket-only temporary server, create or update the replication
#    role and every consumer's role and database (databases.list), passwords read from files.
# Data directories are built next to PGDATA and renamed into place, so an interrupted bootstrap
# is simply redone on the next start.
set -eu

: "${PGDATA:?PGDATA must name the data directory}"
: "${PGHOST:?PGHOST must name the unix socket directory}"
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding postgresql.conf}"
: "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"
: "${DB_SUPERUSER:?DB_SUPERUSER must name the superuser}"
: "${PRIMARY_HOST:?PRIMARY_HOST must name the primary}"
PGPORT="${PGPORT:-5432}"
PRIMARY_PORT="${PRIMARY_PORT:-$PGPORT}"
REPLICATION_USER="${REPLICATION_USER:-replicator}"
BOOTSTRAP_TIMEOUT="${BOOTSTRAP_TIMEOUT:-600}"
export PGPORT

log() { echo "postgres-bootstrap: $*" >&2; }

pod="${POD_NAME:-$(hostname)}"
ordinal="${POD_INDEX:-${pod##*-}}"
case "$ordinal" in
  ''|*[!0-9]*) log "cannot derive an ordinal from pod name '$pod'"; exit 1 ;;
esac

if [ -d "$PGDATA" ] && [ ! -s "$PGDATA/PG_VERSION" ] && [ -n "$(ls -A "$PGDATA")" ]; then
  log "$PGDATA is neither empty nor a PostgreSQL data directory: refusing to touch it"
  exit 1
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  rm -rf "$PGDATA.new"
  if [ "$ordinal" -eq 0 ]; then
    log "primary ($pod): initializing $PGDATA"
    initdb -D "$PGDATA.new" -U "$DB_SUPERUSER" --pwfile="$DB_SECRETS_DIR/superuser/password" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --data-checksums >&2
  else
    log "replica ($pod): waiting for the primary $PRIMARY_HOST:$PRIMARY_PORT"
    waited=0
    until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -t 5; do
      waited=$((waited + 2))
      if [ "$waited" -ge "$BOOTSTRAP_TIMEOUT" ]; then
        log "the primary did not accept connections within ${BOOTSTRAP_TIMEOUT}s"
        exit 1
      fi
      sleep 2
    done
    log "replica ($pod): cloning the primary with pg_basebackup"
    # -R writes standby.signal and primary_conninfo; application_name is what the primary's
    # synchronous_standby_names lists.
    PGPASSWORD="$(cat "$DB_SECRETS_DIR/replication/password")" pg_basebackup \
      -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$REPLICATION_USER application_name=$pod" \
      -D "$PGDATA.new" -Fp -Xs -R -c fast -P >&2
  fi
  rm -rf "$PGDATA"
  mv "$PGDATA.new" "$PGDATA"
fi

# A replica's data must be a standby. A copy of the primary restored from a snapshot, or a former
# primary, would otherwise run as a second, diverging primary behind the same Services.
if [ "$ordinal" -ne 0 ] && [ ! -f "$PGDATA/standby.signal" ]; then
  log "replica ($pod): $PGDATA holds a database that is not a standby (a restored copy or a former primary): refusing to start it as a second primary; delete this pod's data claim to clone $PRIMARY_HOST again"
  exit 1
fi

# Replicas receive roles and databases through replication.
[ "$ordinal" -eq 0 ] || exit 0

log "primary ($pod): reconciling roles and databases"
# No network listener, and no synchronous replicas to wait for while they are not there.
pg_ctl -D "$PGDATA" -w -t "$BOOTSTRAP_TIMEOUT" -o "-c config_file=$DB_CONFIG_DIR/postgresql.conf -c hba_file=$DB_CONFIG_DIR/pg_hba.conf -c listen_addresses='' -c unix_socket_directories=$PGHOST -c synchronous_standby_names='' -p $PGPORT" start >&2

{
  # A role with LOGIN and a password read from a file; created once, its password updated on
  # every start so a rotated Secret takes effect.
  ensure_role() {
    cat <<SQL
\\set role $1
\\set pw \`cat '$2'\`
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
ALTER ROLE :"role" WITH LOGIN $3 PASSWORD :'pw';
SQL
  }
  ensure_role "$REPLICATION_USER" "$DB_SECRETS_DIR/replication/password" REPLICATION
  while read -r database user; do
    case "$database" in ''|'#'*) continue ;; esac
    ensure_role "$user" "$DB_SECRETS_DIR/grants/$database/password" ''
    cat <<SQL
\\set database $database
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \\gexec
ALTER DATABASE :"database" OWNER TO :"role";
SQL
  done < "$DB_CONFIG_DIR/databases.list"
} | psql -X -q -v ON_ERROR_STOP=1 -U "$DB_SUPERUSER" -d postgres >&2 || {
  status=$?
  pg_ctl -D "$PGDATA" -m fast -w stop >&2 || true
  exit "$status"
}

pg_ctl -D "$PGDATA" -m fast -w stop >&2
log "primary ($pod): ready"
