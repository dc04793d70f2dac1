#!/bin/sh
# Starts one Redis data pod of a RedisServer (POSIX sh: runs under dash and busybox sh).
#
# The static redis.conf holds no secret and no role. This script renders the runtime file it
# includes: ACL users (each password from its own Secret key, stored hashed), the replication
# credentials, the stable name the pod announces, and its role. Then it execs redis-server.
#
# Role:
#   standalone   primary.
#   replicated   member 0 is the primary, the others replicate it.
#   sentinel     the primary the Sentinels name; with no Sentinel answering, the member that says it
#                is primary (most keys first); with none, member 0.
# Empty-primary guard (every mode): a pod whose data directory was never used (no dump.rdb, no
# appendonlydir) does not start as the primary while another member holds keys — replicas would
# copy its empty dataset and drop theirs. It exits with a log line naming the member and the
# runbook (docs/redis-operations.md); under Sentinel the next start follows the promoted replica.
# Likewise a replica with data refuses to follow a primary that is empty and has never replicated
# (master_repl_offset 0), the shape of a primary restarted on a lost volume.
#
# Environment:
#   REDIS_MODE           standalone | replicated | sentinel
#   REDIS_MEMBERS        host:port of every data pod, ordinal order (stable DNS names)
#   REDIS_SENTINELS      host:port of every Sentinel (sentinel mode)
#   REDIS_MASTER_NAME    Sentinel master name (sentinel mode)
#   POD_INDEX            ordinal (apps.kubernetes.io/pod-index); else taken from POD_NAME / hostname
#   POD_NAME             pod name `<statefulset>-<ordinal>`                 (default: hostname)
#   REDIS_CONF           static configuration                               (default /etc/redis/redis.conf)
#   REDIS_RUNTIME_CONF   file redis.conf includes                            (default /run/redis/runtime.conf)
#   REDIS_ACL_USERS      ACL users file                                      (default /etc/redis/users.acl)
#   REDIS_PASSWORD_*     one password per ACL user (replication, probe and sentinel are required)
set -eu
script_name=redis-start
. "$(dirname "$0")/redis-lib.sh"

conf="${REDIS_CONF:-/etc/redis/redis.conf}"
runtime="${REDIS_RUNTIME_CONF:-/run/redis/runtime.conf}"
users="${REDIS_ACL_USERS:-/etc/redis/users.acl}"
mode="${REDIS_MODE:-standalone}"
pod_ordinal
[ -n "${REDIS_MEMBERS:-}" ] || fail "REDIS_MEMBERS is not set"
self=$(member "$ordinal")
[ -n "$self" ] || fail "ordinal $ordinal has no entry in REDIS_MEMBERS ($REDIS_MEMBERS)"

# Every user's password is checked before anything else happens.
user_lines=$(render_users "$users") || exit 1
env_get REDIS_PASSWORD_REPLICATION
replication_password=$value
check_password REDIS_PASSWORD_REPLICATION "$replication_password"

# The data directory, from the configuration that redis-server will read.
data_dir=$(sed -n 's/^dir[[:space:]][[:space:]]*//p' "$conf" | tail -n 1)
[ -n "$data_dir" ] || fail "no 'dir' line in $conf"
if [ -e "$data_dir/dump.rdb" ] || [ -e "$data_dir/appendonlydir" ]; then used=yes; else used=no; fi

case "$mode" in
  standalone) primary=$self ;;
  replicated) primary=$(member 0) ;;
  sentinel)
    primary=$(sentinel_primary)
    if [ -n "$primary" ]; then
      log "the Sentinels name $primary as the primary"
    else
      primary=$(member_primary "$self")
      if [ -n "$primary" ]; then log "no Sentinel answered; $primary says it is the primary"; else primary=$(member 0); fi
    fi
    ;;
  *) fail "unknown REDIS_MODE '$mode' (standalone, replicated or sentinel)" ;;
esac

if [ "$primary" = "$self" ] && [ "$used" = no ]; then
  for peer in $REDIS_MEMBERS; do
    [ "$peer" = "$self" ] && continue
    keys=$(keys_of "$peer")
    if [ "${keys:-0}" -gt 0 ]; then
      fail "REFUSING to start $self as the primary with an empty data directory ($data_dir) while $peer holds $keys keys: its replicas would copy the empty dataset and drop theirs. Under Sentinel, wait for the Sentinels to promote a replica and this pod restarts as its replica; otherwise follow 'Empty primary' in docs/redis-operations.md"
    fi
  done
fi

if [ "$primary" != "$self" ] && [ "$used" = yes ]; then
  info=$(cli_as probe REDIS_PASSWORD_PROBE "$primary" info replication) || true
  keys=$(keys_of "$primary")
  case "$info" in
    *role:master*master_repl_offset:0*)
      if [ "${keys:-1}" -eq 0 ]; then
        fail "REFUSING to replicate $primary: it is an empty primary that has never replicated, and this pod holds data in $data_dir that a full resync would drop. Follow 'Empty primary' in docs/redis-operations.md"
      fi
      ;;
  esac
fi

umask 077
tmp="$runtime.tmp"
{
  printf '%s\n' "$user_lines"
  echo 'masteruser replication'
  printf 'masterauth %s\n' "$(conf_quote "$replication_password")"
  # Sentinels and replicas address this pod by its stable DNS name, never a pod IP that changes.
  printf 'replica-announce-ip %s\n' "${self%:*}"
  printf 'replica-announce-port %s\n' "${self##*:}"
  if [ "$primary" = "$self" ]; then
    log "$self starts as the primary ($mode)"
  else
    printf 'replicaof %s %s\n' "${primary%:*}" "${primary##*:}"
    log "$self replicates $primary ($mode)"
  fi
} >"$tmp"
mv -f "$tmp" "$runtime"

exec redis-server "$conf"
