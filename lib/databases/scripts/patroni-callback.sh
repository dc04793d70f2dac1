#!/bin/sh
# Patroni callback (on_start, on_role_change): `sh patroni-callback.sh <action> <role> <scope>`.
# When this member is the leader, reconcile roles and databases (postgres-reconcile.sh) once
# the server accepts writes, so a new leader after a failover applies rotated passwords and new
# consumers too. Patroni runs one callback at a time and kills a stale one. POSIX sh.
set -eu
action="${1:-}"
role="${2:-}"
case "$role" in
  master|primary) ;;
  *) exit 0 ;;
esac
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding the scripts}"
RECONCILE_TIMEOUT="${RECONCILE_TIMEOUT:-300}"
waited=0
until [ "$(psql -X -A -t -q -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null || true)" = f ]; do
  waited=$((waited + 1))
  if [ "$waited" -ge "$RECONCILE_TIMEOUT" ]; then
    echo "patroni-callback: $action as $role: the server did not accept writes within ${RECONCILE_TIMEOUT}s; roles not reconciled" >&2
    exit 1
  fi
  sleep 1
done
sh "$DB_CONFIG_DIR/reconcile.sh"
echo "patroni-callback: $action as $role: roles and databases reconciled" >&2
