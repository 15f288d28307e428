#!/bin/bash
# Boots one guest with an ad-hoc guest script (for exploring and for writing a scenario):
#   bash tests/vm/run.sh BUILD_DIR GUEST_SCRIPT [--disk-size SIZE]... [vm_start options]
# Each --disk-size adds a fresh sparse disk (removed afterwards); the other options are
# vm_start's (--disk IMG, --fwd PORT, --share DIR, --modules fw,lio, --cluster, --timeout S).
# Prints the guest's output and exits with the guest script's exit code.
if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR GUEST_SCRIPT [--disk-size SIZE]... [vm_start options]" >&2
  exit 2
fi
SCRIPT=$2
source "$(dirname "$0")/vm.sh"
vm_require
shift 2
ARGS=()
while [ $# -gt 0 ]; do
  if [ "$1" = --cluster ]; then
    ARGS+=(--cluster)
    shift
    continue
  elif [ "$1" = --disk-size ]; then
    vm_disk DISK "$2"
    ARGS+=(--disk "$DISK")
  else
    ARGS+=("$1" "$2")
  fi
  shift 2
done
vm_run guest "${ARGS[@]}" <"$SCRIPT"
