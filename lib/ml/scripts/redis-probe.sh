#!/bin/sh
# Health probe of one Redis or Sentinel pod (POSIX sh). Usage: redis-probe.sh liveness|readiness|sentinel
#   liveness   the server answers: PONG, or LOADING (replaying the AOF) or MASTERDOWN
#   readiness  the server answers PONG and, on a replica, its link to the primary is up
#   sentinel   the Sentinel answers PONG and monitors a primary (even one that is down: a Sentinel
#              is most needed, and must stay Ready, while it fails the primary over)
# Runs as the ACL user `probe` (PING and INFO only), password in REDIS_PASSWORD_PROBE.
# Environment: REDIS_PASSWORD_PROBE (required), REDIS_PORT (default 6379; the Sentinel's port for
# `sentinel`), REDIS_TLS_CA_FILE (set: talk TLS).
set -eu

port="${REDIS_PORT:-6379}"
# redis-cli reads the password from REDISCLI_AUTH, so it never appears in a process list.
REDISCLI_AUTH="${REDIS_PASSWORD_PROBE:?REDIS_PASSWORD_PROBE is not set}"
export REDISCLI_AUTH

cli() {
  if [ -n "${REDIS_TLS_CA_FILE:-}" ]; then set -- --tls --cacert "$REDIS_TLS_CA_FILE" "$@"; fi
  redis-cli --no-auth-warning --user probe -h 127.0.0.1 -p "$port" "$@" 2>&1 | tr -d '\r'
}

reply=$(cli ping) || true

case "${1:-}" in
  liveness)
    case "$reply" in
      PONG | LOADING* | MASTERDOWN*) exit 0 ;;
    esac
    ;;
  readiness)
    if [ "$reply" = PONG ]; then
      info=$(cli info replication) || true
      case "$info" in
        *role:slave*)
          case "$info" in
            *master_link_status:up*) exit 0 ;;
          esac
          echo "redis-probe: replica not yet linked to its primary" >&2
          exit 1
          ;;
        *role:master*) exit 0 ;;
      esac
      reply="unexpected INFO replication output: $info"
    fi
    ;;
  sentinel)
    if [ "$reply" = PONG ]; then
      info=$(cli info sentinel) || true
      case "$info" in
        *master0:name=*) exit 0 ;;
      esac
      reply="no monitored primary: $info"
    fi
    ;;
  *)
    echo "usage: redis-probe.sh liveness|readiness|sentinel" >&2
    exit 2
    ;;
esac
echo "redis-probe: $1 failed: $reply" >&2
exit 1
