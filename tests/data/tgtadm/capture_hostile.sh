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
# shellcheck source=tests/data/tgtadm/capture_lib.sh
. "$(dirname "$0")/capture_lib.sh"
capture_start /tmp/sanha-tgtadm-capture
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
