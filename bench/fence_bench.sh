#!/bin/bash
# fence_apc_snmp (fence-agents) against sanha's fence_apc_pdu on the same simulated APC rPDU
# (snmpd + tests/integration/fence/pdu_sim.py) in one run: medians of metadata, status, off, on,
# reboot and list, and the time each needs to report a dead PDU (closed port) with its defaults.
# The timing loop runs inside the namespace (`ip netns exec` itself costs ~20 ms).
# Usage: bench/fence_bench.sh [BUILD_DIR] [ROUNDS] [DEAD_ROUNDS]   (root)
set -u
if [ "${1:-}" != --inner ]; then
  BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  command -v fence_apc_snmp >/dev/null || { echo "install fence-agents" >&2; exit 1; }
  NS=sanha-fbench-$$
  trap 'ip netns del $NS 2>/dev/null' EXIT
  ip netns add $NS
  ip -n $NS link set lo up
  ip netns exec $NS bash "$0" --inner "$BUILD" "${2:-11}" "${3:-3}"
  exit $?
fi

source "$(dirname "$0")/../tests/lib.sh" "$2"
ROUNDS=$3
DEAD_ROUNDS=$4
NS=""  # already inside the namespace
source "$(dirname "$0")/../tests/integration/fence/pdu_lib.sh"
start_pdu a rpdu 1161 n1 n2 n3 n4 n5 n6 n7 n8
STOCK=$(command -v fence_apc_snmp)
OURS=$AGENT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed NAME CMD...: appends the run's wall time in µs to $T_TMP/NAME; the exit code is returned.
timed() {
  local name=$1
  shift
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  local rc=$?
  local t1=$EPOCHREALTIME
  echo $((${t1/./} - ${t0/./})) >>"$T_TMP/$name"
  return $rc
}
COMMON=(-a 127.0.0.1 -u 1161 -c private -d 2c -n 5)
for ((i = 0; i < ROUNDS; i++)); do
  for who in stock ours; do
    bin=$STOCK
    [ $who = ours ] && bin=$OURS
    timed $who.metadata "$bin" -o metadata
    timed $who.status "$bin" "${COMMON[@]}" -o status
    timed $who.off "$bin" "${COMMON[@]}" -o off || echo "$who off failed" >&2
    [ "$(outlet a 5)" = 2 ] || echo "$who off did not switch" >&2
    timed $who.on "$bin" "${COMMON[@]}" -o on || echo "$who on failed" >&2
    timed $who.reboot "$bin" "${COMMON[@]}" -o reboot || echo "$who reboot failed" >&2
    timed $who.list "$bin" -a 127.0.0.1 -u 1161 -c private -d 2c -o list
  done
done
# A dead PDU: nothing listens on the port. Both with their default timeouts and retries.
for ((i = 0; i < DEAD_ROUNDS; i++)); do
  timed stock.dead "$STOCK" -a 127.0.0.1 -u 1169 -c private -d 2c -n 5 -o status
  timed ours.dead "$OURS" -a 127.0.0.1 -u 1169 -c private -d 2c -n 5 -o status
done
switched=$(grep -c ' set 5 ' "${PDU_DIR[a]}/set.log")

printf '%-9s %16s %16s %8s\n' action fence_apc_snmp fence_apc_pdu ratio
for action in metadata status off on reboot list dead; do
  s=$(median <"$T_TMP/stock.$action")
  o=$(median <"$T_TMP/ours.$action")
  awk -v a=$action -v s="$s" -v o="$o" \
    'BEGIN {printf "%-9s %13.1f ms %13.1f ms %7.1fx\n", a, s / 1000, o / 1000, s / o}'
done
echo "($ROUNDS rounds, dead PDU $DEAD_ROUNDS rounds; medians; $switched SETs on outlet 5 logged)"
