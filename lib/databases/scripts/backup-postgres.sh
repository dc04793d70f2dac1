#!/bin/sh
# Logical backup of a PostgreSQL server: roles and tablespaces (pg_dumpall --globals-only) and
# every database that accepts connections (pg_dump custom format, restorable with pg_restore),
# into $BACKUP_DIR/<UTC yyyymmdd-hhmmss>/. The set is written under a .partial name and renamed
# when complete, so a directory without the suffix is always a whole backup. Then only the
# newest $KEEP complete backups are kept; leftovers of failed runs are removed.
#
# Environment: BACKUP_DIR, KEEP, and libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD.
set -eu
script_name=backup-postgres
log_fd=1
# prelude: log require_keep retain_newest

: "${BACKUP_DIR:?BACKUP_DIR is required}"
: "${KEEP:?KEEP is required}"
require_keep

stamp=$(date -u +%Y%m%d-%H%M%S)
partial="$BACKUP_DIR/$stamp.partial"
final="$BACKUP_DIR/$stamp"

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

retain_newest "$BACKUP_DIR" "$KEEP"
