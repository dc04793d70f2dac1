#!/bin/sh
# Init container of every MySQL / MariaDB pod. POSIX sh (dash, busybox ash, bash).
#
# The role comes from the ordinal: ordinal 0 is the primary, every other ordinal a replica.
#  - first start: initialize the data directory next to DB_DATA_DIR; a replica then copies the
#    primary (MySQL: CLONE INSTANCE; MariaDB: mariadb-dump --gtid of every database, privileges
#    included) and records its GTID position; the directory is renamed into place at the end,
#    so an interrupted bootstrap is simply redone;
#  - every start, on a socket-only temporary server (replication threads not started): the primary creates or updates the
#    superuser, the replication user and every consumer's user and database
#    (databases.list); a replica (re)points replication at the primary with GTID
#    auto-positioning, in its engine's own syntax. Passwords are read from files.
set -eu
# prelude: log pod_ordinal

: "${DB_ENGINE:?DB_ENGINE must be mysql or mariadb}"
: "${DB_DATA_DIR:?DB_DATA_DIR must name the data directory}"
: "${DB_SOCKET:?DB_SOCKET must name the unix socket}"
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding my.cnf}"
: "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"
: "${DB_SUPERUSER:?DB_SUPERUSER must name the superuser}"
: "${PRIMARY_HOST:?PRIMARY_HOST must name the primary}"
DB_PORT="${DB_PORT:-3306}"
PRIMARY_PORT="${PRIMARY_PORT:-$DB_PORT}"
REPLICATION_USER="${REPLICATION_USER:-replicator}"
BOOTSTRAP_TIMEOUT="${BOOTSTRAP_TIMEOUT:-600}"
DB_TMP_DIR="${DB_TMP_DIR:-/tmp}"

script_name="$DB_ENGINE-bootstrap"

case "$DB_ENGINE" in
  mysql) server=mysqld; client=mysql; admin=mysqladmin; skip_replica_start=--skip-replica-start ;;
  mariadb) server=mariadbd; client=mariadb; admin=mariadb-admin; skip_replica_start=--skip-slave-start ;;
  *) log "DB_ENGINE must be mysql or mariadb, got '$DB_ENGINE'"; exit 1 ;;
esac

pod_ordinal
server_id=$((ordinal + 1))

