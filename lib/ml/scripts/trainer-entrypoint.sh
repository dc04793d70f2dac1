#!/bin/sh
# Entrypoint of every DistributedTrainer worker pod (POSIX sh: dash in the PyTorch images).
#
#   trainer-entrypoint.sh <launcher> [launcher arguments...]
#
# Exports this pod's node rank as NODE_RANK and PET_NODE_RANK (torchrun reads PET_*), marks the
# pod as launched (the readiness probe), runs the launcher and exits with its exit code, or with
# the exit code of a training process that reported a fatal one (trainer-worker.sh): torchrun
# exits 1 whatever its workers exited with, and the Job's podFailurePolicy matches the pod's code.
# SIGTERM and SIGINT are passed on to the launcher, which passes them to its workers.
#
# The rank, first found of:
#   NODE_RANK             the downward API: the Job completion-index label (1.28+) or the
#                         StatefulSet pod-index label (1.28+)
#   JOB_COMPLETION_INDEX  set by the Job controller in every Indexed Job pod, on every version
#   the hostname          a StatefulSet pod's ordinal is its last '-' field (pytorch-3 -> 3)
#
# Environment:
#   TRAINER_MAX_NODES   highest number of worker pods the job accepts (a pod beyond it is refused)
#   NODE_RANK_FLAG      option inserted after the launcher executable with the rank (--node_rank)
#   TRAINER_READY_FILE  file created once the launcher starts (default /tmp/trainer-launched)
#   TRAINER_FATAL_FILE  where trainer-worker.sh writes a fatal exit code (default /tmp/trainer-fatal)
set -eu

if [ "$#" -eq 0 ]; then
  echo "trainer-entrypoint: usage: trainer-entrypoint.sh <launcher> [arguments...]" >&2
  exit 64
fi

if [ -n "${NODE_RANK:-}" ]; then
  source_of_rank="NODE_RANK '$NODE_RANK'"
elif [ -n "${JOB_COMPLETION_INDEX:-}" ]; then
  NODE_RANK=$JOB_COMPLETION_INDEX
  source_of_rank="JOB_COMPLETION_INDEX '$JOB_COMPLETION_INDEX'"
else
  host=${HOSTNAME:-$(uname -n)}
  NODE_RANK=${host##*-}
  source_of_rank="hostname '$host'"
fi

case "$NODE_RANK" in
  '' | *[!0-9]*)
    echo "trainer-entrypoint: cannot derive a node rank from $source_of_rank: expected a StatefulSet pod name ending in -<ordinal>" >&2
    exit 64
    ;;
esac

if [ -n "${TRAINER_MAX_NODES:-}" ] && [ "$NODE_RANK" -ge "$TRAINER_MAX_NODES" ]; then
  echo "trainer-entrypoint: node rank $NODE_RANK is outside this job's $TRAINER_MAX_NODES node(s): scale the StatefulSet back to at most $TRAINER_MAX_NODES replicas" >&2
  exit 65
fi

export NODE_RANK
PET_NODE_RANK=$NODE_RANK
export PET_NODE_RANK
TRAINER_FATAL_FILE=${TRAINER_FATAL_FILE:-/tmp/trainer-fatal}
export TRAINER_FATAL_FILE
# A container restarted in place (StatefulSet mode) keeps /tmp: forget the previous run's verdict.
rm -f "$TRAINER_FATAL_FILE"

: > "${TRAINER_READY_FILE:-/tmp/trainer-launched}"

launcher=$1
shift
set +e
if [ -n "${NODE_RANK_FLAG:-}" ]; then
  "$launcher" "$NODE_RANK_FLAG=$NODE_RANK" "$@" &
else
  "$launcher" "$@" &
fi
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
wait "$child"
status=$?
# wait returns early (>128) when a trapped signal arrives: wait again for the launcher to finish.
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done

if [ "$status" -ne 0 ] && [ -s "$TRAINER_FATAL_FILE" ]; then
  fatal=$(cat "$TRAINER_FATAL_FILE")
  echo "trainer-entrypoint: the launcher exited $status after a training process exited $fatal, a fatal code: exiting $fatal" >&2
  exit "$fatal"
fi
exit "$status"
