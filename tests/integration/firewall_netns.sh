#!/bin/bash
# End to end: the built iscsi-firewall agent in a server namespace, a client in a second namespace
# over a veth pair. Blocked connects hang (DROP, no RST), established connections survive a block,
# IPv4 and IPv6, both backends, portblock semantics, heartbeat v1 mode, hostile parameters.
source "$(dirname "$0")/../lib.sh"
require_root
require_program iptables
require_program nft
require_program nc

AGENT=$SANHA_BUILD/iscsi-firewall
new_netns SRV srv
new_netns CLI cli
ip link add "vs$$" netns "$SRV" type veth peer name "vc$$" netns "$CLI"
ip -n "$SRV" addr add 192.0.2.1/24 dev "vs$$"
ip -n "$SRV" addr add 2001:db8::1/64 dev "vs$$" nodad
ip -n "$CLI" addr add 192.0.2.2/24 dev "vc$$"
ip -n "$CLI" addr add 2001:db8::2/64 dev "vc$$" nodad
ip -n "$SRV" link set "vs$$" up
ip -n "$CLI" link set "vc$$" up
bg L4 ip netns exec "$SRV" nc -lk 192.0.2.1 3260
bg L6 ip netns exec "$SRV" nc -6 -lk 2001:db8::1 3260
sleep 0.3

# fw ACTION [name=value ...]: runs the agent as pacemaker would; sets RC, ERR.
fw() {
  local action=$1
  shift
  local env=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test HA_RSCTMP="$T_TMP/rsc")
  local kv
  for kv in "$@"; do env+=("OCF_RESKEY_$kv"); done
  ERR=$(ip netns exec "$SRV" env -i PATH="$PATH" "${env[@]}" "$AGENT" "$action" 2>&1 >/dev/null)
  RC=$?
}

# connect ADDR [PORT]: "connected", "hang" (DROP) or "refused" (RST).
connect() {
  ip netns exec "$CLI" timeout 1.5 bash -c "exec 3<>/dev/tcp/$1/${2:-3260}" 2>/dev/null
  case $? in 0) echo connected ;; 124) echo hang ;; *) echo refused ;; esac
}

ruleset() { sanha_rules "$SRV"; }

check "client reaches the target before any block (v4)" connected "$(connect 192.0.2.1)"
check "client reaches the target before any block (v6)" connected "$(connect 2001:db8::1)"
EMPTY=$(ruleset)