# A file's content as the body of a SQL string literal ('' and \\ escaped).
sql_string() { sed -e 's/\\/\\\\/g' -e "s/'/''/g" "$1"; }
superuser=$(printf '%s' "$DB_SUPERUSER" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")
superuser_password=$(sql_string "$DB_SECRETS_DIR/superuser/password")
replication_password=$(sql_string "$DB_SECRETS_DIR/replication/password")

# The temporary server has no network and so no replicas: semi-synchronous commits would each
# wait for the timeout, so it starts with semi-sync off (loose-: unknown where not loaded).
temp_pid=''
start_temp() {
  "$server" --defaults-file="$DB_CONFIG_DIR/my.cnf" --datadir="$1" --socket="$DB_SOCKET" \
    --pid-file="$DB_TMP_DIR/bootstrap.pid" --skip-networking --server-id="$server_id" "$skip_replica_start" \
    --loose-rpl-semi-sync-master-enabled=OFF --loose-rpl-semi-sync-source-enabled=OFF >&2 &
  temp_pid=$!
  waited=0
  # ping answers as soon as the server accepts connections, even when access is denied.
  until "$admin" --no-defaults --socket="$DB_SOCKET" ping >/dev/null 2>&1; do
    if ! kill -0 "$temp_pid" 2>/dev/null; then log "the temporary server exited during startup"; exit 1; fi
    waited=$((waited + 1))
    if [ "$waited" -ge "$BOOTSTRAP_TIMEOUT" ]; then log "the temporary server did not start within ${BOOTSTRAP_TIMEOUT}s"; exit 1; fi
    sleep 1
  done
}
wait_temp_exit() {
  wait "$temp_pid" 2>/dev/null || true
  temp_pid=''
}
stop_temp() {
  [ -n "$temp_pid" ] || return 0
  kill -TERM "$temp_pid" 2>/dev/null || true
  wait_temp_exit
}
trap 'stop_temp' EXIT

# SQL lines are written with printf, never echo: dash's echo would interpret backslashes.
# Runs SQL from stdin as root over the socket; the password (empty on a fresh directory) is
# passed through MYSQL_PWD, never on the command line.
as_root() {
  MYSQL_PWD="$1" "$client" --no-defaults --socket="$DB_SOCKET" --user=root --batch --skip-column-names
}

if [ ! -d "$DB_DATA_DIR/mysql" ]; then
  if [ -d "$DB_DATA_DIR" ] && [ -n "$(ls -A "$DB_DATA_DIR")" ]; then
    log "$DB_DATA_DIR is neither empty nor a data directory: refusing to touch it"
    exit 1
  fi
  # An empty primary next to a running replica means its data was lost: a new, empty primary
  # would hand the replicas a history they do not share. Any answer counts (even access denied).
  if [ "$ordinal" -eq 0 ] && [ "${DB_ALLOW_INITDB_WITH_REPLICAS:-0}" != 1 ]; then
    for replica in ${REPLICA_HOSTS:-}; do
      case "$replica" in *:*) rhost="${replica%:*}"; rport="${replica##*:}" ;; *) rhost="$replica"; rport="$DB_PORT" ;; esac
      if "$admin" --no-defaults --host="$rhost" --port="$rport" --connect-timeout=3 ping >/dev/null 2>&1; then
        log "primary ($pod): $DB_DATA_DIR is empty but the replica $rhost:$rport is running: the primary's data was lost." \
          "Initializing a new, empty primary would leave the replicas with data it does not have, so this pod refuses to start." \
          "Promote the most advanced replica by hand (docs/database-operations.md), or, to discard all data on purpose," \
          "set allowEmptyPrimary: true (env DB_ALLOW_INITDB_WITH_REPLICAS=1) and delete every replica's data claim."
        exit 1
      fi
    done
  fi
  new="$DB_DATA_DIR.new"
  rm -rf "$new"
  log "initializing $new"
  if [ "$DB_ENGINE" = mysql ]; then
    "$server" --defaults-file="$DB_CONFIG_DIR/my.cnf" --datadir="$new" --initialize-insecure >&2
  else
    mariadb-install-db --defaults-file="$DB_CONFIG_DIR/my.cnf" --datadir="$new" \
      --auth-root-authentication-method=normal --skip-test-db >&2
  fi
  start_temp "$new"
  if [ "$ordinal" -eq 0 ]; then
    log "primary ($pod): setting the root password"
    printf "%s\n" "ALTER USER 'root'@'localhost' IDENTIFIED BY '$superuser_password';" | as_root ''
  else
    waited=0
    until "$admin" --no-defaults --host="$PRIMARY_HOST" --port="$PRIMARY_PORT" --connect-timeout=5 ping >/dev/null 2>&1; do
      waited=$((waited + 2))
      if [ "$waited" -ge "$BOOTSTRAP_TIMEOUT" ]; then log "the primary did not answer within ${BOOTSTRAP_TIMEOUT}s"; exit 1; fi
      sleep 2
    done
    if [ "$DB_ENGINE" = mysql ]; then
      log "replica ($pod): cloning the primary with CLONE INSTANCE"
      # The clone replaces the data directory, then the server stops (no supervisor restarts
      # it): error 3707 is the expected end of a successful clone.
      clone_log="$DB_TMP_DIR/clone.log"
      as_root '' >"$clone_log" 2>&1 <<SQL || grep -q 'ERROR 3707' "$clone_log" || { cat "$clone_log" >&2; exit 1; }
SET GLOBAL clone_valid_donor_list = '$PRIMARY_HOST:$PRIMARY_PORT';
CLONE INSTANCE FROM '$REPLICATION_USER'@'$PRIMARY_HOST':$PRIMARY_PORT IDENTIFIED BY '$replication_password';
SQL
      wait_temp_exit
    else
      log "replica ($pod): copying the primary with mariadb-dump --gtid"
      dump="$DB_TMP_DIR/clone.sql"
      MYSQL_PWD="$(cat "$DB_SECRETS_DIR/superuser/password")" mariadb-dump --no-defaults \
        --host="$PRIMARY_HOST" --port="$PRIMARY_PORT" --user="$DB_SUPERUSER" \
        --all-databases --single-transaction --gtid --master-data=2 --routines --events --triggers \
        --flush-privileges > "$dump"
      gtid=$(sed -n "s/^-- SET GLOBAL gtid_slave_pos='\([0-9,-]*\)';\$/\1/p" "$dump")
      # Not binlogged here: the replica's own binlog must not get GTIDs ahead of the primary's.
      { echo 'SET SESSION sql_log_bin = 0;'; cat "$dump"; printf '%s\n' "SET GLOBAL gtid_slave_pos = '$gtid';"; } | as_root ''
      rm -f "$dump"
      stop_temp
    fi
  fi
  stop_temp
  rm -rf "$DB_DATA_DIR"
  mv "$new" "$DB_DATA_DIR"
