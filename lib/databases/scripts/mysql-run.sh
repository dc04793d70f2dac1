#!/bin/sh
# Server container of every MySQL / MariaDB pod: the server in the foreground (PID 1) with the
# generated my.cnf, server-id from the ordinal, replicas read-only for every user (MySQL:
# super_read_only, which also stops accounts with SUPER; MariaDB: read_only, and the bootstrap
# revokes SUPER and READ_ONLY ADMIN, the privileges that bypass it, from every login but the
# socket-only root@localhost the scripts use). Replicas resume
# replication on start with the position their bootstrap recorded. POSIX sh.
set -eu
# prelude: pod_ordinal

: "${DB_ENGINE:?DB_ENGINE must be mysql or mariadb}"
script_name="$DB_ENGINE-run"
: "${DB_DATA_DIR:?DB_DATA_DIR must name the data directory}"
: "${DB_SOCKET:?DB_SOCKET must name the unix socket}"
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding my.cnf}"
DB_PORT="${DB_PORT:-3306}"

pod_ordinal

case "$DB_ENGINE" in
  mysql) server=mysqld; read_only=--super-read-only=ON ;;
  mariadb) server=mariadbd; read_only=--read-only=ON ;;
  *) echo "DB_ENGINE must be mysql or mariadb, got '$DB_ENGINE'" >&2; exit 1 ;;
esac

# The probes' client option file, from the mounted Secret on every start (a rotated password
# takes effect with the restart that applies it): root over the socket, mode 0600, in an
# emptyDir. Option-file values in double quotes escape \ and ".
if [ -n "${DB_CLIENT_CNF:-}" ]; then
  : "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"
  password=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$DB_SECRETS_DIR/superuser/password")
  (
    umask 077
    printf '[client]\nuser=root\npassword="%s"\nsocket="%s"\n' "$password" "$DB_SOCKET" > "$DB_CLIENT_CNF.tmp"
  )
  mv "$DB_CLIENT_CNF.tmp" "$DB_CLIENT_CNF"
fi

# --defaults-file must come first.
set -- --defaults-file="$DB_CONFIG_DIR/my.cnf" --datadir="$DB_DATA_DIR" --socket="$DB_SOCKET" \
  --port="$DB_PORT" --server-id=$((ordinal + 1))
if [ "$ordinal" -ne 0 ]; then
  set -- "$@" "$read_only"
fi
# Tests bind to 127.0.0.1; in a pod the server listens on every address.
if [ -n "${DB_BIND_ADDRESS:-}" ]; then
  set -- "$@" --bind-address="$DB_BIND_ADDRESS"
fi
exec "$server" "$@"
