#!/bin/sh
# Readiness probe of every MySQL / MariaDB pod: "can this pod serve its role now". POSIX sh.
# Authenticates as root over the socket through the option file run.sh wrote from the mounted
# Secret (DB_CLIENT_CNF, mode 0600): no password in argv or the probe's environment.
#  - ordinal 0 (the primary): Ready while it answers and is writable (read_only off);
#  - a replica: Ready only while both replication threads run and it is at most
#    DB_READY_MAX_LAG_SECONDS behind (Seconds_Behind_Source / _Master). A replica whose I/O
#    thread cannot connect or whose SQL thread stopped on an error is not Ready.
# Liveness stays a plain ping: lag is no reason to restart a database.
set -eu
# prelude: pod_ordinal

: "${DB_ENGINE:?DB_ENGINE must be mysql or mariadb}"
script_name="$DB_ENGINE-ready"
: "${DB_CLIENT_CNF:?DB_CLIENT_CNF must name the client option file}"
: "${DB_READY_MAX_LAG_SECONDS:?DB_READY_MAX_LAG_SECONDS must be the lag bound in seconds}"
case "$DB_ENGINE" in
  mysql) client=mysql ;;
  mariadb) client=mariadb ;;
  *) echo "DB_ENGINE must be mysql or mariadb, got '$DB_ENGINE'" >&2; exit 1 ;;
esac
pod_ordinal

q() { "$client" --defaults-extra-file="$DB_CLIENT_CNF" --batch "$@"; }

if [ "$ordinal" -eq 0 ]; then
  read_only=$(q --skip-column-names -e 'SELECT @@global.read_only') || { echo "not ready: the server does not answer queries" >&2; exit 1; }
  [ "$read_only" = 0 ] || { echo "not ready: the primary is read-only" >&2; exit 1; }
  exit 0
fi

status=$(q --vertical -e 'SHOW REPLICA STATUS') || { echo "not ready: the server does not answer queries" >&2; exit 1; }
field() { printf '%s\n' "$status" | sed -n -e "s/^ *Replica_$1: //p" -e "s/^ *Slave_$1: //p" | head -n 1; }
io=$(field IO_Running)
sql=$(field SQL_Running)
lag=$(printf '%s\n' "$status" | sed -n -e 's/^ *Seconds_Behind_Source: //p' -e 's/^ *Seconds_Behind_Master: //p' | head -n 1)
if [ -z "$status" ]; then echo "not ready: replication is not configured" >&2; exit 1; fi
if [ "$io" != Yes ] || [ "$sql" != Yes ]; then
  echo "not ready: replication threads IO=$io SQL=$sql" >&2
  exit 1
fi
case "$lag" in ''|*[!0-9]*) echo "not ready: lag unknown ($lag)" >&2; exit 1 ;; esac
if [ "$lag" -gt "$DB_READY_MAX_LAG_SECONDS" ]; then
  echo "not ready: ${lag}s behind the primary (bound ${DB_READY_MAX_LAG_SECONDS}s)" >&2
  exit 1
fi
exit 0
