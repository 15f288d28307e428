#!/bin/bash
# Captures `tgtadm --op show --mode target` from a real tgtd (tgt 1.0.85) while libiscsi's
# initiator is logged in under hostile names (control characters and an escape sequence), into
# tests/data/fuzz/tgtadm_show/real-*: the tgtadm_show fuzz target's corpus and the unit test
# tests/unit/target/tgtadm_show_fuzz_test.cc read them. tgtd runs in private network and mount
# namespaces with its own control socket, so nothing touches a tgtd of the host. Run as root:
#   bash tests/fuzz/capture_hostile_initiator.sh
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  exec unshare -n -m --propagation private bash "$0" --inner \
    "$(cd "$(dirname "$0")/../data/fuzz/tgtadm_show" && pwd)"
fi
DIR=$2
# shellcheck source=tests/data/tgtadm/capture_lib.sh
. "$(dirname "$0")/../data/tgtadm/capture_lib.sh"
capture_start /tmp/sanha-hostile-capture
truncate -s 8M "$WORK/a1.img"
T --op new --mode target --tid 1 --targetname iqn.2024-01.test.sanha:alpha
T --op bind --mode target --tid 1 --initiator-address ALL
T --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$WORK/a1.img" --bstype rdwr

# capture NAME INITIATOR: one session under INITIATOR, the listing into real-NAME.txt.
capture() {
  iscsi-perf -i "$2" "iscsi://127.0.0.1/iqn.2024-01.test.sanha:alpha/1" >/dev/null 2>&1 &
  PERF=$!
  local up=
  for _ in $(seq 50); do
    if T --op show --mode target | grep -q "I_T nexus:"; then up=1 && break; fi
    sleep 0.1
  done
  T --op show --mode target >"$DIR/real-$1.txt"
  kill -9 "$PERF"
  wait "$PERF" 2>/dev/null || true
  PERF=
  for _ in $(seq 50); do T --op show --mode target | grep -q "I_T nexus:" || break; sleep 0.1; done
  [ -n "$up" ] || echo "no session for $1 (tgtd refused the name)" >&2
}
capture escape-initiator $'iqn.2024-01.test:cl\e[2Jient'
capture control-initiator $'iqn.2024-01.test:a\x01b\x7fc\rd'
capture tab-initiator $'iqn.2024-01.test:tab\there'
T --op delete --mode target --tid 1
echo "captured into $DIR"
