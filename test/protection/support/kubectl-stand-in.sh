#!/bin/sh
# Stand-in for kubectl in script tests: records every call (one line of arguments, then any
# stdin of `create -f -` between markers) in $FAKE/calls, and serves a tiny state kept as files:
#   $FAKE/pvcs                    "<name> <phase>" lines (get persistentvolumeclaims -l ...)
#   $FAKE/pvc/<name>/<field>      fields of one claim (get pvc <name> -o jsonpath={.spec...})
#   $FAKE/snapshots/<claim>       "<name> <readyToUse>" lines per source claim
#   $FAKE/sts/<name>/replicas     StatefulSet replicas
#   $FAKE/fail                    optional: extended regexes; a call whose arguments match one fails
set -eu
printf '%s\n' "$*" >> "$FAKE/calls"
if [ -f "$FAKE/fail" ] && echo "$*" | grep -Eq -f "$FAKE/fail"; then
  echo "stand-in kubectl: failing '$*' as told" >&2
  exit 1
fi

label_value() { # key, from the -l argument
  sel=''
  prev=''
  for a in "$@"; do
    [ "$prev" = "-l" ] && sel=$a
    prev=$a
  done
  echo "$sel" | tr ',' '\n' | sed -n "s|^$KEY=||p"
}

case "$1 ${2:-}" in
  "get persistentvolumeclaims")
    cat "$FAKE/pvcs"
    ;;
  "get volumesnapshots")
    KEY='ml.cdk8s.io/source-claim'
    claim=$(label_value "$@")
    [ -f "$FAKE/snapshots/$claim" ] && cat "$FAKE/snapshots/$claim"
    ;;
  "get pvc")
    field=$(echo "$*" | sed -n 's/.*jsonpath={\.\([a-z.A-Z]*\)}.*/\1/p')
    cat "$FAKE/pvc/$3/$field" 2>/dev/null || true
    ;;
  "get statefulset")
    cat "$FAKE/sts/$3/replicas"
    ;;
  "create -n")
    manifest=$(cat)
    { echo '--- stdin'; echo "$manifest"; echo '--- end'; } >> "$FAKE/calls"
    name=$(echo "$manifest" | sed -n 's/^  name: //p')
    claim=$(echo "$manifest" | sed -n 's/^    persistentVolumeClaimName: //p')
    mkdir -p "$FAKE/snapshots"
    echo "$name " >> "$FAKE/snapshots/$claim"
    ;;
  "delete volumesnapshot")
    for f in "$FAKE"/snapshots/*; do
      grep -v "^$5 " "$f" > "$f.tmp" || true
      mv "$f.tmp" "$f"
    done
    ;;
  "patch pvc")
    size=$(echo "$*" | sed -n 's/.*"storage":"\([^"]*\)".*/\1/p')
    echo "$size" > "$FAKE/pvc/$3/spec.resources.requests.storage"
    echo "$size" > "$FAKE/pvc/$3/status.capacity.storage"
    ;;
  "wait pvc/"*)
    claim=${2#pvc/}
    want=$(echo "$*" | sed -n 's/.*--for=jsonpath={\.status\.capacity\.storage}=\([^ ]*\).*/\1/p')
    [ "$(cat "$FAKE/pvc/$claim/status.capacity.storage")" = "$want" ]
    ;;
  *) ;;
esac
