#!/bin/sh
# Stand-in for the MinIO client `mc` in script tests. Records every call's arguments (one line) in
# $FAKE/calls and keeps the buckets as files: object <key> of bucket <b> is $FAKE/store/<b>/<key>
# (a prefix with no objects does not exist, as in S3). Aliases come from `alias set` (kept in
# $FAKE/aliases/<alias>) or from MC_HOST_<alias>; $FAKE/env records the MC_HOST_backup and
# MC_STS_ENDPOINT_backup the last call saw. $FAKE/fail, optional: extended regexes; a call whose
# arguments match one fails, as a network or permission error would.
set -eu
printf '%s\n' "$*" >> "$FAKE/calls"
printf 'MC_HOST_backup=%s\nMC_STS_ENDPOINT_backup=%s\n' "${MC_HOST_backup:-}" "${MC_STS_ENDPOINT_backup:-}" > "$FAKE/env"
if [ -f "$FAKE/fail" ] && echo "$*" | grep -Eq -f "$FAKE/fail"; then
  echo "mc: <ERROR> stand-in failing '$*' as told" >&2
  exit 1
fi

# alias/bucket/key... -> $FAKE/store/bucket/key...; fails for an unknown alias or bucket.
local_path() {
  alias=${1%%/*}
  rest=${1#*/}
  bucket=${rest%%/*}
  if [ ! -f "$FAKE/aliases/$alias" ] && [ -z "$(eval "echo \${MC_HOST_$alias:-}")" ]; then
    echo "mc: <ERROR> Unable to find alias '$alias'" >&2
    exit 1
  fi
  if [ ! -d "$FAKE/store/$bucket" ]; then
    echo "mc: <ERROR> Bucket '$bucket' does not exist" >&2
    exit 1
  fi
  echo "$FAKE/store/$rest"
}

# S3 has no empty prefixes: drop directories left empty under the bucket.
tidy() {
  find "$FAKE/store" -mindepth 2 -type d -empty -delete
}

case "$1" in
  alias)
    [ "$2" = set ] || { echo "stand-in mc: unsupported alias $2" >&2; exit 2; }
    mkdir -p "$FAKE/aliases"
    printf '%s %s %s\n' "$4" "$5" "$6" > "$FAKE/aliases/$3"
    ;;
  ls)
    dir=$(local_path "$2")
    [ -d "$dir" ] || exit 0
    for entry in $(ls -1 "$dir"); do
      if [ -d "$dir/$entry" ]; then
        echo "[2025-03-01 01:15:00 UTC]     0B $entry/"
      else
        echo "[2025-03-01 01:15:00 UTC] $(wc -c < "$dir/$entry" | tr -d ' ')B STANDARD $entry"
      fi
    done
    ;;
  cp)
    [ "$2" = --recursive ] || { echo "stand-in mc: cp without --recursive" >&2; exit 2; }
    src=$3
    dst=$(local_path "$4")
    mkdir -p "$dst"
    cp -R "$src/." "$dst/"
    ;;
  mv)
    [ "$2" = --recursive ] || { echo "stand-in mc: mv without --recursive" >&2; exit 2; }
    src=$(local_path "$3")
    dst=$(local_path "$4")
    [ -d "$src" ] || { echo "mc: <ERROR> Object does not exist: $3" >&2; exit 1; }
    # Object by object: copy, then delete the source, as mc does.
    (cd "$src" && find . -type f) | while IFS= read -r f; do
      mkdir -p "$(dirname "$dst/$f")"
      cp "$src/$f" "$dst/$f"
      rm "$src/$f"
    done
    tidy
    ;;
  rm)
    [ "$2 $3" = "--recursive --force" ] || { echo "stand-in mc: rm without --recursive --force" >&2; exit 2; }
    target=$(local_path "$4")
    rm -rf "$target"
    tidy
    ;;
  *)
    echo "stand-in mc: unsupported command $1" >&2
    exit 2
    ;;
esac
