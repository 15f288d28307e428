#!/bin/bash
# Crash drills on a real tgtd: a LUN resize is interrupted by SIGKILL right after each of its
# steps (hold, close-sessions, delete-lun, add-lun, release) while an initiator keeps reading;
# the next `san-target apply` must finish the job (new size, same identity) and never leave the
# initiator blocked. Also: a crash while adding a target, and two applies serialized by the lock.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../support/tgtd_testbed.sh"
start_tgtd
truncate -s 8M "$T_TMP/a1.img" "$T_TMP/b1.img"
cat >"$CONF" <<CONF
iqn-prefix $IQN
target alpha
  allow-address 192.0.2.2
  lun 1 $T_TMP/a1.img scsi_idsn=AMHDSK-240101-01
CONF
st apply
check "initial apply" 0 "$RC"
bg PERF ip netns exec "$CLI" sh -c 'exec iscsi-perf -i iqn.2024-01.test:perf -x 1000 "$1" >/dev/null 2>&1' \
  perf "$(url alpha/1)"
session() {
  for _ in $(seq 100); do tgtadm --lld iscsi --op show --mode target | grep -q perf && return 0; sleep 0.1; done
  return 1
}
session
check "an initiator is reading alpha/1" 0 "$?"

SIZE=8
for point in hold close-sessions delete-lun add-lun release; do
  SIZE=$((SIZE + 4))
  truncate -s ${SIZE}M "$T_TMP/a1.img"
  KILL_AT=$point st apply
  KILL_AT=
  check "$point: apply dies by SIGKILL at the kill point" 137 "$RC"
  [ "$RC" = 137 ] || echo "$ERR" | grep -v "closed session" | tail -5
  if [ $point != release ]; then
    check "$point: the crash left the initiator held" 1 "$(sanha_held)"
    check "$point: ...and journaled" yes "$([ -s "$STATE/journal" ] && echo yes)"
    st plan
    check_match "$point: plan shows the unfinished hold" "left by an interrupted run" "$OUT"
  fi
  st apply
  check "$point: the rerun succeeds" 0 "$RC"
  [ "$RC" = 0 ] || echo "$ERR"
  check "$point: nothing stays blocked" 0 "$(sanha_held)"
  check "$point: no journal left" no "$([ -e "$STATE/journal" ] && echo yes || echo no)"
  check "$point: the initiator sees the new size" $((SIZE * 1048576)) "$(capacity alpha/1)"
  check "$point: with the same serial" AMHDSK-240101-01 "$(serial alpha/1)"
  st plan
  check "$point: converged (plan empty)" 0 "$RC"
  session
  check "$point: the reading initiator is back" 0 "$?"
done
check "the reading initiator survived every crash" yes "$(kill -0 "$PERF" 2>/dev/null && echo yes)"

# The journal remembers which firewall held: a crash holding with iptables is lifted by a rerun
# that would itself use nft.
truncate -s 36M "$T_TMP/a1.img"
KILL_AT=delete-lun st --firewall iptables apply
KILL_AT=
check "iptables hold: crash after delete-lun" 137 "$RC"
check_match "iptables hold: the initiator is held by iptables" "192.0.2.2/32 .*--tcp-flags FIN,SYN,RST,ACK SYN -j DROP" \
  "$(ip netns exec "$SRV" iptables -S)"
st apply
check "iptables hold: a rerun with the default firewall succeeds" 0 "$RC"
check_no_match "iptables hold: lifted" "192.0.2.2" "$(ip netns exec "$SRV" iptables -S)"
check "iptables hold: new size seen" 37748736 "$(capacity alpha/1)"

# A crash half-way through adding a target: the rerun completes it.
cat >>"$CONF" <<CONF
target beta
  incoming-user beta-user beta-secret-123
  lun 1 $T_TMP/b1.img scsi_idsn=AMHDSK-240101-02
CONF
KILL_AT=add-target st apply
KILL_AT=
check "crash right after adding beta" 137 "$RC"
st plan
check_match "the rerun plan finishes beta" "add target 2 \($IQN:beta\) lun 1" "$OUT"
st apply
check "rerun completes beta" 0 "$RC"
check "beta serves with CHAP" 8388608 "$(capacity beta/1 beta-user%beta-secret-123)"

# Two applies at once: the lock serializes them, both succeed, the second has nothing to do.
truncate -s 40M "$T_TMP/a1.img"  # (after 36M above)
st apply >/dev/null &
FIRST=$!
st apply
wait $FIRST
check "concurrent applies both succeed" 0 "$RC"
check "the initiator sees the final size" 41943040 "$(capacity alpha/1)"
check "nothing stays blocked at the end" 0 "$(sanha_held)"
finish
