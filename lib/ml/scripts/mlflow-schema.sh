#!/bin/sh
# The MLflow backend store's schema, checked against the revision this image's MLflow expects.
#   mlflow-schema.sh migrate   create the tables of an empty database, or `mlflow db upgrade` an old
#                              schema; succeed once the schema is current (the migration Job)
#   mlflow-schema.sh wait      block until another process has made the schema current (the servers'
#                              init container: safe under a plain `kubectl apply`, where nothing
#                              orders the Job before the servers)
# Env: MLFLOW_BACKEND_STORE_URI; DB_PASSWORD, the password interpolated into it (checked to be
#      URL-safe); SCHEMA_WAIT_SECONDS (default 5) between checks; SCHEMA_WAIT_ATTEMPTS (default 0 =
#      no limit) checks before giving up; PYTHON (default python).
# The URI holds the password: it is read from the environment by Python, never passed as an
# argument (arguments are world-readable in /proc/<pid>/cmdline).
set -eu

: "${MLFLOW_BACKEND_STORE_URI:?MLFLOW_BACKEND_STORE_URI is not set}"
# The password sits unescaped in the URI's user-info: '@', ':', '/', '%', '#', '?' and the like
# would change what the URI means (or leak the password into a host name in an error message).
case "${DB_PASSWORD:-}" in
  *[!A-Za-z0-9._~-]*)
    echo "DB_PASSWORD contains characters that are not URL-safe, and MLFLOW_BACKEND_STORE_URI embeds it unescaped:" \
      "use only letters, digits and - . _ ~ (e.g. openssl rand -hex 24) and update the database login's password" >&2
    exit 65 ;;
esac
python_bin="${PYTHON:-python}"
pause="${SCHEMA_WAIT_SECONDS:-5}"
attempts="${SCHEMA_WAIT_ATTEMPTS:-0}"

# Modes: state (exit status: 0 current, 10 no MLflow tables yet, 11 older revision (upgrade needed),
# 12 unknown revision (written by a newer MLflow), 1 database unreachable or unreadable); init
# (create the tables as the server would); upgrade (what `mlflow db upgrade URL` does, without the URL
# on a command line).
db() {
  "$python_bin" - "$1" <<'PY'
import os, sys
mode = sys.argv[1]
url = os.environ["MLFLOW_BACKEND_STORE_URI"]
try:
    import sqlalchemy
    from alembic.script import ScriptDirectory
    from mlflow.store.db import utils
    if mode == "init":
        # What the server does on an empty database (alembic's first revision expects these tables).
        utils._initialize_tables(utils.create_sqlalchemy_engine_with_retry(url))
        sys.exit(0)
    if mode == "upgrade":
        try:
            utils._upgrade_db(utils.create_sqlalchemy_engine_with_retry(url))
        except Exception as error:
            print("schema upgrade failed: %s" % error)
            sys.exit(2)
        sys.exit(0)
    scripts = ScriptDirectory.from_config(utils._get_alembic_config(url))
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    with engine.connect() as conn:
        if not sqlalchemy.inspect(conn).has_table("alembic_version"):
            print("no MLflow tables yet")
            sys.exit(10)
        current = conn.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar()
except SystemExit:
    raise
except Exception as error:
    print("database not reachable: %s" % error)
    sys.exit(1)
head = scripts.get_current_head()
if current == head:
    print("schema at %s" % head)
    sys.exit(0)
try:
    scripts.get_revision(current)
except Exception:
    print("schema at %s, unknown to this MLflow (expects %s)" % (current, head))
    sys.exit(12)
print("schema at %s, this MLflow expects %s" % (current, head))
sys.exit(11)
PY
}

n=0
next_attempt() {
  n=$((n + 1))
  if [ "$attempts" -gt 0 ] && [ "$n" -ge "$attempts" ]; then
    echo "schema not current after $n checks, giving up" >&2
    exit 1
  fi
  sleep "$pause"
}

mode="${1:-}"
case "$mode" in
  migrate)
    initialized=0 upgraded=0
    while :; do
      status=0
      db state || status=$?
      case "$status" in
        0) exit 0 ;;
        10)
          if [ "$initialized" -eq 1 ]; then
            echo "no MLflow tables after creating them" >&2
            exit 1
          fi
          echo "creating MLflow's tables"
          db init
          initialized=1 ;;
        11)
          if [ "$upgraded" -eq 1 ]; then
            echo "schema still behind after the upgrade" >&2
            exit 1
          fi
          echo "upgrading the schema"
          db upgrade
          upgraded=1 ;;
        12)
          echo "refusing to touch a schema newer than this MLflow: roll the image forward, not back" >&2
          exit 3 ;;
        *) next_attempt ;;
      esac
    done ;;
  wait)
    while :; do
      status=0
      db state || status=$?
      case "$status" in
        0) exit 0 ;;
        12)
          echo "this MLflow is older than the schema: it cannot serve it" >&2
          exit 3 ;;
        *) echo "waiting for the schema migration Job"; next_attempt ;;
      esac
    done ;;
  *)
    echo "usage: $0 migrate|wait" >&2
    exit 64 ;;
esac
