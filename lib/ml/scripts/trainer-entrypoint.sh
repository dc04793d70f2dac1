#!/bin/sh
# Entrypoint of every DistributedTrainer worker pod (POSIX sh: dash in the PyTorch images).
#
#   trainer-entrypoint.sh <launcher> [launcher arguments...]
#
# Exports this pod's node rank as NODE_RANK and PET_NODE_RANK (torchrun reads PET_*), marks the
# pod as launched (the readiness probe) and replaces itself with the launcher, so the launcher
# is PID 1 and receives SIGTERM directly.
#
# NODE_RANK comes from the apps.kubernetes.io/pod-index label (downward API) on Kubernetes 1.28+.
# Older clusters have no such label: the StatefulSet ordinal is the last '-' field of the pod's
# hostname (pytorch-3 -> 3).
#
# Environment:
#   NODE_RANK          the ordinal, when the downward API provides it
#   TRAINER_MAX_NODES  highest number of worker pods the job accepts (a pod beyond it is refused)
#   NODE_RANK_FLAG     option inserted after the launcher executable with the rank (--node_rank)
#   TRAINER_READY_FILE file created once the launcher starts (default /tmp/trainer-launched)
set -eu

if [ "$#" -eq 0 ]; then
  echo "trainer-entrypoint: usage: trainer-entrypoint.sh <launcher> [arguments...]" >&2
  exit 64
fi

if [ -z "${NODE_RANK:-}" ]; then
  host=${HOSTNAME:-$(uname -n)}
  NODE_RANK=${host##*-}
  source_of_rank="hostname '$host'"
else
  source_of_rank="NODE_RANK '$NODE_RANK'"
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

: > "${TRAINER_READY_FILE:-/tmp/trainer-launched}"

launcher=$1
shift
if [ -n "${NODE_RANK_FLAG:-}" ]; then
  exec "$launcher" "$NODE_RANK_FLAG=$NODE_RANK" "$@"
fi
exec "$launcher" "$@"
