#!/bin/bash
# sanha demonstration, in namespaces of its own: a storage processor ("sp") and an iSCSI initiator
# ("initiator") on a private veth link. Part one shows iscsi-firewall holding iSCSI traffic during a
# (simulated) failover: new logins stall instead of failing, an established session pauses and
# then carries on with nothing lost. Part two (demo_target.sh) serves the LUNs of
# ha-examples/targets.conf from a real tgtd with iet-target/san-target: the initiator lists them with
# their serials, sees a live resize and a LUN dropped from the file disappear.
# Grows into the full failover drill in later releases.
# Usage: demo.sh [BUILD_DIR]   (root; removes everything it creates; exit 0 only if every step
# behaved as the story says)
set -u
BUILD=$(cd "${1:-$(dirname "$0")/../../build}" && pwd)
AGENT=$BUILD/iscsi-firewall
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it creates network namespaces)" >&2; exit 1; }
for b in iscsi-firewall iet-target san-target; do
  [ -x "$BUILD/$b" ] || { echo "demo.sh: $BUILD/$b not built" >&2; exit 1; }
done
for p in tgtd tgtadm iscsi-ls iscsi-inq iscsi-readcapacity16; do
  command -v "$p" >/dev/null || { echo "demo.sh: $p missing: install tgt and libiscsi-bin" >&2; exit 1; }
done

SP=sanha-demo-sp-$$
INI=sanha-demo-ini-$$
TMP=$(mktemp -d /tmp/sanha-demo.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done  # tgtd ignores TERM
  ip netns del "$SP" 2>/dev/null
  ip netns del "$INI" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
fw() {  # the agent as pacemaker runs it, shown as a user would type it on the storage processor
  printf '  sp# OCF_RESKEY_action=block %s %s\n' "$(basename "$AGENT")" "$1"
  ip netns exec "$SP" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=iscsi-block HA_RSCTMP="$TMP" \
    OCF_RESKEY_action=block "$AGENT" "$1" 2>&1 | sed 's/^/      /'
  local rc=${PIPESTATUS[0]}
  echo "      → exit $rc"
  return "$rc"
}
login() {  # one TCP connect from the initiator to the portal, as an iSCSI login would start
  local t0=$(date +%s%N)
  ip netns exec "$INI" timeout 3 bash -c 'exec 3<>/dev/tcp/192.0.2.1/3260' 2>/dev/null
  local rc=$? ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  case $rc in
    0) echo "  initiator: connect to 192.0.2.1:3260 → connected in ${ms} ms" ;;
    124) echo "  initiator: connect to 192.0.2.1:3260 → no answer after ${ms} ms (packets dropped; the initiator keeps retrying)" ;;
    *) echo "  initiator: connect to 192.0.2.1:3260 → refused after ${ms} ms (a reset: the initiator would report an error)" ;;
  esac
}

say "1. Two namespaces: storage processor 192.0.2.1 (portal :3260) and an initiator 192.0.2.10"
ip netns add "$SP" && ip netns add "$INI"
ip link add "dsp$$" netns "$SP" type veth peer name "dini$$" netns "$INI"
ip -n "$SP" addr add 192.0.2.1/24 dev "dsp$$"; ip -n "$INI" addr add 192.0.2.10/24 dev "dini$$"
for ns in "$SP" "$INI"; do ip -n "$ns" link set lo up; done
ip -n "$SP" link set "dsp$$" up; ip -n "$INI" link set "dini$$" up
# The "target": accepts every connection to the portal and records what the session writes.
ip netns exec "$SP" nc -lk 192.0.2.1 3260 >"$TMP/session.log" & NC=$!; PIDS+=("$NC")
sleep 0.3
login

say "2. An initiator session is established and writes"
exec 5> >(ip netns exec "$INI" nc -N 192.0.2.1 3260 2>"$TMP/session.err")
echo "write #1 before failover" >&5
sleep 0.3
echo "  target received: $(tr '\n' '|' <"$TMP/session.log")"

say "3. Failover begins: pacemaker starts the iscsi-firewall block resource"
fw start
fw monitor
echo "  the rules (sanha's own chain, jumped to first from INPUT):"
ip netns exec "$SP" iptables -S | grep sanha | sed 's/^/      /'
ip netns exec "$SP" nft list table inet sanha 2>/dev/null | sed 's/^/      /'
echo "write #2 during failover" >&5
login
echo "  target received so far: $(tr '\n' '|' <"$TMP/session.log")   (write #2 is held by the initiator's TCP, not lost)"
HELD=$(wc -l <"$TMP/session.log")

say "4. The target is back on this node: pacemaker stops the block resource"
fw stop
fw monitor
login
echo "write #3 after failover" >&5
exec 5>&-
for _ in $(seq 1 80); do [ "$(wc -l <"$TMP/session.log")" -ge 3 ] && break; sleep 0.1; done
echo "  target received: $(tr '\n' '|' <"$TMP/session.log")"
if [ "$HELD" -eq 1 ] && [ "$(wc -l <"$TMP/session.log")" -eq 3 ] && [ ! -s "$TMP/session.err" ]; then
  echo "  → the session survived: every write arrived, in order, and no reset was seen."
  RESULT=0
else
  echo "  → UNEXPECTED: write #2 was not held, or the session lost data or was reset: $(cat "$TMP/session.err")"
  RESULT=1
fi
echo "  rules left behind: $( (ip netns exec "$SP" iptables -S; ip netns exec "$SP" nft list ruleset) | grep -c sanha)"
kill -9 "$NC" 2>/dev/null; wait "$NC" 2>/dev/null  # the stand-in target leaves the portal to tgtd

# Part two: a real target daemon serving ha-examples/targets.conf (sets TARGET_RESULT).
. "$(dirname "$0")/demo_target.sh"

say "Done. Everything created by this demonstration has been removed."
[ "$RESULT" = 0 ] && [ "$TARGET_RESULT" = 0 ]
