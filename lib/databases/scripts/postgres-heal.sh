#!/bin/sh
# Before a standby starts: can its data still follow the primary? POSIX sh.
#   sh heal.sh <primary host[:port]>
# Compares the data directory (PGDATA, stopped) with the primary, queried as the superuser:
#  - another system identifier (data left from another cluster): rebuild;
#  - a WAL gap: the newest WAL segment this copy holds is older than the oldest the primary
#    still has (the standby was down beyond the slot's bound, or scaled down and up again and
#    its slot recreated at the current position): rebuild;
#  - another timeline, with DB_HEAL_REWIND=1 (scripted mode; Patroni rewinds by itself):
#    pg_rewind onto the primary's timeline, and rebuild if that fails.
# "Rebuild" moves the data aside to $PGDATA.aside (replacing an older set-aside copy) and exits
# 10, so the caller clones the primary again; nothing is deleted from the only copy, and the
# primary's data is only read. Exits 0 when the copy can follow (or the primary cannot be asked:
# then the server's own errors and the readiness probe tell).
set -eu
script_name=postgres-heal
# prelude: log

: "${PGDATA:?PGDATA must name the data directory}"
: "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"
: "${DB_SUPERUSER:?DB_SUPERUSER must name the superuser}"
PGPORT="${PGPORT:-5432}"

[ -s "$PGDATA/PG_VERSION" ] || exit 0
case "$1" in
  *:*) host="${1%:*}"; port="${1##*:}" ;;
  *) host="$1"; port="$PGPORT" ;;
esac
PGPASSWORD="$(cat "$DB_SECRETS_DIR/superuser/password")"
PGCONNECT_TIMEOUT=5
export PGPASSWORD PGCONNECT_TIMEOUT
source_conn="host=$host port=$port user=$DB_SUPERUSER dbname=postgres"

move_aside() {
  log "$1: moving $PGDATA to $PGDATA.aside and cloning $host:$port again"
  rm -rf "$PGDATA.aside"
  mv "$PGDATA" "$PGDATA.aside"
  exit 10
}

primary=$(psql -X -A -t -q -F ' ' -d "$source_conn" -c "SELECT (SELECT system_identifier FROM pg_control_system()),
  substr(pg_walfile_name(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END), 1, 8),
  (SELECT name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}\$' ORDER BY substr(name, 9) LIMIT 1)" 2>/dev/null) || {
  log "the primary $host:$port does not answer: keeping $PGDATA as it is"
  exit 0
}
# shellcheck disable=SC2086
set -- $primary
primary_sysid="${1:-}"; primary_tli="${2:-}"; primary_oldest="${3:-}"
if [ -z "$primary_sysid" ] || [ -z "$primary_tli" ]; then
  log "the primary $host:$port gave no answer about its WAL: keeping $PGDATA as it is"
  exit 0
fi
controldata=$(pg_controldata -D "$PGDATA")
local_sysid=$(printf '%s\n' "$controldata" | sed -n 's/^Database system identifier: *//p')
local_tli=$(printf '%s\n' "$controldata" | sed -n "s/^Latest checkpoint's TimeLineID: *//p")
# Where this copy's WAL really ends: replay resumes at the latest checkpoint's REDO location and
# needs every record from there on. The newest file name in pg_wal says nothing about that: a
# server recycles old segments under future names (and a walreceiver writes into them), so
# pg_wal can hold segments named past the end of valid WAL. pg_waldump reads from the REDO
# location until the first record that is missing or not valid; the segment it stops in is the
# first one this copy needs from the primary. It reads one timeline: the checkpoint's, and the
# newest one in pg_wal (a standby that followed a promotion since); the further end counts.
# Anything it cannot tell leaves the REDO segment, so doubt means a clone, never a stuck replica.
redo=$(printf '%s\n' "$controldata" | sed -n "s/^Latest checkpoint's REDO location: *//p")
redo_file=$(printf '%s\n' "$controldata" | sed -n "s/^Latest checkpoint's REDO WAL file: *//p")
seg_bytes=$(printf '%s\n' "$controldata" | sed -n 's/^Bytes per WAL segment: *//p')
wal_end() {
  waldump=$(pg_waldump -q -p "$PGDATA/pg_wal" -t "$1" -s "$redo" 2>&1 || true)
  missing=$(printf '%s\n' "$waldump" | sed -n 's/.*could not find file "\([0-9A-F]\{24\}\)".*/\1/p' | tail -n 1)
  stop_lsn=$(printf '%s\n' "$waldump" | grep -oE ' at [0-9A-F]{1,8}/[0-9A-F]{1,8}' | tail -n 1 | sed 's/^ at //' || true)
  if [ -n "$missing" ]; then
    printf '%s' "$missing"
  elif [ -n "$stop_lsn" ]; then
    printf '%08X%08X%08X' "$1" "$((0x${stop_lsn%/*}))" "$((0x${stop_lsn#*/} / seg_bytes))"
  fi
}
newest="$redo_file"
if [ -n "$redo" ] && [ -n "$local_tli" ] && [ -n "$seg_bytes" ]; then
  newest_tli=$(ls "$PGDATA/pg_wal" | grep -E '^[0-9A-F]{24}$' | cut -c1-8 | sort | tail -n 1 || true)
  for tli in "$local_tli" ${newest_tli:+$((0x$newest_tli))}; do
    end=$(wal_end "$tli")
    if [ -n "$end" ] && [ "$(printf '%s' "$newest" | cut -c9-24)" \< "$(printf '%s' "$end" | cut -c9-24)" ]; then
      newest="$end"
    fi
  done
fi

if [ "$local_sysid" != "$primary_sysid" ]; then
  move_aside "$PGDATA belongs to another cluster (system identifier $local_sysid, the primary's is $primary_sysid)"
fi
# Segment numbers (the last 16 hex digits) compare as strings: same length, upper case.
newest_seg=$(printf '%s' "$newest" | cut -c9-24)
oldest_seg=$(printf '%s' "$primary_oldest" | cut -c9-24)
if [ -z "$newest_seg" ] || { [ -n "$oldest_seg" ] && [ "$newest_seg" \< "$oldest_seg" ]; }; then
  move_aside "WAL gap: this copy ends in segment ${newest:-none}, the primary keeps only ${primary_oldest} and later"
fi
if [ "${DB_HEAL_REWIND:-0}" = 1 ] && [ "$(printf '%08X' "$local_tli")" != "$primary_tli" ]; then
  log "timeline $local_tli here, $((0x$primary_tli)) on the primary: pg_rewind onto it"
  if pg_rewind -D "$PGDATA" --source-server="$source_conn" >&2; then
    : > "$PGDATA/standby.signal"
    log "rewound onto the primary's timeline"
  else
    move_aside "pg_rewind failed"
  fi
fi
exit 0
