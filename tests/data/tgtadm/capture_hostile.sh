#!/bin/bash
# Captures tgtadm's listing while a libiscsi initiator whose InitiatorName carries newlines and
# forged listing lines is logged in (tgt 1.0.85 prints the name verbatim). Private network and
# mount namespace, own control socket. Run as root:  bash tests/data/tgtadm/capture_hostile.sh
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  exec unshare -n -m --propagation private bash "$0" --inner "$(cd "$(dirname "$0")" && pwd)"
fi
DIR=$2
WORK=/tmp/sanha-tgtadm-capture
rm -rf "$WORK" && mkdir -p "$WORK"
ip link set lo up
mkdir -p /run/tgtd && mount -t tmpfs none /run/tgtd
export TGT_IPC_SOCKET=$WORK/sock
tgtd -f --iscsi portal=127.0.0.1:3260 >"$WORK/tgtd.log" 2>&1 &
TGTD=$!
PERF=
cleanup() {
  [ -n "$PERF" ] && kill -9 "$PERF" 2>/dev/null
  kill -9 $TGTD 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 50); do tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && break; sleep 0.1; done
T() { tgtadm --lld iscsi "$@"; }
truncate -s 8M "$WORK/a1.img" "$WORK/c1.img"
T --op new --mode target --tid 2 --targetname iqn.2024-01.test.sanha:alpha
T --op new --mode logicalunit --tid 2 --lun 1 --backing-store "$WORK/a1.img"
T --op bind --mode target --tid 2 --initiator-address ALL
T --op new --mode target --tid 5 --targetname iqn.2024-01.test.sanha:gamma
T --op new --mode logicalunit --tid 5 --lun 1 --backing-store "$WORK/c1.img"
T --op bind --mode target --tid 5 --initiator-address ALL

# capture FILE NAME: the listing while an initiator called NAME has a session on target 2.
capture() {
  iscsi-perf -i "$2" "iscsi://127.0.0.1/iqn.2024-01.test.sanha:alpha/1" >/dev/null 2>&1 &
  PERF=$!
  for _ in $(seq 50); do T --op show --mode target | grep -q "I_T nexus:" && break; sleep 0.1; done
  T --op show --mode target >"$DIR/$1"
  kill -9 $PERF
  wait $PERF 2>/dev/null || true
  PERF=
  for _ in $(seq 50); do T --op show --mode target | grep -q "I_T nexus:" || break; sleep 0.1; done
}
NL=$'\n'
HDR="    System information:${NL}        Driver: iscsi${NL}        State: ready${NL}    I_T nexus information:"
# A target that does not exist (tid 3), stealing target 2's LUNs.
capture hostile_forged_target.txt "iqn.2024-01.evil:a${NL}Target 3: iqn.2024-01.test.sanha:ghost${NL}$HDR${NL}        I_T nexus: 77${NL}            Initiator: iqn.2024-01.evil:b"
# A copy of the existing target 5 (a real tid, listed twice).
capture hostile_duplicate_tid.txt "iqn.2024-01.evil:a${NL}Target 5: iqn.2024-01.test.sanha:gamma${NL}$HDR${NL}        I_T nexus: 78${NL}            Initiator: iqn.2024-01.evil:b"
# A forged session and a LUN section inside target 2 itself.
capture hostile_forged_lun.txt "iqn.2024-01.evil:a alias: none${NL}    LUN information:${NL}        LUN: 9${NL}            Type: disk${NL}        I_T nexus: 79${NL}            Initiator: iqn.2024-01.test:victim"
# Plain garbage: a name that is no IQN and continues with text of no known shape.
capture hostile_garbage.txt "not an iqn; rm -rf /${NL}	Target: ???${NL}  odd indent"
set +e
T --op show --mode target --tid 3 >/dev/null 2>"$WORK/err"
echo "exit $?" >"$DIR/err_no_target_tid3.txt"
set -e
cat "$WORK/err" >>"$DIR/err_no_target_tid3.txt"
T --op show --mode target --tid 5 >"$DIR/show_target_params_tid5.txt"
for tid in 2 5; do T --op delete --mode target --tid $tid; done
T --op delete --mode system
echo "captured into $DIR"
