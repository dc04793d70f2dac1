#!/bin/sh
# Creates the object store's buckets, and scoped users, idempotently: buckets that exist are left
# untouched and a user's key and policy are (re)set to what the Secret and the render say, so the Job
# can run on every sync. Usage: minio-create-buckets.sh [BUCKET...]
# Env: MINIO_ENDPOINT (http://host:port), MINIO_ROOT_USER, MINIO_ROOT_PASSWORD;
#      MINIO_WAIT_ATTEMPTS (default 60) and MINIO_WAIT_SECONDS (default 5) bound the wait for MinIO;
#      a scoped user: GRANT_POLICY_NAME, GRANT_POLICY (JSON), GRANT_ACCESS_KEY, GRANT_SECRET_KEY.
set -eu

: "${MINIO_ENDPOINT:?MINIO_ENDPOINT is not set}"
: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is not set}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is not set}"
GRANT_POLICY_NAME="${GRANT_POLICY_NAME:-}"
if [ "$#" -eq 0 ] && [ -z "$GRANT_POLICY_NAME" ]; then
  echo "usage: $0 BUCKET... (or GRANT_* for a scoped user)" >&2
  exit 64
fi
if [ -n "$GRANT_POLICY_NAME" ]; then
  : "${GRANT_POLICY:?GRANT_POLICY is not set}"
  : "${GRANT_ACCESS_KEY:?GRANT_ACCESS_KEY is not set}"
  : "${GRANT_SECRET_KEY:?GRANT_SECRET_KEY is not set}"
  if [ "$GRANT_ACCESS_KEY" = "$MINIO_ROOT_USER" ]; then
    echo "the scoped user's access key is the root user's: give $GRANT_POLICY_NAME its own key pair" >&2
    exit 65
  fi
fi

case "$MINIO_ENDPOINT" in
  http://?*|https://?*) ;;
  *) echo "MINIO_ENDPOINT '$MINIO_ENDPOINT' is not an http:// or https:// URL" >&2; exit 64 ;;
esac
# The alias comes from the environment (MC_HOST_<alias>), not `mc alias set ... PASSWORD`, which
# would put the password in mc's command line. mc splits MC_HOST_* at the first ':' after the
# scheme and the last '@', taking the keys verbatim (no percent-decoding, so no URL escaping here),
# and reads a second ':' as the start of a session token: a ':' in either key cannot be expressed.
nl='
'
case "$MINIO_ROOT_USER$MINIO_ROOT_PASSWORD" in
  *:*|*"$nl"*)
    echo "MINIO_ROOT_USER and MINIO_ROOT_PASSWORD must not contain ':' or a line break (mc reads its keys from MC_HOST_store=scheme://user:password@host): choose other credentials" >&2
    exit 65 ;;
esac
MC_HOST_store="${MINIO_ENDPOINT%%://*}://${MINIO_ROOT_USER}:${MINIO_ROOT_PASSWORD}@${MINIO_ENDPOINT#*://}"
export MC_HOST_store

attempts="${MINIO_WAIT_ATTEMPTS:-60}"
pause="${MINIO_WAIT_SECONDS:-5}"

# The Job may start before MinIO serves (first install, or a distributed cluster waiting for
# quorum): wait until the server answers.
n=1
until mc ls store >/dev/null 2>&1; do
  if [ "$n" -ge "$attempts" ]; then
    echo "MinIO at $MINIO_ENDPOINT did not answer after $attempts attempts" >&2
    exit 1
  fi
  echo "waiting for MinIO at $MINIO_ENDPOINT ($n/$attempts)"
  n=$((n + 1))
  sleep "$pause"
done

for bucket in "$@"; do
  mc mb --ignore-existing "store/$bucket"
  echo "bucket $bucket ready"
done

if [ -n "$GRANT_POLICY_NAME" ]; then
  policy_file="${TMPDIR:-/tmp}/$GRANT_POLICY_NAME.json"
  printf '%s\n' "$GRANT_POLICY" > "$policy_file"
  # mc has no way to take a user's secret key but its command line; this pod runs nothing else.
  mc admin user add store "$GRANT_ACCESS_KEY" "$GRANT_SECRET_KEY" >/dev/null
  mc admin policy create store "$GRANT_POLICY_NAME" "$policy_file"
  # Attaching a policy the user already has is an error in mc; detach first so a re-run converges.
  mc admin policy detach store "$GRANT_POLICY_NAME" --user "$GRANT_ACCESS_KEY" >/dev/null 2>&1 || true
  mc admin policy attach store "$GRANT_POLICY_NAME" --user "$GRANT_ACCESS_KEY"
  echo "user of policy $GRANT_POLICY_NAME ready"
fi
