# Shared functions of the Redis and Sentinel start scripts (POSIX sh, sourced, not executed).
#
# Environment read here:
#   REDIS_ACL_USERS      file of ACL users, one per line: `<user> <ENV_VAR of its password> <rules...>`
#   REDIS_TLS_CA_FILE    when set, redis-cli talks TLS and checks servers against this CA
#   REDIS_PASSWORD_*     passwords named by the ACL file (Secret references)

# prelude: log fail pod_ordinal

# Sets `value` to the environment variable named $1 (names come from our own ACL file:
# [A-Z0-9_]). An assignment, not a command substitution, which would drop trailing newlines.
env_get() {
  case "$1" in
    '' | *[!A-Z0-9_]*) fail "invalid environment variable name '$1' in the ACL users file" ;;
  esac
  eval "value=\${$1:-}"
}

# Value of the environment variable named $1, for use in $(...).
env_value() {
  env_get "$1"
  printf '%s' "$value"
}

# Checks a password from a Secret: present, and no line break (a Secret made with `echo`).
check_password() {
  [ -n "$2" ] || fail "$1 is empty: every Redis user needs its own key in the Secret (see docs/credentials.md)"
  case "$2" in
    *'
'*) fail "$1 contains a line break (a Secret created with 'echo' keeps the trailing newline): recreate it with 'printf' or --from-literal" ;;
  esac
}

# redis.conf double-quoted string: escape backslashes first, then double quotes.
conf_quote() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

sha256_hex() {
  printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# `user` directives for every line of the ACL file. Passwords are stored as SHA-256 (`#<hex>`),
# so no plaintext password is written to the runtime configuration for ACL checks. A `-` instead
# of an env var: no password (the default user; its rules say `off resetpass` or `on nopass`).
render_users() {
  while read -r user var rules; do
    case "$user" in '' | '#'*) continue ;; esac
    if [ "$var" = - ]; then
      echo "user $user reset $rules"
      continue
    fi
    env_get "$var"
    check_password "$var" "$value"
    echo "user $user reset on #$(sha256_hex "$value") $rules"
  done <"$1"
}

# redis-cli as user $1 (password in env var $2) against host:port $3; rest: the command.
# Bounded by `timeout`, so a hung peer never stalls a start.
cli_as() {
  _user=$1 _var=$2 _addr=$3
  shift 3
  set -- --no-auth-warning --user "$_user" -h "${_addr%:*}" -p "${_addr##*:}" "$@"
  if [ -n "${REDIS_TLS_CA_FILE:-}" ]; then set -- --tls --cacert "$REDIS_TLS_CA_FILE" "$@"; fi
  REDISCLI_AUTH=$(env_value "$_var") timeout "${REDIS_CLI_TIMEOUT:-3}" redis-cli "$@" 2>/dev/null | tr -d '\r'
}

# Number of keys a server at $1 holds (INFO keyspace, every database); empty when unreachable.
keys_of() {
  _info=$(cli_as probe REDIS_PASSWORD_PROBE "$1" info keyspace) || true
  case "$_info" in
    *'# Keyspace'*) ;;
    *) return 0 ;;
  esac
  printf '%s\n' "$_info" | sed -n 's/^db[0-9]*:keys=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }'
}

# `master` or `slave` for the server at $1; empty when unreachable.
role_of() {
  cli_as probe REDIS_PASSWORD_PROBE "$1" info replication | sed -n 's/^role:\(.*\)$/\1/p'
}

# Primary named by the first Sentinel that answers (host:port), or nothing.
sentinel_primary() {
  for _s in ${REDIS_SENTINELS:-}; do
    [ "$_s" = "${1:-}" ] && continue
    _reply=$(cli_as sentinel REDIS_PASSWORD_SENTINEL "$_s" sentinel get-master-addr-by-name "$REDIS_MASTER_NAME") || true
    _host=$(printf '%s\n' "$_reply" | sed -n 1p)
    _port=$(printf '%s\n' "$_reply" | sed -n 2p)
    case "$_port" in
      '' | *[!0-9]*) continue ;;
    esac
    echo "$_host:$_port"
    return 0
  done
}

# The data member reporting role master with the most keys (host:port), or nothing.
member_primary() {
  _best='' _best_keys=-1
  for _m in $REDIS_MEMBERS; do
    [ "$_m" = "${1:-}" ] && continue
    [ "$(role_of "$_m")" = master ] || continue
    _k=$(keys_of "$_m")
    if [ "${_k:-0}" -gt "$_best_keys" ]; then _best=$_m _best_keys=${_k:-0}; fi
  done
  [ -z "$_best" ] || echo "$_best"
}

# host:port of member number $1 of REDIS_MEMBERS (0-based).
member() {
  _i=0
  for _m in $REDIS_MEMBERS; do
    if [ "$_i" -eq "$1" ]; then echo "$_m"; return 0; fi
    _i=$((_i + 1))
  done
}
