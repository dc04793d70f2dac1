#!/bin/sh
# Logical backup of a MySQL or MariaDB server: every database, with routines, events and triggers,
# in one consistent InnoDB snapshot (--single-transaction), gzip-compressed, into
# $BACKUP_DIR/<UTC yyyymmdd-hhmmss>/all-databases.sql.gz. Written under a .partial name and renamed
# when complete; then only the newest $KEEP complete backups are kept.
#
# Environment: BACKUP_DIR, KEEP, DB_HOST, DB_PORT, DB_USER, and MYSQL_PWD (read by the client).
set -eu
script_name=backup-mysql
log_fd=1
# prelude: log fail require_keep retain_newest

: "${BACKUP_DIR:?BACKUP_DIR is required}"
: "${KEEP:?KEEP is required}"
: "${DB_HOST:?DB_HOST is required}"
: "${DB_USER:?DB_USER is required}"
require_keep

# MariaDB 11 ships mariadb-dump only; MySQL and older MariaDB have mysqldump.
dump=mysqldump
command -v mysqldump >/dev/null 2>&1 || dump=mariadb-dump

stamp=$(date -u +%Y%m%d-%H%M%S)
partial="$BACKUP_DIR/$stamp.partial"
final="$BACKUP_DIR/$stamp"

rm -rf "$partial"
mkdir -p "$partial"
log "dumping every database from $DB_HOST:${DB_PORT:-3306} with $dump"
# Without pipefail, check the dump's status through a file.
{ "$dump" --host="$DB_HOST" --port="${DB_PORT:-3306}" --user="$DB_USER" \
    --single-transaction --routines --events --triggers --all-databases || echo $? > "$partial/dump.failed"; } \
  | gzip -c > "$partial/all-databases.sql.gz"
[ ! -f "$partial/dump.failed" ] || fail "$dump failed with status $(cat "$partial/dump.failed")"
mv "$partial" "$final"
log "backup $final complete"

retain_newest "$BACKUP_DIR" "$KEEP"
