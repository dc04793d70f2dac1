# Functions shared by the container scripts (POSIX sh: dash, busybox sh). A script names the ones it
# uses on a line `# prelude: <function>...`; rendering (lib/assets.ts) writes those functions, and the
# ones they call, in place of that line, so the script in its ConfigMap is self-contained.
# The script sets script_name (its messages' prefix), and log_fd=1 when its progress goes to stdout.

# A progress line, to stderr, or to stdout when the script set log_fd=1.
log() { echo "$script_name: $*" >&"${log_fd:-2}"; }

# An error line to stderr, then exit 1.
fail() {
  echo "$script_name: $*" >&2
  exit 1
}

# Sets `pod` (POD_NAME, else the host name) and `ordinal` (POD_INDEX, else the name's numeric suffix);
# fails when neither gives a number.
pod_ordinal() {
  pod="${POD_NAME:-$(hostname)}"
  ordinal="${POD_INDEX:-${pod##*-}}"
  case "$ordinal" in
    '' | *[!0-9]*) fail "cannot derive the pod ordinal from POD_INDEX='${POD_INDEX:-}' or pod name '$pod'" ;;
  esac
}

# KEEP, the number of backups a retention keeps, must be at least 1: 0 would delete the new one too.
require_keep() {
  case "$KEEP" in
    '' | *[!0-9]* | 0 | 0*) echo "KEEP must be a whole number >= 1, got '$KEEP'" >&2; exit 2 ;;
  esac
}

# Retention of directory $1, whose backups are named by UTC timestamp (yyyymmdd-hhmmss): keeps the
# newest $2 complete ones and removes the older ones and the <stamp>.partial leftovers of failed
# runs. Nothing else in $1 is touched.
retain_newest() {
  _kept=0
  # Newest first: the names sort chronologically.
  for _entry in $(ls -1 "$1" | sort -r); do
    case "$_entry" in
      [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9])
        if [ "$_kept" -lt "$2" ]; then
          _kept=$((_kept + 1))
        else
          log "pruning $_entry"
          rm -rf "${1:?}/$_entry"
        fi
        ;;
      [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9].partial)
        log "removing $_entry, left by a failed run"
        rm -rf "${1:?}/$_entry"
        ;;
    esac
  done
}
