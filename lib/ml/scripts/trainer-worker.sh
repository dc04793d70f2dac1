#!/bin/sh
# Runs one training process for torchrun (started with --no_python):
#
#   trainer-worker.sh <python> [python arguments...]
#
# torchrun reports any failed worker as its own exit code 1, so the code that says "this is a
# bug, do not retry" would be lost. When the process exits with one of TRAINER_FATAL_EXIT_CODES, the
# first such code is written to TRAINER_FATAL_FILE, and trainer-entrypoint.sh exits with it, which
# the Job's podFailurePolicy turns into a failed run. The wrapper then stops torchrun (its parent)
# with SIGTERM: otherwise it would restart the workers PET_MAX_RESTARTS times to the same failure
# and then wait in its exit barrier for the other ranks (5 minutes) before the pod could fail.
# SIGTERM and SIGINT are passed on to the process.
set -u

if [ "$#" -eq 0 ]; then
  echo "trainer-worker: usage: trainer-worker.sh <python> [arguments...]" >&2
  exit 64
fi

"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
wait "$child"
status=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done

for code in ${TRAINER_FATAL_EXIT_CODES:-}; do
  if [ "$status" -eq "$code" ]; then
    echo "trainer-worker: rank ${RANK:-?} exited $status, a fatal exit code: the run fails without retrying" >&2
    if [ -n "${TRAINER_FATAL_FILE:-}" ] && [ ! -s "$TRAINER_FATAL_FILE" ]; then
      echo "$status" > "$TRAINER_FATAL_FILE"
      kill -TERM "$PPID" 2>/dev/null
    fi
    break
  fi
done
exit "$status"
