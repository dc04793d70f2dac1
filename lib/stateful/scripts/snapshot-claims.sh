#!/bin/sh
# Snapshots every claim of a StatefulSet and prunes old snapshots, keeping the newest $KEEP per claim.
#
# Environment (set by the SnapshotSchedule CronJob):
#   NAMESPACE       namespace of the StatefulSet, its claims and the snapshots
#   STATEFULSET     StatefulSet name; claims are <template>-<statefulset>-<ordinal>
#   TEMPLATES       space-separated volume claim template names to snapshot
#   SELECTOR        label selector of the claims (the StatefulSet's selector labels)
#   SNAPSHOT_CLASS  VolumeSnapshotClass name
#   SCHEDULE        schedule name, recorded as a label on every snapshot it owns
#   KEEP            snapshots to keep per claim (>= 1)
#
# Claims are found by label when the job runs (a scale-up needs no new render); no pod is touched:
# CSI snapshots of a volume holding both data and WAL are crash-consistent.
# Snapshot names are <claim>-<UTC yyyymmdd-hhmmss>, taken when the job runs. Pruning only ever
# deletes snapshots carrying this schedule's labels whose name is <claim>-<timestamp>; it walks
# them newest first, counts the ready ones (and the one just taken) up to KEEP, and deletes
# everything older than the KEEP-th. Snapshots that are not ready yet and are newer stay.
# Exits 1 if any claim could not be snapshotted (the Job then shows as failed).
set -eu
script_name=snapshot-claims
log_fd=1
# prelude: log require_keep

: "${NAMESPACE:?NAMESPACE is required}"
: "${STATEFULSET:?STATEFULSET is required}"
: "${TEMPLATES:?TEMPLATES is required}"
: "${SELECTOR:?SELECTOR is required}"
: "${SNAPSHOT_CLASS:?SNAPSHOT_CLASS is required}"
: "${SCHEDULE:?SCHEDULE is required}"
: "${KEEP:?KEEP is required}"
require_keep

SCHEDULE_LABEL='ml.cdk8s.io/snapshot-schedule'
CLAIM_LABEL='ml.cdk8s.io/source-claim'
STAMP=$(date -u +%Y%m%d-%H%M%S)
failures=0

warn() { echo "snapshot-claims: $*" >&2; }

# Ordinal of claim $1 if it belongs to one of TEMPLATES, else nothing.
claim_ordinal() {
  for template in $TEMPLATES; do
    case "$1" in
      "$template-$STATEFULSET-"*)
        ordinal=${1#"$template-$STATEFULSET-"}
        case "$ordinal" in '' | *[!0-9]*) continue ;; esac
        echo "$ordinal"
        return 0
        ;;
    esac
  done
}

create_snapshot() { # claim name
  kubectl create -n "$NAMESPACE" -f - <<YAML
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: $2
  namespace: $NAMESPACE
  labels:
    app.kubernetes.io/managed-by: cdk8s-stateful-ml
    $SCHEDULE_LABEL: $SCHEDULE
    $CLAIM_LABEL: $1
spec:
  volumeSnapshotClassName: $SNAPSHOT_CLASS
  source:
    persistentVolumeClaimName: $1
YAML
}

prune() { # claim just-taken-snapshot
  listing=$(kubectl get volumesnapshots -n "$NAMESPACE" -l "$SCHEDULE_LABEL=$SCHEDULE,$CLAIM_LABEL=$1" \
    -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.readyToUse}{"\n"}{end}') || return 1
  kept=0
  # Timestamps in the names sort chronologically; newest first.
  echo "$listing" | sort -r | while read -r name ready; do
    case "$name" in
      "$1"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ;;
      *) continue ;;
    esac
    if [ "$kept" -ge "$KEEP" ]; then
      log "pruning $name"
      kubectl delete volumesnapshot -n "$NAMESPACE" "$name" --wait=false || { warn "could not delete $name"; exit 1; }
    elif [ "$ready" = "true" ] || [ "$name" = "$2" ]; then
      kept=$((kept + 1))
    fi
  done
}

claims=$(kubectl get persistentvolumeclaims -n "$NAMESPACE" -l "$SELECTOR" \
  -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{"\n"}{end}')

# "<ordinal> <claim> <phase>", by ordinal.
plan=$(echo "$claims" | while read -r claim phase; do
  [ -n "$claim" ] || continue
  ordinal=$(claim_ordinal "$claim")
  [ -n "$ordinal" ] && echo "$ordinal $claim $phase"
done | sort -n -k1,1 -k2,2)

if [ -z "$plan" ]; then
  warn "no claims of templates '$TEMPLATES' of StatefulSet $STATEFULSET found in $NAMESPACE (selector $SELECTOR)"
  exit 1
fi

while read -r _ordinal claim phase; do
  if [ "$phase" != "Bound" ]; then
    warn "claim $claim is $phase, not Bound: not snapshotted"
    failures=$((failures + 1))
    continue
  fi
  snapshot="$claim-$STAMP"
  log "snapshotting $claim as $snapshot"
  if ! create_snapshot "$claim" "$snapshot"; then
    warn "could not create $snapshot: keeping every older snapshot of $claim"
    failures=$((failures + 1))
    continue
  fi
  prune "$claim" "$snapshot" || { warn "pruning snapshots of $claim failed"; failures=$((failures + 1)); }
done <<PLAN
$plan
PLAN

if [ "$failures" -gt 0 ]; then
  warn "$failures problem(s); see above"
  exit 1
fi
log "done"
