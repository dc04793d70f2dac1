#!/bin/sh
# Starts one Redis pod of a RedisServer (POSIX sh: runs under dash and busybox sh).
#
# The static redis.conf holds no secret and no role. This script renders the runtime file it
# includes: requirepass/masterauth from REDIS_PASSWORD (a Secret reference) and, on every pod but
# ordinal 0, `replicaof` the primary's stable DNS name. Then it execs redis-server.
#
# Environment:
#   REDIS_PASSWORD       required; refusing to start without it keeps the server off the open network
#   POD_INDEX            ordinal (apps.kubernetes.io/pod-index); else taken from POD_NAME / hostname
#   POD_NAME             pod name `<statefulset>-<ordinal>`                 (default: hostname)
#   REDIS_CONF           static configuration                               (default /etc/redis/redis.conf)
#   REDIS_RUNTIME_CONF   file redis.conf includes                            (default /run/redis/runtime.conf)
#   REDIS_PRIMARY_HOST   primary's stable DNS name, required on replicas
#   REDIS_PRIMARY_PORT   primary's port                                      (default 6379)
set -eu

fail() {
  echo "redis-start: $*" >&2
  exit 1
}

conf="${REDIS_CONF:-/etc/redis/redis.conf}"
runtime="${REDIS_RUNTIME_CONF:-/run/redis/runtime.conf}"
name="${POD_NAME:-$(hostname)}"
ordinal="${POD_INDEX:-${name##*-}}"

case "$ordinal" in
  '' | *[!0-9]*) fail "cannot derive the pod ordinal from POD_INDEX='${POD_INDEX:-}' or pod name '$name'" ;;
esac

password="${REDIS_PASSWORD:-}"
[ -n "$password" ] || fail "REDIS_PASSWORD is empty: refusing to start a server without a password"
case "$password" in
  *'
'*) fail "the password contains a line break (a Secret created with 'echo' keeps the trailing newline): recreate it with 'printf' or --from-literal" ;;
esac

# redis.conf double-quoted strings: escape backslashes first, then double quotes.
quoted=$(printf '%s' "$password" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')

umask 077
tmp="$runtime.tmp"
{
  printf 'requirepass "%s"\n' "$quoted"
  printf 'masterauth "%s"\n' "$quoted"
  if [ "$ordinal" -eq 0 ]; then
    echo "redis-start: ordinal 0 is the primary" >&2
  else
    primary="${REDIS_PRIMARY_HOST:-}"
    [ -n "$primary" ] || fail "pod ordinal $ordinal is a replica but REDIS_PRIMARY_HOST is not set"
    printf 'replicaof %s %s\n' "$primary" "${REDIS_PRIMARY_PORT:-6379}"
    echo "redis-start: ordinal $ordinal replicates $primary:${REDIS_PRIMARY_PORT:-6379}" >&2
  fi
} >"$tmp"
mv -f "$tmp" "$runtime"

exec redis-server "$conf"
