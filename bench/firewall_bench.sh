#!/bin/bash
# Times start, monitor and stop of sanha's iscsi-firewall (both backends) and of the stock
# ocf:heartbeat:portblock in the same run, in one fresh network namespace, and prints medians and
# ratios. The timing loop runs inside the namespace: `ip netns exec` alone costs ~20 ms here and
# would hide the difference.  Usage: bench/firewall_bench.sh [BUILD_DIR] [ROUNDS]   (root)
set -u
if [ "${1:-}" != --inner ]; then
  BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
  ROUNDS=${2:-21}
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  [ -x /usr/lib/ocf/resource.d/heartbeat/portblock ] || { echo "install resource-agents" >&2; exit 1; }
  NS=sanha-bench-$$
  trap 'ip netns del $NS 2>/dev/null' EXIT
  ip netns add $NS
  ip -n $NS link set lo up
  ip netns exec $NS bash "$0" --inner "$BUILD" "$ROUNDS"
  exit $?
fi

BUILD=$2
ROUNDS=$3
OURS=$BUILD/iscsi-firewall
STOCK=/usr/lib/ocf/resource.d/heartbeat/portblock
TMP=$(mktemp -d)
trap 'rm -rf $TMP' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME AGENT VAR=VALUE...: ROUNDS × (start, monitor, stop); µs per call appended to files.
# The variables are exported in a subshell (no extra `env` process) and the clock is bash's
# $EPOCHREALTIME (no `date` process), so only the agent's own run is timed.
measure() (
  local name=$1 agent=$2
  shift 2
  export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=bench HA_RSCTMP=$TMP/rsc "$@"
  mkdir -p $TMP/rsc
  for ((i = 0; i < ROUNDS; i++)); do
    for action in start monitor stop; do
      local t0=$EPOCHREALTIME
      "$agent" $action >/dev/null 2>&1
      local t1=$EPOCHREALTIME
      echo $((${t1/./} - ${t0/./})) >>$TMP/$name.$action
    done
    # portblock's stop leaves its DROP rule on iptables 1.8.9: reset between rounds.
    iptables -F INPUT
  done
)

measure portblock "$STOCK" OCF_RESKEY_action=block OCF_RESKEY_protocol=tcp OCF_RESKEY_portno=3260 OCF_RESKEY_ip=192.0.2.1
measure ours-nft "$OURS" OCF_RESKEY_action=block OCF_RESKEY_backend=nft OCF_RESKEY_ip=192.0.2.1
for ((i = 0; i < ROUNDS; i++)); do
  t0=$EPOCHREALTIME
  /bin/true
  t1=$EPOCHREALTIME
  echo $((${t1/./} - ${t0/./})) >>$TMP/true
done
measure ours-iptables "$OURS" OCF_RESKEY_action=block OCF_RESKEY_backend=iptables OCF_RESKEY_ip=192.0.2.1

printf '%-8s %12s %12s %12s %11s %11s\n' action portblock sanha-nft sanha-ipt ratio-nft ratio-ipt
for action in start monitor stop; do
  s=$(median <$TMP/portblock.$action)
  a=$(median <$TMP/ours-nft.$action)
  b=$(median <$TMP/ours-iptables.$action)
  awk -v act=$action -v s=$s -v a=$a -v b=$b 'BEGIN {
    printf "%-8s %10.1fms %10.1fms %10.1fms %10.1fx %10.1fx\n", act, s/1000, a/1000, b/1000, s/a, s/b }'
done
awk -v t=$(median <$TMP/true) 'BEGIN { printf "(starting /bin/true costs %.1fms here: the floor of any agent)\n", t/1000 }'
echo "medians of $ROUNDS rounds; ratio = portblock time / sanha time (higher is better);"
echo "backend=auto uses nft when installed."