for backend in iptables nft; do
  P=(action=block "backend=$backend")
  fw monitor "${P[@]}"
  check "$backend: probe before start is 'not running'" 7 "$RC"
  fw start "${P[@]}"
  check "$backend: block start" 0 "$RC"
  fw monitor "${P[@]}"
  check "$backend: monitor after start" 0 "$RC"
  check "$backend: blocked v4 connect hangs (DROP, no RST)" hang "$(connect 192.0.2.1)"
  check "$backend: blocked v6 connect hangs" hang "$(connect 2001:db8::1)"
  check "$backend: other ports still answer" refused "$(connect 192.0.2.1 3999)"
  BEFORE=$(ruleset)
  fw start "${P[@]}"
  check "$backend: second start succeeds" 0 "$RC"
  check "$backend: second start adds no duplicate rule" "$BEFORE" "$(ruleset)"
  fw stop "${P[@]}"
  check "$backend: block stop" 0 "$RC"
  check "$backend: unblocked v4 connects" connected "$(connect 192.0.2.1)"
  check "$backend: unblocked v6 connects" connected "$(connect 2001:db8::1)"
  check "$backend: nothing of ours left after stop" "$EMPTY" "$(ruleset)"
  fw stop "${P[@]}"
  check "$backend: second stop succeeds" 0 "$RC"
  fw monitor "${P[@]}" OCF_RESKEY_CRM_meta_interval=10000
  check "$backend: monitor after stop" 7 "$RC"

  # Rules removed behind our back are an error on a recurring monitor, "stopped" on a probe.
  fw start "${P[@]}"
  fw monitor "${P[@]}"  # with nft: leaves a verdict for the current ruleset generation
  if [ $backend = iptables ]; then
    ip netns exec "$SRV" iptables -F sanha-iscsi
    ip netns exec "$SRV" ip6tables -F sanha-iscsi
  else
    ip netns exec "$SRV" nft flush chain inet sanha sanha-iscsi
  fi
  ERR=$(ip netns exec "$SRV" env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test \
    HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_action=block OCF_RESKEY_backend=$backend \
    OCF_RESKEY_CRM_meta_interval=10000 "$AGENT" monitor 2>&1 >/dev/null)
  check "$backend: recurring monitor notices removed rules" 1 "$?"
  check_match "$backend: ...and says which" "ocf-exit-reason:.*removed.*3260" "$ERR"
  fw stop "${P[@]}"
  check "$backend: stop cleans up after tampering" "$EMPTY" "$(ruleset)"

  # unblock: start removes, stop adds (portblock's meaning).
  U=(action=unblock "backend=$backend")
  fw monitor "${U[@]}"
  check "$backend: unblock probe before start" 7 "$RC"
  fw start "${U[@]}"
  check "$backend: unblock start" 0 "$RC"
  fw monitor "${U[@]}"
  check "$backend: unblock monitor" 0 "$RC"
  fw stop "${U[@]}"
  check "$backend: unblock stop" 0 "$RC"
  check "$backend: stopped unblock blocks traffic" hang "$(connect 192.0.2.1)"
  fw monitor "${U[@]}"
  check "$backend: stopped unblock monitors as stopped" 7 "$RC"
  fw start "${U[@]}"
  check "$backend: unblock start again lets traffic through" connected "$(connect 192.0.2.1)"
  check "$backend: unblock start leaves nothing behind" "$EMPTY" "$(ruleset)"
  fw stop "${U[@]}" && fw start "${U[@]}"

  # Only the listed initiator and local address are blocked.
  fw start action=block backend=$backend source=192.0.2.2 ip=192.0.2.1
  check "$backend: listed initiator is blocked" hang "$(connect 192.0.2.1)"
  check "$backend: ...IPv6 path untouched" connected "$(connect 2001:db8::1)"
  fw stop action=block backend=$backend source=192.0.2.2 ip=192.0.2.1
  fw start action=block backend=$backend source=198.51.100.0/24,2001:db8:ffff::/48
  check "$backend: other initiators are not blocked (v4)" connected "$(connect 192.0.2.1)"
  check "$backend: other initiators are not blocked (v6)" connected "$(connect 2001:db8::1)"
  fw stop action=block backend=$backend source=198.51.100.0/24,2001:db8:ffff::/48
  check "$backend: all clean" "$EMPTY" "$(ruleset)"

  # A foreign rule in our chain survives our stop (two resources sharing a chain).
  fw start action=block backend=$backend port=3261
  fw start action=block backend=$backend port=3260
  fw stop action=block backend=$backend port=3260
  check "$backend: sibling resource's rule survives" connected "$(connect 192.0.2.1)"
  fw monitor action=block backend=$backend port=3261
  check "$backend: sibling resource still running" 0 "$RC"
  fw stop action=block backend=$backend port=3261
  check "$backend: last sibling stop removes the chain" "$EMPTY" "$(ruleset)"
done

