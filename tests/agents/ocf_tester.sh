#!/bin/bash
# ocf-tester on the built iscsi-firewall, for block and unblock with both backends, inside a private
# network namespace; afterwards, checks what ocf-tester cannot: the rules and state files left.
source "$(dirname "$0")/../lib.sh"
require_root
require_program ocf-tester
require_program iptables
require_program nft

AGENT=$SANHA_BUILD/iscsi-firewall
new_netns NS ocft
RSC=$T_TMP/rsc
chmod 755 "$T_TMP"
in_ns() { ip netns exec "$NS" env HA_RSCTMP="$RSC" "$@"; }
ruleset() { sanha_rules "$NS"; }
EMPTY=$(ruleset)

for backend in iptables nft; do
  for action in block unblock; do
    OUT=$(in_ns ocf-tester -n "fw-$action" -o action=$action -o backend=$backend \
      -o ip=192.0.2.10,2001:db8::10 "$AGENT" 2>&1)
    RC=$?
    check "ocf-tester passes ($action, $backend)" 0 "$RC"
    [ $RC = 0 ] || printf '%s\n' "$OUT"
    if [ $action = block ]; then
      check "nothing left after ocf-tester ($action, $backend)" "$EMPTY" "$(ruleset)"
    else
      # ocf-tester ends with stop; a stopped unblock resource holds traffic blocked.
      check_match "stopped unblock keeps traffic blocked ($backend)" "192.0.2.10" "$(ruleset)"
      in_ns env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-$action OCF_RESKEY_action=unblock \
        OCF_RESKEY_backend=$backend OCF_RESKEY_ip=192.0.2.10,2001:db8::10 "$AGENT" start 2>/dev/null
      in_ns env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-$action OCF_RESKEY_action=block \
        OCF_RESKEY_backend=$backend OCF_RESKEY_ip=192.0.2.10,2001:db8::10 "$AGENT" stop 2>/dev/null
      check "nothing left after unblock start ($backend)" "$EMPTY" "$(ruleset)"
    fi
  done
done
check "no state file left behind" "" "$(ls -A "$RSC" 2>/dev/null)"

# The portblock parameters added later: tickle_dir, direction, reset_local_on_unblock_stop.
mkdir -p "$T_TMP/tickle"
for backend in iptables nft; do
  OUT=$(in_ns ocf-tester -n fw-tickle -o action=unblock -o backend=$backend -o ip=192.0.2.10 \
    -o tickle_dir="$T_TMP/tickle" -o direction=both -o reset_local_on_unblock_stop=true \
    "$AGENT" 2>&1)
  RC=$?
  check "ocf-tester passes (unblock, tickle_dir, direction=both, reset_local, $backend)" 0 "$RC"
  [ $RC = 0 ] || printf '%s\n' "$OUT"
  in_ns env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-tickle OCF_RESKEY_action=unblock \
    OCF_RESKEY_backend=$backend OCF_RESKEY_ip=192.0.2.10 OCF_RESKEY_direction=both \
    "$AGENT" start 2>/dev/null
  check "nothing left after the tickle run ($backend)" "$EMPTY" "$(ruleset)"
done
check_match "the unblock instance recorded its (empty) connection list" "^sanha-tickle 1$" \
  "$(cat "$T_TMP"/tickle/sanha-tickle-* 2>/dev/null)"

# ocf-tester checks exit codes only; make sure a bad configuration really is refused.
OUT=$(in_ns ocf-tester -n fw-bad -o action=block -o port=99999 "$AGENT" 2>&1)
check "ocf-tester does not pass a bad port" 1 "$?"
check "bad port changed nothing" "$EMPTY" "$(ruleset)"

# meta-data works for an unprivileged user (ocf-tester's permission test, made explicit).
check "meta-data as nobody" 0 "$(su nobody -s /bin/sh -c "$AGENT meta-data" >/dev/null 2>&1; echo $?)"
finish
