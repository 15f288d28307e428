#!/bin/bash
# Times start, monitor and stop of sanha's iscsi-firewall and of the stock ocf:heartbeat:portblock
# in the same run, each in a fresh network namespace, and prints medians and ratios.
# Usage: bench/firewall_bench.sh [BUILD_DIR] [ROUNDS]   (root)
set -u
BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
ROUNDS=${2:-21}
OURS=$BUILD/iscsi-firewall
STOCK=/usr/lib/ocf/resource.d/heartbeat/portblock
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
[ -x "$STOCK" ] || { echo "$STOCK missing: install resource-agents" >&2; exit 1; }
NS=sanha-bench-$$
TMP=$(mktemp -d)
trap 'ip netns del $NS 2>/dev/null; rm -rf $TMP' EXIT
ip netns add $NS
ip -n $NS link set lo up

now_us() { echo $(( $(date +%s%N) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME AGENT ENV...: ROUNDS × (start, monitor, stop); appends µs per action to files.
measure() {
  local name=$1 agent=$2
  shift 2
  local env=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bench HA_RSCTMP=$TMP/rsc "$@")
  mkdir -p $TMP/rsc
  for ((i = 0; i < ROUNDS; i++)); do
    for action in start monitor stop; do
      local t0=$(now_us)
      ip netns exec $NS env "${env[@]}" "$agent" $action >/dev/null 2>&1
      echo $(( $(now_us) - t0 )) >> $TMP/$name.$action
    done
    # portblock's stop leaves its DROP rule on iptables 1.8.9 (ANCHORS.md): reset between rounds.
    ip netns exec $NS iptables -F INPUT
  done
}

measure ours-iptables "$OURS" OCF_RESKEY_action=block OCF_RESKEY_backend=iptables OCF_RESKEY_ip=192.0.2.1
measure ours-nft "$OURS" OCF_RESKEY_action=block OCF_RESKEY_backend=nft OCF_RESKEY_ip=192.0.2.1
measure portblock "$STOCK" OCF_RESKEY_action=block OCF_RESKEY_protocol=tcp OCF_RESKEY_portno=3260 OCF_RESKEY_ip=192.0.2.1

printf '%-10s %14s %14s %14s %10s %10s\n' action portblock_ms ours_ipt_ms ours_nft_ms ratio_ipt ratio_nft
for action in start monitor stop; do
  s=$(median < $TMP/portblock.$action)
  a=$(median < $TMP/ours-iptables.$action)
  b=$(median < $TMP/ours-nft.$action)
  awk -v act=$action -v s=$s -v a=$a -v b=$b 'BEGIN {
    printf "%-10s %14.1f %14.1f %14.1f %9.1fx %9.1fx\n", act, s/1000, a/1000, b/1000, s/a, s/b }'
done
echo "(medians of $ROUNDS rounds; ratio = portblock time / sanha time, higher is better)"