# direction=out / both (portblock's meaning): the server's replies are dropped at the output hook
# in a second chain CHAIN-out, so a connect hangs; stop leaves nothing.
for backend in iptables nft; do
  for direction in out both; do
    D=(action=block "backend=$backend" ip=192.0.2.1 "direction=$direction")
    fw start "${D[@]}"
    check "$backend $direction: start" 0 "$RC"
    check "$backend $direction: connect hangs (replies dropped)" hang "$(connect 192.0.2.1)"
    check_match "$backend $direction: the output chain is hooked" \
      "(-A OUTPUT -j sanha-iscsi-out|hook output)" "$(ruleset)"
    if [ $direction = out ]; then
      check_no_match "$backend out: no input rule" "(-A INPUT -j sanha-iscsi$|chain sanha-iscsi \{)" \
        "$(ruleset)"
    fi
    check "$backend $direction: IPv6 untouched" connected "$(connect 2001:db8::1)"
    fw monitor "${D[@]}" OCF_RESKEY_CRM_meta_interval=10000
    check "$backend $direction: monitor" 0 "$RC"
    fw stop "${D[@]}"
    check "$backend $direction: stop" 0 "$RC"
    check "$backend $direction: connects again" connected "$(connect 192.0.2.1)"
    check "$backend $direction: nothing left" "$EMPTY" "$(ruleset)"
  done
  # An administrator removing only the output half is noticed.
  fw start action=block backend=$backend ip=192.0.2.1 direction=both
  if [ $backend = iptables ]; then
    ip netns exec "$SRV" iptables -F sanha-iscsi-out
  else
    ip netns exec "$SRV" nft flush chain inet sanha sanha-iscsi-out
  fi
  fw monitor action=block backend=$backend ip=192.0.2.1 direction=both
  check "$backend both: a missing output half is a partial block" 1 "$RC"
  check_match "$backend both: ...named" "partially blocked: missing tcp sport 3260 from 192.0.2.1/32" "$ERR"
  fw stop action=block backend=$backend ip=192.0.2.1 direction=both
  check "$backend both: clean after a partial block" "$EMPTY" "$(ruleset)"
done
fw validate-all action=block direction=sideways
check "direction=sideways is refused" 6 "$RC"
fw validate-all action=block direction=out chain=abcdefghijklmnopqrstuvwxy
check "direction=out with a 25-character chain is refused" 6 "$RC"

# nft depth-0 monitors reuse an exact verdict while the ruleset generation is unchanged, and only
# then: any commit (ours, iptables-nft, an administrator's nft) or a changed parameter re-checks.
fw start action=block backend=nft
ERR=$(ip netns exec "$SRV" env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test HA_debug=1 \
  HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_action=block OCF_RESKEY_backend=nft "$AGENT" monitor 2>&1)
check "nft monitor after start is running" 0 "$?"
ERR=$(ip netns exec "$SRV" env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test HA_debug=1 \
  HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_action=block OCF_RESKEY_backend=nft "$AGENT" monitor 2>&1)
check "second monitor is running" 0 "$?"
check_match "...proven by the unchanged ruleset generation" "generation [0-9]+ unchanged" "$ERR"
ERR=$(ip netns exec "$SRV" env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test HA_debug=1 \
  OCF_CHECK_LEVEL=10 HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_action=block OCF_RESKEY_backend=nft \
  "$AGENT" monitor 2>&1)
check "depth 10 monitor is running" 0 "$?"
check_no_match "...and always checks the rules" "unchanged" "$ERR"
fw monitor action=block backend=nft port=3261
check "a changed parameter never reuses the verdict" 7 "$RC"
ip netns exec "$SRV" iptables -A INPUT -p udp --dport 9 -j ACCEPT  # an unrelated commit
ERR=$(ip netns exec "$SRV" env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test HA_debug=1 \
  HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_action=block OCF_RESKEY_backend=nft "$AGENT" monitor 2>&1)
check "monitor after another commit is running" 0 "$?"
check_no_match "...after a full check" "unchanged" "$ERR"
ip netns exec "$SRV" iptables -D INPUT -p udp --dport 9 -j ACCEPT
ip netns exec "$SRV" nft delete table inet sanha
fw monitor action=block backend=nft OCF_RESKEY_CRM_meta_interval=10000
ERR=$(ip netns exec "$SRV" env -i OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=fw-test \
  HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_action=block OCF_RESKEY_backend=nft \
  OCF_RESKEY_CRM_meta_interval=10000 "$AGENT" monitor 2>&1 >/dev/null)
