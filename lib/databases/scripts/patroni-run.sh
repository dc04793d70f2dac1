#!/bin/sh
# Server container in HighAvailability.patroni() mode. POSIX sh.
# Before Patroni starts PostgreSQL on data left from an earlier run, heal.sh checks that the
# copy can still follow the current leader (reached through the -rw Service, DB_LEADER_HOST):
# data of another cluster or with a WAL gap is moved aside, and Patroni then clones the leader
# into the empty data directory. A diverged timeline is left to Patroni's pg_rewind. When no
# leader answers (this pod may hold the leader's data), nothing is touched.
set -eu
: "${DB_CONFIG_DIR:?DB_CONFIG_DIR must name the directory holding patroni.yml}"
: "${DB_LEADER_HOST:?DB_LEADER_HOST must name the read-write Service}"
: "${PGDATA:?PGDATA must name the data directory}"
if [ -s "$PGDATA/PG_VERSION" ]; then
  status=0
  sh "$DB_CONFIG_DIR/heal.sh" "$DB_LEADER_HOST:${PGPORT:-5432}" || status=$?
  case "$status" in 0|10) ;; *) exit "$status" ;; esac
fi
exec patroni "${PATRONI_CONFIG:-$DB_CONFIG_DIR/patroni.yml}"
