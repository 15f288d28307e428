#!/bin/bash
# Tickle ACKs end to end with real namespaces: an initiator with a long-lived TCP connection to a
# service address on node A; A loses its cable; B takes the address and starts the block/unblock
# pair with the shared tickle_dir. The initiator's connection must be reset (it reconnects at
# once) — measured against the same takeover without tickle_dir, where only the initiator's next
# retransmission meets B's RST. Also reset_local_on_unblock_stop. No timed assertion: the resets
# are asserted, the times printed.
source "$(dirname "$0")/../lib.sh"
require_root
require_program iptables
require_program nc
require_program ss

AGENT=$SANHA_BUILD/iscsi-firewall
VIP=192.0.2.100
new_netns SW sw
new_netns INI ini
new_netns NA nodea
new_netns NB nodeb
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
for n in INI NA NB; do  # one port of the switch per namespace
  ns=${!n}
  ip link add "p$n$$" netns "$SW" type veth peer name eth0 netns "$ns"
  ip -n "$SW" link set "p$n$$" master br0 up
  ip -n "$ns" link set eth0 up
done
ip -n "$INI" addr add 192.0.2.50/24 dev eth0
ip -n "$NA" addr add 192.0.2.11/24 dev eth0
ip -n "$NB" addr add 192.0.2.12/24 dev eth0
ip -n "$INI" addr add 2001:db8::50/64 dev eth0 nodad
ip -n "$NA" addr add 2001:db8::11/64 dev eth0 nodad
ip -n "$NB" addr add 2001:db8::12/64 dev eth0 nodad
# The takeover's address family: IPv4 first, IPv6 at the end.
PLEN=24 NODAD="" INI_ADDR='192\.0\.2\.50' TAG="" SSADDR=$VIP
MAC_B=$(ip -n "$NB" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
TICKLE=$T_TMP/tickle
mkdir -p "$TICKLE"

# fw NODE(a|b) INSTANCE ACTION OP [name=value ...]: the agent as pacemaker runs it on that node.
fw() {
  local node=$1 instance=$2 role=$3 op=$4 ns
  shift 4
  [ "$node" = a ] && ns=$NA || ns=$NB
  local env=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$instance" HA_RSCTMP="$T_TMP/rsc-$node"
    OCF_RESKEY_CRM_meta_on_node="node$node" OCF_RESKEY_action="$role" OCF_RESKEY_ip="$VIP"
    OCF_RESKEY_backend=iptables)
  local kv
  for kv in "$@"; do env+=("OCF_RESKEY_$kv"); done
  ERR=$(ip netns exec "$ns" env -i PATH="$PATH" HA_debug=1 "${env[@]}" "$AGENT" "$op" 2>&1 >/dev/null)
  RC=$?
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The initiator: writes a byte every 50 ms on one connection and notes when a write fails (the
# connection was reset). SIGPIPE ignored so the failing write returns an error instead.
start_client() {
  rm -f "$T_TMP/client.reset" "$T_TMP/client.up"
  bg CLIENT ip netns exec "$INI" bash -c "trap '' PIPE
    exec 3<>/dev/tcp/$VIP/3260 || exit 1
    : > '$T_TMP/client.up'
    while printf x >&3 2>/dev/null; do sleep 0.05; done
    date +%s.%N > '$T_TMP/client.reset'"
  for _ in $(seq 1 100); do [ -e "$T_TMP/client.up" ] && return 0; sleep 0.05; done
  return 1
}
wait_reset() {  # waits up to $1 s for the client to see its connection reset
  local i
  for ((i = 0; i < $1 * 20; i++)); do [ -e "$T_TMP/client.reset" ] && return 0; sleep 0.05; done
  return 1
}

# One takeover: A serves, records its connections, loses its cable; after a stall of $2 s B takes
# the address and starts the pair ($1: with or without tickle_dir). Prints the reset delay.
takeover() {
  local mode=$1 stall=$2 tickle=()
  [ "$mode" = tickle ] && tickle=(tickle_dir="$TICKLE")
  ip -n "$NA" link set eth0 up
  ip -n "$NA" addr add $VIP/$PLEN dev eth0 $NODAD
  bg LISTEN ip netns exec "$NA" nc -lk $VIP 3260 >/dev/null
  sleep 0.3
  fw a fw-block block start
  fw a fw-unblock unblock start "${tickle[@]}"
  check "$mode$TAG: unblock start on A" 0 "$RC"
  start_client
  check "$mode$TAG: initiator connected to A" 0 "$?"
  fw a fw-unblock unblock monitor "${tickle[@]}" CRM_meta_interval=10000
  check "$mode$TAG: unblock monitor on A" 0 "$RC"
  if [ "$mode" = tickle ]; then
    check_match "tickle$TAG: A recorded the initiator's connection" \
      "^$VIP 3260 $INI_ADDR [0-9]+$" "$(cat "$TICKLE"/sanha-tickle-*.nodea 2>/dev/null)"
  fi
  # Power cut: A's cable out; its processes keep running but nothing reaches it.
  ip -n "$NA" link set eth0 down
  sleep "$stall"
  ip -n "$NB" addr add $VIP/$PLEN dev eth0 $NODAD
  # What IPaddr2's gratuitous ARP does to the initiator's neighbour entry.
  ip -n "$INI" neigh replace $VIP lladdr "$MAC_B" dev eth0 nud stale
  fw b fw-block block start
  check "$mode$TAG: block start on B" 0 "$RC"
  local t0
  t0=$(now)
  fw b fw-unblock unblock start "${tickle[@]}"
  check "$mode$TAG: unblock start on B" 0 "$RC"
  [ "$mode" = tickle ] && check_match "tickle$TAG: B sent the tickles" "sent 3 tickle ACK" "$ERR"
  wait_reset 30
  check "$mode$TAG: the initiator's connection was reset" 0 "$?"
  local t1
  t1=$(cat "$T_TMP/client.reset" 2>/dev/null || now)
  DELAY=$(elapsed "$t0" "$t1")
  echo "# $mode$TAG: reset $DELAY s after B's unblock start (stall before takeover ${stall} s)"
  check "$mode$TAG: nothing of the connection left at the initiator" "" \
    "$(ip netns exec "$INI" ss -Htn state established dst "$SSADDR")"
  # Clean up this round: both nodes stop, address and listener gone.
  fw b fw-unblock unblock stop "${tickle[@]}"
  fw b fw-block block stop
  ip -n "$NB" addr del $VIP/$PLEN dev eth0
  ip -n "$NA" link set eth0 up
  fw a fw-unblock unblock stop "${tickle[@]}"
  fw a fw-block block stop
  # (IPv6 addresses already went with A's link down.)
  ip -n "$NA" addr del $VIP/$PLEN dev eth0 2>/dev/null
  kill "$LISTEN" "$CLIENT" 2>/dev/null
  wait "$LISTEN" "$CLIENT" 2>/dev/null
  ip -n "$INI" neigh del $VIP dev eth0
}

takeover tickle 3.5
WITH=$DELAY
takeover plain 3.5
WITHOUT=$DELAY
echo "# takeover → initiator reset: with tickle ${WITH} s, without ${WITHOUT} s" \
  "(ratio $(awk -v a="$WITHOUT" -v b="$WITH" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'))"
# The same over IPv6 (the raw socket's IPv6 path, IPV6_HDRINCL).
VIP=2001:db8::100 PLEN=64 NODAD=nodad INI_ADDR='2001:db8::50' TAG=" (ipv6)" SSADDR="[2001:db8::100]"
takeover tickle 3.5
VIP=192.0.2.100 PLEN=24 NODAD="" INI_ADDR='192\.0\.2\.50' TAG="" SSADDR=$VIP

# A planted line for another address in the shared directory is never tickled; a FIFO there
# never blocks a start.
printf 'sanha-tickle 1\n198.51.100.7 3260 192.0.2.50 1\n' >"$TICKLE/sanha-tickle-0000000000000000.x"
for f in "$TICKLE"/sanha-tickle-*.nodea; do
  cp "$f" "${f%.nodea}.evil"
  printf '192.0.2.99 3260 192.0.2.50 4444\n' >>"${f%.nodea}.evil"
  mkfifo "${f%.nodea}.fifo"
done
ip -n "$NB" addr add $VIP/24 dev eth0
fw b fw-unblock unblock start tickle_dir="$TICKLE"
check "hostile tickle files: start still succeeds" 0 "$RC"
check_match "...the FIFO is skipped" "ignoring .*fifo: not a regular file" "$ERR"
check_match "...the foreign line is skipped" "skipped 1 line" "$ERR"
fw b fw-unblock unblock stop tickle_dir="$TICKLE"
ip -n "$NB" addr del $VIP/24 dev eth0

# reset_local_on_unblock_stop: A's unblock stop re-blocks, then resets its own connections.
ip -n "$NA" addr add $VIP/24 dev eth0
bg LISTEN ip netns exec "$NA" nc -lk $VIP 3260 >/dev/null
sleep 0.3
fw a fw-unblock unblock start reset_local_on_unblock_stop=true
start_client
check "reset_local: initiator connected" 0 "$?"
fw a fw-unblock unblock stop reset_local_on_unblock_stop=true
check "reset_local: unblock stop" 0 "$RC"
wait_reset 10
check "reset_local: the initiator's connection was reset at stop" 0 "$?"
check "reset_local: no established connection left on A" "" \
  "$(ip netns exec "$NA" ss -Htn state established src $VIP)"
check_match "reset_local: traffic is held" "-d $VIP/32 .*--dport 3260 -j DROP" \
  "$(ip netns exec "$NA" iptables -S)"
fw a fw-unblock unblock start
fw a fw-unblock unblock stop
fw a fw-block block stop
check "reset_local: nothing left on A" "" "$(ip netns exec "$NA" iptables -S | grep sanha)"
finish
