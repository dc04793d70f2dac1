#!/bin/sh
# preStop hook of every MySQL / MariaDB pod: a clean shutdown before the kubelet's SIGTERM.
# `mysqladmin shutdown` flushes the InnoDB buffer pool and waits until the server is gone, so
# the next start needs no crash recovery (terminationGracePeriodSeconds is sized for the
# flush). The root password is read from the mounted Secret file into MYSQL_PWD, never argv
# (which every process in the pod could read). POSIX sh.
set -eu

: "${DB_ENGINE:?DB_ENGINE must be mysql or mariadb}"
: "${DB_SOCKET:?DB_SOCKET must name the unix socket}"
: "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"

case "$DB_ENGINE" in
  mysql) admin=mysqladmin ;;
  mariadb) admin=mariadb-admin ;;
  *) echo "DB_ENGINE must be mysql or mariadb, got '$DB_ENGINE'" >&2; exit 1 ;;
esac

# The bootstrap gives root@localhost the superuser's password.
MYSQL_PWD="$(cat "$DB_SECRETS_DIR/superuser/password")"
export MYSQL_PWD
exec "$admin" --no-defaults --socket="$DB_SOCKET" --user=root shutdown