fi

start_temp "$DB_DATA_DIR"
if [ "$ordinal" -eq 0 ]; then
  log "primary ($pod): reconciling users and databases"
  if [ "$DB_ENGINE" = mysql ]; then replication_privileges='REPLICATION SLAVE, BACKUP_ADMIN'; else replication_privileges='REPLICATION SLAVE'; fi
  {
    # Created once, password updated on every start so a rotated Secret takes effect.
    ensure_user() {
      printf "%s\n" "CREATE USER IF NOT EXISTS '$1'@'$2' IDENTIFIED BY '$3';"
      printf "%s\n" "ALTER USER '$1'@'$2' IDENTIFIED BY '$3';"
    }
    ensure_user root localhost "$superuser_password"
    ensure_user "$superuser" % "$superuser_password"
    printf "%s\n" "GRANT ALL PRIVILEGES ON *.* TO '$superuser'@'%' WITH GRANT OPTION;"
    if [ "$DB_ENGINE" = mariadb ]; then
      # MariaDB has no super_read_only: SUPER and READ_ONLY ADMIN let a login write on a
      # read_only replica. Revoked from every login but root@localhost (replicated to the
      # replicas with the privilege tables; the replication threads are not bound by
      # read_only). root@localhost keeps them because only it can grant ALL PRIVILEGES on the
      # next start; it exists only on the pod's socket, for these scripts.
      printf "%s\n" "REVOKE SUPER, READ_ONLY ADMIN ON *.* FROM '$superuser'@'%';"
      # The image's socket-authenticated account (any process running as the server's uid).
      printf "%s\n" "CREATE USER IF NOT EXISTS 'mysql'@'localhost' IDENTIFIED VIA unix_socket;"
      printf "%s\n" "REVOKE SUPER, READ_ONLY ADMIN ON *.* FROM 'mysql'@'localhost';"
    fi
    ensure_user "$REPLICATION_USER" % "$replication_password"
    printf "%s\n" "GRANT $replication_privileges ON *.* TO '$REPLICATION_USER'@'%';"
    while read -r database user; do
      case "$database" in ''|'#'*) continue ;; esac
      printf "%s\n" "CREATE DATABASE IF NOT EXISTS \`$database\`;"
      ensure_user "$user" % "$(sql_string "$DB_SECRETS_DIR/grants/$database/password")"
      printf "%s\n" "GRANT ALL PRIVILEGES ON \`$database\`.* TO '$user'@'%';"
    done < "$DB_CONFIG_DIR/databases.list"
  } | as_root "$(cat "$DB_SECRETS_DIR/superuser/password")"
else
  log "replica ($pod): replicating from $PRIMARY_HOST:$PRIMARY_PORT by GTID"
  if [ "$DB_ENGINE" = mysql ]; then
    as_root "$(cat "$DB_SECRETS_DIR/superuser/password")" <<SQL
CHANGE REPLICATION SOURCE TO SOURCE_HOST = '$PRIMARY_HOST', SOURCE_PORT = $PRIMARY_PORT, SOURCE_USER = '$REPLICATION_USER', SOURCE_PASSWORD = '$replication_password', SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1, SOURCE_CONNECT_RETRY = 10;
SQL
  else
    as_root "$(cat "$DB_SECRETS_DIR/superuser/password")" <<SQL
CHANGE MASTER TO MASTER_HOST = '$PRIMARY_HOST', MASTER_PORT = $PRIMARY_PORT, MASTER_USER = '$REPLICATION_USER', MASTER_PASSWORD = '$replication_password', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 10;
SQL
  fi
fi
stop_temp
log "$pod: ready"
