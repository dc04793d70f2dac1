#!/bin/sh
# Uploads the logical backup the dump container left in $DUMP_DIR/<UTC yyyymmdd-hhmmss>/ to an S3
# bucket (MinIO or a cloud) and keeps the newest $KEEP there, under $S3_PREFIX.
#
# The set is uploaded under <stamp>.partial/ and then moved (server-side) to <stamp>/. mc deletes
# each source object only after copying it, so a <stamp>/ is complete exactly when no
# <stamp>.partial/ is left beside it. After a successful upload, what failed runs left is removed
# (a .partial upload, and the half-moved <stamp>/ next to it, that one first), then complete
# backups beyond the newest $KEEP. Nothing else under the prefix is touched; a failed run prunes
# nothing.
#
# Environment: DUMP_DIR, KEEP, S3_ENDPOINT, S3_BUCKET, S3_PREFIX (may be empty), MC_CONFIG_DIR;
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for static keys, or neither for a workload identity
# (mc exchanges the pod's token at MC_STS_ENDPOINT_backup).
set -eu
script_name=backup-upload
log_fd=1
# prelude: log fail require_keep

: "${DUMP_DIR:?DUMP_DIR is required}"
: "${KEEP:?KEEP is required}"
: "${S3_ENDPOINT:?S3_ENDPOINT is required}"
: "${S3_BUCKET:?S3_BUCKET is required}"
require_keep

# The dump container renames its directory to the bare timestamp only when the dump is complete.
stamp=''
for entry in "$DUMP_DIR"/*; do
  name=${entry##*/}
  case "$name" in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9])
      [ -z "$stamp" ] || fail "more than one backup in $DUMP_DIR ($stamp, $name)"
      stamp=$name
      ;;
  esac
done
[ -n "$stamp" ] || fail "no complete backup in $DUMP_DIR: the dump did not finish"

if [ -n "${AWS_ACCESS_KEY_ID:-}" ]; then
  : "${AWS_SECRET_ACCESS_KEY:?AWS_SECRET_ACCESS_KEY is required with AWS_ACCESS_KEY_ID}"
  # The alias comes from MC_HOST_backup, not `mc alias set ... SECRET`, which would put the secret in
  # mc's command line. mc takes the keys verbatim from scheme://key:secret@host and reads a second ':'
  # as the start of a session token, so a ':' (or a line break) in a key cannot be expressed.
  nl='
'
  case "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY" in
    *:*|*"$nl"*)
      echo "backup-upload: the access key and secret must not contain ':' or a line break (mc reads them from MC_HOST_backup=scheme://key:secret@host)" >&2
      exit 65 ;;
  esac
  MC_HOST_backup="${S3_ENDPOINT%%://*}://${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}@${S3_ENDPOINT#*://}"
  export MC_HOST_backup
else
  # No keys: an alias without credentials, signed with the workload identity's temporary keys.
  MC_HOST_backup=$S3_ENDPOINT
  export MC_HOST_backup
fi

base="backup/$S3_BUCKET/${S3_PREFIX:+$S3_PREFIX/}"
log "uploading $stamp to $base$stamp.partial/"
mc cp --recursive "$DUMP_DIR/$stamp/" "$base$stamp.partial/"
mc mv --recursive "$base$stamp.partial/" "$base$stamp/"
log "backup $base$stamp/ complete"

listing=$(mc ls "$base")
complete=''
partial=''
while IFS= read -r line; do
  name=${line##* }
  case "$name" in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]/) complete="$complete ${name%/}" ;;
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9].partial/) partial="$partial ${name%/}" ;;
  esac
done <<EOF
$listing
EOF

for p in $partial; do
  s=${p%.partial}
  case " $complete " in
    *" $s "*)
      log "removing $s/, half-moved by a failed run"
      mc rm --recursive --force "$base$s/"
      rest=''
      for c in $complete; do [ "$c" = "$s" ] || rest="$rest $c"; done
      complete=$rest
      ;;
  esac
  log "removing $p/, left by a failed run"
  mc rm --recursive --force "$base$p/"
done

# Timestamps as numbers (yyyymmddhhmmss fits in the shell's 64-bit arithmetic): a backup with
# $KEEP or more newer complete backups goes. Independent of the listing's order.
key() { echo "${1%-*}${1#*-}"; }
for c in $complete; do
  newer=0
  for d in $complete; do
    if [ "$(key "$d")" -gt "$(key "$c")" ]; then newer=$((newer + 1)); fi
  done
  if [ "$newer" -ge "$KEEP" ]; then
    log "pruning $c/"
    mc rm --recursive --force "$base$c/"
  fi
done
