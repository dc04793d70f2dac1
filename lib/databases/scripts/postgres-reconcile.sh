#!/bin/sh
# Creates or updates, on a running primary reached through its unix socket as the superuser,
# the replication role, every consumer's role and database, and the backup role (databases.list), passwords read
# from the mounted Secret files so a rotated password takes effect. With DB_SLOT_PREFIX set
# (scripted mode; Patroni manages its own slots), one physical replication slot per replica
# ordinal below DB_REPLICAS, dropping the slots of ordinals scaled away. POSIX sh.
set -eu

: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding databases.list}"
: "${DB_SECRETS_DIR:?DB_SECRETS_DIR must name the directory holding the password files}"
: "${DB_SUPERUSER:?DB_SUPERUSER must name the superuser}"
REPLICATION_USER="${REPLICATION_USER:-replicator}"
DB_REPLICAS="${DB_REPLICAS:-1}"
DB_SLOT_PREFIX="${DB_SLOT_PREFIX:-}"

{
  # A role with LOGIN and a password read from a file; created once, its password updated on
  # every start so a rotated Secret takes effect.
  ensure_role() {
    cat <<SQL
\\set role $1
\\set pw \`cat '$2'\`
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
ALTER ROLE :"role" WITH LOGIN $3 PASSWORD :'pw';
SQL
  }
  ensure_role "$REPLICATION_USER" "$DB_SECRETS_DIR/replication/password" REPLICATION
  if [ -n "${DB_MONITOR_USER:-}" ]; then
    # The metrics exporter: pg_monitor only, no password (it connects over the unix socket).
    cat <<SQL
\\set role $DB_MONITOR_USER
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER PASSWORD NULL;
GRANT pg_monitor TO :"role";
SQL
  fi
  while read -r database user; do
    case "$database" in ''|'#'*) continue ;; esac
    if [ "$database" = '@backup' ]; then
      # The logical backups' role: reads every table (pg_read_all_data), owns and writes nothing.
      ensure_role "$user" "$DB_SECRETS_DIR/backup/password" 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
      echo 'GRANT pg_read_all_data TO :"role";'
      continue
    fi
    ensure_role "$user" "$DB_SECRETS_DIR/grants/$database/password" ''
    cat <<SQL
\\set database $database
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \\gexec
ALTER DATABASE :"database" OWNER TO :"role";
SQL
  done < "$DB_CONFIG_DIR/databases.list"
  if [ -n "$DB_SLOT_PREFIX" ]; then
    # A physical slot per replica ordinal keeps the WAL a replica still needs while it is down
    # (up to max_slot_wal_keep_size); reserved now, so a replica that already exists is covered.
    i=1
    while [ "$i" -lt "$DB_REPLICAS" ]; do
      cat <<SQL
\\set slot ${DB_SLOT_PREFIX}_$i
SELECT format('SELECT pg_create_physical_replication_slot(%L, true)', :'slot') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot') \\gexec
SQL
      i=$((i + 1))
    done
    # Slots of ordinals scaled away would hold WAL for nobody: drop them (a replica scaled back
    # later catches up from wal_keep_size or rebuilds itself).
    cat <<SQL
SELECT format('SELECT pg_drop_replication_slot(%L)', slot_name) FROM pg_replication_slots WHERE slot_type = 'physical' AND NOT active AND slot_name ~ '^${DB_SLOT_PREFIX}_[0-9]+\$' AND substring(slot_name FROM '[0-9]+\$')::numeric >= $DB_REPLICAS \\gexec
SQL
  fi
} | psql -X -q -v ON_ERROR_STOP=1 -U "$DB_SUPERUSER" -d postgres >&2
