#!/bin/bash
# Shared by the capture scripts of real tgtd output (tests/data/tgtadm/capture*.sh,
# tests/fuzz/capture_hostile_initiator.sh). Sourced inside the private network and mount namespace
# the script re-executed itself in: starts a tgtd of its own on 127.0.0.1 with its own control
# socket under WORK, removes it and WORK at exit (also an iscsi-perf in $PERF), and defines T
# (tgtadm --lld iscsi). Usage: capture_start WORK
capture_start() {
  WORK=$1
  rm -rf "$WORK" && mkdir -p "$WORK"
  ip link set lo up
  mkdir -p /run/tgtd && mount -t tmpfs none /run/tgtd
  export TGT_IPC_SOCKET=$WORK/sock
  tgtd -f --iscsi portal=127.0.0.1:3260 >"$WORK/tgtd.log" 2>&1 &
  TGTD=$!
  PERF=
  trap capture_cleanup EXIT
  for _ in $(seq 50); do tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && break; sleep 0.1; done
}
capture_cleanup() {
  [ -n "$PERF" ] && kill -9 "$PERF" 2>/dev/null
  kill -9 "$TGTD" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
T() { tgtadm --lld iscsi "$@"; }
