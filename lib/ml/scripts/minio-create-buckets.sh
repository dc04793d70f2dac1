#!/bin/sh
# Creates the object store's buckets, idempotently: buckets that exist are left untouched, so the
# Job can run on every sync. Usage: minio-create-buckets.sh BUCKET...
# Env: MINIO_ENDPOINT (http://host:port), MINIO_ROOT_USER, MINIO_ROOT_PASSWORD;
#      MINIO_WAIT_ATTEMPTS (default 60) and MINIO_WAIT_SECONDS (default 5) bound the wait for MinIO.
set -eu

: "${MINIO_ENDPOINT:?MINIO_ENDPOINT is not set}"
: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is not set}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is not set}"
if [ "$#" -eq 0 ]; then
  echo "usage: $0 BUCKET..." >&2
  exit 64
fi

attempts="${MINIO_WAIT_ATTEMPTS:-60}"
pause="${MINIO_WAIT_SECONDS:-5}"

# The Job may start before MinIO serves (first install, or a distributed cluster waiting for
# quorum): wait until the alias is set and the server answers.
n=1
until mc alias set store "$MINIO_ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1 \
  && mc ls store >/dev/null 2>&1; do
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
