#!/bin/sh
# Health probe of one Redis pod (POSIX sh). Usage: redis-probe.sh liveness|readiness
#   liveness   the server answers: PONG, or LOADING (replaying the AOF) or MASTERDOWN
#   readiness  the server answers PONG and, on a replica, its link to the primary is up
# Environment: REDIS_PASSWORD (required), REDIS_PORT (default 6379).
set -eu

port="${REDIS_PORT:-6379}"
# redis-cli reads the password from REDISCLI_AUTH, so it never appears in a process list.
REDISCLI_AUTH="${REDIS_PASSWORD:?REDIS_PASSWORD is not set}"
export REDISCLI_AUTH

cli() {
  redis-cli --no-auth-warning -h 127.0.0.1 -p "$port" "$@" 2>&1 | tr -d '\r'
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
  *)
    echo "usage: redis-probe.sh liveness|readiness" >&2
    exit 2
    ;;
esac
echo "redis-probe: $1 failed: $reply" >&2
exit 1
