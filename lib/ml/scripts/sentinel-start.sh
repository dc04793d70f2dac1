#!/bin/sh
# Starts one Redis Sentinel of a RedisServer in sentinel mode (POSIX sh).
#
# Sentinel rewrites its configuration file, so the file is built at every start in a writable
# directory: the static sentinel.conf, this Sentinel's stable name (announce-ip with
# announce-hostnames), the ACL users, and `sentinel monitor` of the current primary — the one
# another Sentinel names, else the data member that says it is primary, else member 0. Known
# replicas and Sentinels are rediscovered within seconds (INFO and the hello channel).
#
# Environment:
#   REDIS_MEMBERS, REDIS_SENTINELS, REDIS_MASTER_NAME   as for redis-start.sh
#   SENTINEL_QUORUM             Sentinels that must agree the primary is down
#   SENTINEL_DOWN_AFTER_MS      milliseconds without a valid reply before a server counts as down
#   SENTINEL_FAILOVER_TIMEOUT_MS  failover timeout
#   SENTINEL_CONF               static configuration      (default /etc/redis/sentinel.conf)
#   SENTINEL_RUNTIME_CONF       file Sentinel runs with    (default /run/sentinel/sentinel.conf)
#   REDIS_ACL_USERS             ACL users of the Sentinel  (default /etc/redis/sentinel-users.acl)
#   POD_INDEX / POD_NAME        ordinal, as for redis-start.sh
set -eu
script_name=sentinel-start
. "$(dirname "$0")/redis-lib.sh"

static="${SENTINEL_CONF:-/etc/redis/sentinel.conf}"
runtime="${SENTINEL_RUNTIME_CONF:-/run/sentinel/sentinel.conf}"
users="${REDIS_ACL_USERS:-/etc/redis/sentinel-users.acl}"
pod_ordinal
for var in REDIS_MEMBERS REDIS_SENTINELS REDIS_MASTER_NAME SENTINEL_QUORUM SENTINEL_DOWN_AFTER_MS SENTINEL_FAILOVER_TIMEOUT_MS; do
  [ -n "$(env_value "$var")" ] || fail "$var is not set"
done
self=''
i=0
for s in $REDIS_SENTINELS; do
  if [ "$i" -eq "$ordinal" ]; then self=$s; fi
  i=$((i + 1))
done
[ -n "$self" ] || fail "ordinal $ordinal has no entry in REDIS_SENTINELS ($REDIS_SENTINELS)"
# Every user's password is checked before anything else happens.
user_lines=$(render_users "$users") || exit 1
env_get REDIS_PASSWORD_SENTINEL
sentinel_password=$value
check_password REDIS_PASSWORD_SENTINEL "$sentinel_password"

primary=$(sentinel_primary "$self")
if [ -n "$primary" ]; then
  log "another Sentinel names $primary as the primary"
else
  primary=$(member_primary)
  if [ -n "$primary" ]; then log "$primary says it is the primary"; else primary=$(member 0); log "no primary found; monitoring member 0, $primary"; fi
fi

master=$REDIS_MASTER_NAME
umask 077
tmp="$runtime.tmp"
{
  cat "$static"
  echo
  echo '# Rendered at start by sentinel-start.sh.'
  printf 'sentinel announce-ip %s\n' "${self%:*}"
  printf 'sentinel announce-port %s\n' "${self##*:}"
  printf '%s\n' "$user_lines"
  echo 'sentinel sentinel-user sentinel'
  printf 'sentinel sentinel-pass %s\n' "$(conf_quote "$sentinel_password")"
  printf 'sentinel monitor %s %s %s %s\n' "$master" "${primary%:*}" "${primary##*:}" "$SENTINEL_QUORUM"
  printf 'sentinel auth-user %s sentinel\n' "$master"
  printf 'sentinel auth-pass %s %s\n' "$master" "$(conf_quote "$sentinel_password")"
  printf 'sentinel down-after-milliseconds %s %s\n' "$master" "$SENTINEL_DOWN_AFTER_MS"
  printf 'sentinel failover-timeout %s %s\n' "$master" "$SENTINEL_FAILOVER_TIMEOUT_MS"
  printf 'sentinel parallel-syncs %s 1\n' "$master"
} >"$tmp"
mv -f "$tmp" "$runtime"
log "$self monitors $master at $primary (quorum $SENTINEL_QUORUM)"

exec redis-sentinel "$runtime"
