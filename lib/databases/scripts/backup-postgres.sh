#!/bin/sh
# Logical backup of a PostgreSQL server: roles and tablespaces (pg_dumpall --globals-only) and
# every database that accepts connections (pg_dump custom format, restorable with pg_restore),
# into $BACKUP_DIR/<UTC yyyymmdd-hhmmss>/. The set is written under a .partial name and renamed
# when complete, so a directory without the suffix is always a whole backup. Then only the
# newest $KEEP complete backups are kept; leftovers of failed runs are removed.
#
# Environment: BACKUP_DIR, KEEP, and libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD.
set -eu

: "${BACKUP_DIR:?BACKUP_DIR is required}"
: "${KEEP:?KEEP is required}"
case "$KEEP" in
  '' | *[!0-9]* | 0 | 0*) echo "KEEP must be a whole number >= 1, got '$KEEP'" >&2; exit 2 ;;
esac

stamp=$(date -u +%Y%m%d-%H%M%S)
partial="$BACKUP_DIR/$stamp.partial"
final="$BACKUP_DIR/$stamp"
log() { echo "backup-postgres: $*"; }

rm -rf "$partial"
mkdir -p "$partial"
log "dumping roles and tablespaces from $PGHOST:${PGPORT:-5432}"
# Without password hashes: the backup role cannot read them (pg_authid), and a restored server
# sets every password from its Secrets again.
pg_dumpall --globals-only --no-role-passwords --no-password --file="$partial/globals.sql"

databases=$(psql --no-password -X -At -d postgres \
  -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname")
for db in $databases; do
  log "dumping database $db"
  pg_dump --no-password --format=custom --file="$partial/$db.dump" --dbname="$db"
  echo "$db" >> "$partial/databases.list"
done
mv "$partial" "$final"
log "backup $final complete"

# Newest first; names are timestamps, so they sort chronologically.
kept=0
for dir in $(ls -1 "$BACKUP_DIR" | sort -r); do
  case "$dir" in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9])
      if [ "$kept" -lt "$KEEP" ]; then
        kept=$((kept + 1))
      else
        log "pruning $dir"
        rm -rf "${BACKUP_DIR:?}/$dir"
      fi
      ;;
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9].partial)
      log "removing $dir, left by a failed run"
      rm -rf "${BACKUP_DIR:?}/$dir"
      ;;
  esac
done