check "an administrator deleting our table is noticed at once" 1 "$?"
fw stop action=block backend=nft
check "stop leaves no state file" "" "$(ls -A "$T_TMP/rsc")"
check "all clean after the cache checks" "$EMPTY" "$(ruleset)"

# An established session stalls during a block and resumes after it: no reset, no data lost.
bg SINK bash -c "ip netns exec '$SRV' nc -l 192.0.2.1 3262 > '$T_TMP/sink'"
sleep 0.3
exec 5> >(ip netns exec "$CLI" nc -N 192.0.2.1 3262 >/dev/null 2>"$T_TMP/client.err")
echo before >&5
sleep 0.3
fw start action=block port=3262 backend=iptables
echo during >&5
sleep 2
check "established connection stalls while blocked" before "$(cat "$T_TMP/sink")"
fw stop action=block port=3262 backend=iptables
echo after >&5
exec 5>&-
for _ in $(seq 1 100); do kill -0 "$SINK" 2>/dev/null || break; sleep 0.1; done
check "established connection resumes after unblock with nothing lost" \
  "before during after" "$(tr '\n' ' ' < "$T_TMP/sink" | sed 's/ $//')"
check "client saw no reset" "" "$(cat "$T_TMP/client.err")"

# heartbeat v1: iscsi-firewall::tcp::3260::block
V1=$(ip netns exec "$SRV" env -i PATH="$PATH" HA_RSCTMP="$T_TMP/rsc" "$AGENT" tcp 3260 block start 2>&1)
check "heartbeat v1 start" 0 "$?"
V1=$(ip netns exec "$SRV" env -i PATH="$PATH" HA_RSCTMP="$T_TMP/rsc" "$AGENT" tcp 3260 block status 2>/dev/null)
check "heartbeat v1 status says running" running "$V1"
check "heartbeat v1 block is real" hang "$(connect 192.0.2.1)"
ip netns exec "$SRV" env -i PATH="$PATH" HA_RSCTMP="$T_TMP/rsc" "$AGENT" tcp 3260 block stop >/dev/null 2>&1
V1=$(ip netns exec "$SRV" env -i PATH="$PATH" HA_RSCTMP="$T_TMP/rsc" "$AGENT" tcp 3260 block status 2>/dev/null)
check "heartbeat v1 status says stopped" stopped "$V1"

# Hostile values: exit 6, one reason line, nothing changed, nothing executed.
LONG=$(printf 'a%.0s' $(seq 1 5000))
for bad in "ip=192.0.2.1;touch $T_TMP/pwned" "ip=\$(touch $T_TMP/pwned)" "port=3260;reboot" \
  "port=\$(touch $T_TMP/pwned)" "port=0" "port=65536" "port=3270:3260" "protocol=icmp" \
  "protocol=tcp;ls" "action=maybe" "backend=ipfw" "chain=INPUT -j ACCEPT" "chain=-X" \
  "ip=10.0.0.1/8" "ip=192.0.2.300" "source=\`touch $T_TMP/pwned\`" "ip=$LONG" \
  "chain=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "ip=192.0.2.1
-j ACCEPT"; do
  for action in start stop monitor validate-all; do
    P=(action=block "$bad")
    [[ $bad == action=* ]] && P=("$bad")
    fw $action "${P[@]}"
    [ "$RC" = 6 ] || not_ok "hostile '$bad' on $action gave $RC"
  done
  check "hostile '$(printf %q "${bad:0:40}")' → one reason line" 1 "$(printf '%s\n' "$ERR" | grep -c '^ocf-exit-reason:')"
done
check "hostile values executed nothing" no "$([ -e "$T_TMP/pwned" ] && echo yes || echo no)"
check "hostile values changed no rule" "$EMPTY" "$(ruleset)"

finish
