#!/bin/sh
# Init container of every PostgreSQL pod. POSIX sh (dash, busybox ash, bash).
#
# The role comes from the ordinal: ordinal 0 is the primary, every other ordinal a hot standby.
#  - primary, first start: initdb with the superuser password from its Secret, unless a replica
#    answers (REPLICA_HOSTS): then the primary's data was lost, and an empty primary would strand
#    every replica, so it refuses, or, with DB_RECOVER_PRIMARY_FROM, clones that replica and
#    promotes the copy;
#  - replica, first start: pg_basebackup from the primary, then standby.signal (run.sh writes
#    primary_conninfo, without a password, on every start);
#  - primary, every start: on a socket-only temporary server, create or update the replication
#    role and every consumer's role and database (databases.list), passwords read from files,
#    and one physical replication slot per replica ordinal (DB_REPLICAS), dropping the slots of
#    ordinals scaled away.
# Data directories are built next to PGDATA and renamed into place, so an interrupted bootstrap
# is simply redone on the next start.
set -eu
script_name=postgres-bootstrap
# prelude: log pod_ordinal

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
DB_REPLICAS="${DB_REPLICAS:-1}"
REPLICA_HOSTS="${REPLICA_HOSTS:-}"
export PGPORT

pod_ordinal
case "$DB_REPLICAS" in
  ''|*[!0-9]*) log "DB_REPLICAS must be the StatefulSet's replica count, got '$DB_REPLICAS'"; exit 1 ;;
esac
# Replication slots are named <statefulset>_<ordinal> ([a-z0-9_]: '-' becomes '_').
slot_prefix=$(printf '%s' "${pod%-*}" | tr '-' '_')

# `host` or `host:port` (tests run every server on 127.0.0.1) into $host and $port.
split_host_port() {
  case "$1" in
    *:*) host="${1%:*}"; port="${1##*:}" ;;
    *) host="$1"; port="$PGPORT" ;;
  esac
}

# pg_basebackup of $1 (host[:port]) into $PGDATA.new, as the replication user.
clone_from() {
  split_host_port "$1"
  log "$pod: waiting for $host:$port"
  waited=0
  until pg_isready -q -h "$host" -p "$port" -t 5; do
    waited=$((waited + 2))
    if [ "$waited" -ge "$BOOTSTRAP_TIMEOUT" ]; then
      log "$host:$port did not accept connections within ${BOOTSTRAP_TIMEOUT}s"
      exit 1
    fi
    sleep 2
  done
  log "$pod: cloning $host:$port with pg_basebackup"
  # The password reaches pg_basebackup only; nothing is written into the copy.
  PGPASSWORD="$(cat "$DB_SECRETS_DIR/replication/password")" pg_basebackup \
    -d "host=$host port=$port user=$REPLICATION_USER application_name=$pod" \
    -D "$PGDATA.new" -Fp -Xs -c fast -P >&2
}

if [ -d "$PGDATA" ] && [ ! -s "$PGDATA/PG_VERSION" ] && [ -n "$(ls -A "$PGDATA")" ]; then
  log "$PGDATA is neither empty nor a PostgreSQL data directory: refusing to touch it"
  exit 1
fi

# A standby that cannot follow the primary any more (WAL gap, another timeline, another cluster)
# is rewound, or moved aside and cloned again below.
if [ "$ordinal" -ne 0 ] && [ -s "$PGDATA/PG_VERSION" ] && [ -f "$PGDATA/standby.signal" ]; then
  healed=0
  DB_HEAL_REWIND=1 sh "$DB_CONFIG_DIR/heal.sh" "$PRIMARY_HOST:$PRIMARY_PORT" || healed=$?
  case "$healed" in 0|10) ;; *) exit "$healed" ;; esac
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  rm -rf "$PGDATA.new"
  if [ "$ordinal" -eq 0 ] && [ -n "${DB_RECOVER_PRIMARY_FROM:-}" ]; then
    log "primary ($pod): recovering the lost primary from the replica $DB_RECOVER_PRIMARY_FROM"
    clone_from "$DB_RECOVER_PRIMARY_FROM"
    # The copy is a standby of the lost primary: replay what it holds, then promote it (below)
    # onto a new timeline, which the other replicas follow.
    grep -v -E '^[[:space:]]*(primary_conninfo|primary_slot_name)[[:space:]]*=' "$PGDATA.new/postgresql.auto.conf" > "$PGDATA.new/postgresql.auto.conf.tmp" || true
    mv "$PGDATA.new/postgresql.auto.conf.tmp" "$PGDATA.new/postgresql.auto.conf"
    : > "$PGDATA.new/standby.signal"
    : > "$PGDATA.new/promote.pending"
  elif [ "$ordinal" -eq 0 ]; then
    # An empty primary next to live replicas means its data claim was lost: a new cluster would
    # have another system identifier, no replica could follow it, and synchronous commits would
    # wait forever. Only a replica that answers counts (pods scaled away or down do not).
    if [ "${DB_ALLOW_INITDB_WITH_REPLICAS:-0}" != 1 ]; then
      for replica in $REPLICA_HOSTS; do
        split_host_port "$replica"
        answered=0
        pg_isready -q -h "$host" -p "$port" -t 3 || answered=$?
        # 0: accepting connections, 1: rejecting them (starting up): either way a server is there.
        if [ "$answered" -le 1 ]; then
          log "primary ($pod): $PGDATA is empty but the replica $host:$port is running: the primary's data was lost." \
            "Initializing a new, empty primary would leave every replica unable to follow it and block synchronous commits, so this pod refuses to start." \
            "To keep the data, recover the primary from the most advanced replica: set recoverPrimaryFrom: <its ordinal> on the StatefulDatabase" \
            "(env DB_RECOVER_PRIMARY_FROM=<its host>) and delete this pod (runbook: docs/database-operations.md)." \
            "To discard all data on purpose, set allowEmptyPrimary: true (env DB_ALLOW_INITDB_WITH_REPLICAS=1) and delete every replica's data claim."
          exit 1
        fi
      done
    fi
    log "primary ($pod): initializing $PGDATA"
    initdb -D "$PGDATA.new" -U "$DB_SUPERUSER" --pwfile="$DB_SECRETS_DIR/superuser/password" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --data-checksums >&2
  else
    clone_from "$PRIMARY_HOST:$PRIMARY_PORT"
    : > "$PGDATA.new/standby.signal"
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
# A copy recovered from a replica is promoted once (standby.signal goes away when it is).
if [ -f "$PGDATA/promote.pending" ]; then
  if [ -f "$PGDATA/standby.signal" ]; then
    log "primary ($pod): promoting the recovered copy"
    pg_ctl -D "$PGDATA" -w -t "$BOOTSTRAP_TIMEOUT" promote >&2
  fi
  rm -f "$PGDATA/promote.pending"
fi

DB_SLOT_PREFIX="$slot_prefix" sh "$DB_CONFIG_DIR/reconcile.sh" || {
  status=$?
  pg_ctl -D "$PGDATA" -m fast -w stop >&2 || true
  exit "$status"
}

pg_ctl -D "$PGDATA" -m fast -w stop >&2
log "primary ($pod): ready"
