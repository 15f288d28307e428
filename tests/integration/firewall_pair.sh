#!/bin/bash
# The block/unblock pair of the documented group, run by the built agent with the exact action
# sequence Pacemaker uses (probes, start block, start unblock, recurring monitors, a refresh, stop
# unblock, stop block), with real iptables and nft in a private namespace; then HA_RSCTMP broken
# in each way a node can break it (missing, a plain file, read-only): stop must still succeed.
source "$(dirname "$0")/../lib.sh"
require_root
require_program iptables
require_program nft

AGENT=$SANHA_BUILD/iscsi-firewall
new_netns NS pair
RSC=$T_TMP/rsc

# fw INSTANCE ACTION(block|unblock) OP [name=value ...]: as pacemaker-execd runs the agent.
fw() {
  local instance=$1 role=$2 op=$3
  shift 3
  local env=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$instance" HA_RSCTMP="$RSC"
    OCF_RESKEY_action="$role" OCF_RESKEY_ip=192.0.2.1 OCF_RESKEY_backend="$BACKEND")
  local kv
  for kv in "$@"; do env+=("OCF_RESKEY_$kv"); done
  ERR=$(ip netns exec "$NS" env -i PATH="$PATH" "${env[@]}" "$AGENT" "$op" 2>&1 >/dev/null)
  RC=$?
}
blk() { fw sanha-fw-block block "$@"; }
ublk() { fw sanha-fw-unblock unblock "$@"; }
recurring=(CRM_meta_interval=10000)
blocked() {
  if sanha_rules "$NS" | grep -q 'dport 3260.*\(DROP\|drop\)'; then echo yes; else echo no; fi
}
EMPTY=$(sanha_rules "$NS")

for BACKEND in iptables nft; do
  B=$BACKEND
  blk monitor
  check "$B: probe block before start" 7 "$RC"
  ublk monitor
  check "$B: probe unblock before start" 7 "$RC"
  blk start
  check "$B: start block" 0 "$RC"
  check "$B: ...traffic held" yes "$(blocked)"
  blk monitor "${recurring[@]}"
  check "$B: block monitor while held" 0 "$RC"
  ublk start
  check "$B: start unblock" 0 "$RC"
  check "$B: ...traffic flows" no "$(blocked)"
  fails=0
  for _ in 1 2 3 4 5 6; do
    blk monitor "${recurring[@]}"
    [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "  block monitor: $RC $ERR"; }
    ublk monitor "${recurring[@]}"
    [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "  unblock monitor: $RC $ERR"; }
  done
  check "$B: 12 recurring monitors of the pair, none failed" 0 "$fails"
  # crm resource refresh: the whole group, then the block instance alone.
  blk monitor
  check "$B: re-probe of block reports running" 0 "$RC"
  ublk monitor
  check "$B: re-probe of unblock reports running" 0 "$RC"
  blk monitor OCF_CHECK_LEVEL=10
  check "$B: depth-10 probe of block reports running" 0 "$RC"
  check "$B: no rule appeared under the running target" no "$(blocked)"
  # A lost block record (refresh after it was wiped): the start that follows must not re-block.
  rm -f "$RSC/sanha-iscsi-firewall-sanha-fw-block.state"
  blk monitor
  check "$B: probe without its record" 7 "$RC"
  blk start
  check "$B: start of block under a running unblock" 0 "$RC"
  check "$B: ...does not block the running target" no "$(blocked)"
  blk monitor "${recurring[@]}"
  check "$B: ...and monitors as running" 0 "$RC"
  # Group stop order.
  ublk stop
  check "$B: stop unblock" 0 "$RC"
  check "$B: ...re-blocks" yes "$(blocked)"
  blk monitor "${recurring[@]}"
  check "$B: block monitor between the two stops" 0 "$RC"
  blk stop
  check "$B: stop block" 0 "$RC"
  check "$B: nothing left in the ruleset" "$EMPTY" "$(sanha_rules "$NS")"
  check "$B: no state file left" "" "$(ls -A "$RSC")"
  blk monitor
  check "$B: probe block after stop" 7 "$RC"
  ublk monitor
  check "$B: probe unblock after stop" 7 "$RC"

  # Exact tamper detection stays for a block nobody lifted legitimately.
  blk start
  if [ "$B" = iptables ]; then
    ip netns exec "$NS" iptables -F sanha-iscsi
  else
    ip netns exec "$NS" nft flush chain inet sanha sanha-iscsi
  fi
  blk monitor "${recurring[@]}"
  check "$B: rules flushed by someone else → monitor fails" 1 "$RC"
  check_match "$B: ...saying so" "ocf-exit-reason:the block rules were removed behind our back" "$ERR"
  blk stop
  check "$B: clean after tampering" "$EMPTY" "$(sanha_rules "$NS")"

  # Issue: stop with a broken HA_RSCTMP failed after the rules were gone.
  SAVED=$RSC
  blk start
  RSC=$T_TMP/missing/rsc
  blk stop
  check "$B: stop with a missing HA_RSCTMP" 0 "$RC"
  check "$B: ...rules gone" "$EMPTY" "$(sanha_rules "$NS")"
  RSC=$SAVED
  blk start
  mv "$RSC" "$T_TMP/rsc.dir" && : >"$RSC"
  blk stop
  check "$B: stop with HA_RSCTMP a plain file" 0 "$RC"
  check "$B: ...rules gone" "$EMPTY" "$(sanha_rules "$NS")"
  blk stop
  check "$B: ...second stop" 0 "$RC"
  blk monitor
  check "$B: probe with HA_RSCTMP a plain file" 7 "$RC"
  ublk monitor
  check "$B: unblock probe with HA_RSCTMP a plain file" 7 "$RC"
  blk start
  check "$B: start with HA_RSCTMP a plain file fails" 1 "$RC"
  check_match "$B: ...naming HA_RSCTMP" "ocf-exit-reason:cannot keep state in .*HA_RSCTMP" "$ERR"
  check "$B: ...having changed nothing" "$EMPTY" "$(sanha_rules "$NS")"
  rm -f "$RSC" && mv "$T_TMP/rsc.dir" "$RSC"
  # Read-only HA_RSCTMP with our records in it (a remount after an error): unblock stop must
  # re-block and succeed.
  ublk start
  ERR=$(ip netns exec "$NS" unshare -m bash -c "mount --bind -o ro '$RSC' '$RSC' &&
    env -i PATH='$PATH' OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=sanha-fw-unblock \
    HA_RSCTMP='$RSC' OCF_RESKEY_action=unblock OCF_RESKEY_ip=192.0.2.1 \
    OCF_RESKEY_backend=$BACKEND '$AGENT' stop" 2>&1 >/dev/null)
  check "$B: unblock stop with a read-only HA_RSCTMP" 0 "$?"
  check_match "$B: ...warning about the state it could not remove" "state file stays" "$ERR"
  check "$B: ...traffic held" yes "$(blocked)"
  ublk start
  ublk stop
  blk stop
  rm -rf "$RSC"
  check "$B: all clean" "$EMPTY" "$(sanha_rules "$NS")"
done
finish
