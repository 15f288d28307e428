#!/bin/bash
# Times sanha's iet-target agent and san-target CLI against the stock ocf:heartbeat:iSCSITarget +
# iSCSILogicalUnit agents (implementation=tgt) on one real tgtd, in the same run, and prints medians
# and ratios: (a) monitor of one target with 4 LUNs, (b) bringing up TARGETS targets × 4 LUNs,
# (c) a no-op reconcile of those LUNs against one `tgtadm --op show --mode target`.
# tgtd runs in a network namespace of its own with a private control socket (TGT_IPC_SOCKET) and a
# private tmpfs over /run/tgtd; the timing loops run inside the namespace (`ip netns exec` alone costs
# ~19 ms here). Every timed call's exit code is checked, and the end state of each bring-up is
# verified, so a failing agent cannot look fast.
# Usage: bench/target_bench.sh [BUILD_DIR] [ROUNDS] [TARGETS] [STOCK_TARGETS]   (root)
#   ROUNDS (default 11) repetitions of each short measurement; TARGETS (default 200) targets of
#   4 LUNs each; STOCK_TARGETS (default TARGETS) how many of them the stock agents bring up — fewer
#   measures a subset whose per-target median is scaled to TARGETS (the output says so).
set -u
STOCK=/usr/lib/ocf/resource.d/heartbeat
if [ "${1:-}" != --inner ]; then
  BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd) || exit 1
  ROUNDS=${2:-11}
  TARGETS=${3:-200}
  STOCK_TARGETS=${4:-$TARGETS}
  [ "$(id -u)" = 0 ] || { echo "target_bench.sh: needs root (namespaces, tgtd)" >&2; exit 1; }
  [ -x $STOCK/iSCSITarget ] || { echo "target_bench.sh: install resource-agents" >&2; exit 1; }
  command -v tgtd >/dev/null || { echo "target_bench.sh: install tgt" >&2; exit 1; }
  for b in iet-target san-target; do
    [ -x "$BUILD/$b" ] || { echo "target_bench.sh: $BUILD/$b not built" >&2; exit 1; }
  done
  [[ $ROUNDS =~ ^[1-9][0-9]*$ && $TARGETS =~ ^[1-9][0-9]*$ && $STOCK_TARGETS =~ ^[1-9][0-9]*$ ]] &&
    [ "$STOCK_TARGETS" -le "$TARGETS" ] ||
    { echo "target_bench.sh: ROUNDS, TARGETS, STOCK_TARGETS must be positive, STOCK_TARGETS ≤ TARGETS" >&2; exit 1; }
  NS=sanha-tbench-$$
  TMP=$(mktemp -d /tmp/sanha-tbench.XXXXXX)
  cleanup() {
    # The inner shell kills its tgtd itself; this is the backstop for a killed inner shell.
    local pid
    pid=$(cat "$TMP/tgtd.pid" 2>/dev/null)
    if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = tgtd ]; then
      kill -9 "$pid" 2>/dev/null
      while [ -e /proc/"$pid" ]; do sleep 0.05; done
    fi
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TMP"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM HUP
  ip netns add "$NS" || exit 1
  ip -n "$NS" link set lo up
  ip netns exec "$NS" unshare --mount --propagation private \
    bash "$0" --inner "$BUILD" "$TMP" "$ROUNDS" "$TARGETS" "$STOCK_TARGETS"
  exit $?
fi

BUILD=$2 TMP=$3 ROUNDS=$4 TARGETS=$5 STOCK_TARGETS=$6
PFX=iqn.2026-12.test.sanha
BACK=$TMP/back
mkdir -p "$BACK" "$TMP/rsc" "$TMP/times"
export OCF_ROOT=/usr/lib/ocf HA_RSCTMP=$TMP/rsc TGT_IPC_SOCKET=$TMP/tgtd.sock
TGTD_PID=
stop_tgtd() {
  [ -n "$TGTD_PID" ] || return 0
  kill -9 "$TGTD_PID" 2>/dev/null
  wait "$TGTD_PID" 2>/dev/null
  TGTD_PID=
  rm -f "$TMP"/tgtd.sock* "$TMP/tgtd.pid"
}
trap stop_tgtd EXIT
trap 'exit 130' INT TERM HUP
die() { echo "target_bench.sh: $*" >&2; exit 1; }

# A private tmpfs over /run in this mount namespace, so /run/tgtd (tgtd's default lock and socket
# directory) is the benchmark's own and nothing is created on the host.
mount -t tmpfs sanha-bench /run && mkdir /run/tgtd || die "cannot mount a private tmpfs over /run"

# A fresh, empty tgtd with its portal on the namespace's loopback. One I/O thread per LUN (-t 1)
# instead of tgt's 16: 800 LUNs would otherwise make 12,800 threads, more than a small machine's
# pid_max leaves room for; the control path timed here uses none of them, for either side.
start_tgtd() {
  stop_tgtd
  tgtd -f -t 1 --iscsi portal=127.0.0.1:3260 >>"$TMP/tgtd.log" 2>&1 &
  TGTD_PID=$!
  echo "$TGTD_PID" >"$TMP/tgtd.pid"
  local i
  for ((i = 0; i < 100; i++)); do
    tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "tgtd did not answer on $TGT_IPC_SOCKET: $(tail -3 "$TMP/tgtd.log")"
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed NAME WANT_RC cmd...: runs cmd once and appends its wall time in µs to $TMP/times/NAME.
# The clock is bash's $EPOCHREALTIME (no `date` process); environment prefixes on the call go to
# the command without an extra `env` process. A wrong exit code ends the benchmark with the output.
timed() {
  local name=$1 want=$2
  shift 2
  local t0=$EPOCHREALTIME
  "$@" >"$TMP/last.out" 2>&1
  local rc=$? t1=$EPOCHREALTIME
  echo $((${t1/./} - ${t0/./})) >>"$TMP/times/$name"
  [ "$rc" = "$want" ] || die "$name: $* exited $rc, expected $want: $(tail -5 "$TMP/last.out")"
}

# Names of target T (1-based) and its LUN L; zero-padded so that no IQN is a prefix of another
# (the stock monitors match unanchored prefixes).
iqn() { printf -v "$1" '%s:bench-t%03d' "$PFX" "$2"; }

# The stock agents, parameters in the environment as pacemaker passes them.
stock_target() {  # ACTION T
  local name
  iqn name "$2"
  OCF_RESOURCE_INSTANCE=tgt$2 OCF_RESKEY_implementation=tgt OCF_RESKEY_iqn=$name OCF_RESKEY_tid=$2 \
    OCF_RESKEY_allowed_initiators=ALL "$STOCK/iSCSITarget" "$1"
}
stock_lun() {  # ACTION T L
  local name
  iqn name "$2"
  OCF_RESOURCE_INSTANCE=lu$2-$3 OCF_RESKEY_implementation=tgt OCF_RESKEY_target_iqn=$name \
    OCF_RESKEY_lun=$3 OCF_RESKEY_path=$BACK/t$2-l$3 OCF_RESKEY_scsi_id=bench-t$2-l$3 \
    OCF_RESKEY_scsi_sn=BT$2L$3 "$STOCK/iSCSILogicalUnit" "$1"
}

# show_counts: "TARGETS LUNS" as tgtd reports them (data LUNs: those with a backing file).
show_counts() {
  tgtadm --lld iscsi --op show --mode target |
    awk '/^Target [0-9]+:/ {t++} /Backing store path: \// {l++} END {printf "%d %d", t, l}'
}

files=()
for ((t = 1; t <= TARGETS; t++)); do
  for l in 1 2 3 4; do files+=("$BACK/t$t-l$l"); done
done
truncate -s 64M "${files[@]}" || die "cannot create backing files in $BACK"

echo "target_bench: tgtd $(tgtd --version 2>&1 | head -1), resource-agents $(dpkg-query -W -f '${Version}' resource-agents 2>/dev/null), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# (a) monitor of one target with 4 LUNs ----------------------------------------------------------
start_tgtd
stock_target start 1 >/dev/null 2>&1 || die "stock iSCSITarget start failed"
for l in 1 2 3 4; do stock_lun start 1 $l >/dev/null 2>&1 || die "stock iSCSILogicalUnit start failed"; done
[ "$(show_counts)" = "1 4" ] || die "stock agents did not create 1 target with 4 LUNs: $(show_counts)"
for ((i = 0; i < ROUNDS; i++)); do
  t0=$EPOCHREALTIME
  timed stock-mon-target 0 stock_target monitor 1
  for l in 1 2 3 4; do timed stock-mon-lun 0 stock_lun monitor 1 $l; done
  t1=$EPOCHREALTIME
  echo $((${t1/./} - ${t0/./})) >>"$TMP/times/stock-mon"
done

# (b) bring-up of STOCK_TARGETS targets × 4 LUNs, the stock agents started one by one ------------
start_tgtd
for ((t = 1; t <= STOCK_TARGETS; t++)); do
  t0=$EPOCHREALTIME
  timed stock-up-target 0 stock_target start $t
  for l in 1 2 3 4; do timed stock-up-lun 0 stock_lun start $t $l; done
  t1=$EPOCHREALTIME
  echo $((${t1/./} - ${t0/./})) >>"$TMP/times/stock-up"
done
[ "$(show_counts)" = "$STOCK_TARGETS $((4 * STOCK_TARGETS))" ] ||
  die "stock bring-up left $(show_counts) targets/LUNs, expected $STOCK_TARGETS $((4 * STOCK_TARGETS))"

# The same targets in sanha's target file: TARGETS targets (the same names, tids, paths and
# identities as the stock resources), admitting every initiator like the stock allowed_initiators=ALL.
write_conf() {  # FILE NTARGETS
  {
    echo "# target_bench.sh: $2 targets × 4 LUNs"
    echo "iqn-prefix $PFX"
    local t l
    for ((t = 1; t <= $2; t++)); do
      printf 'target bench-t%03d\n  tid %d\n' "$t" "$t"
      for l in 1 2 3 4; do
        echo "  lun $l $BACK/t$t-l$l scsi_id=bench-t$t-l$l scsi_sn=BT${t}L$l"
      done
    done
  } >"$1"
}
write_conf "$TMP/one.conf" 1
write_conf "$TMP/all.conf" "$TARGETS"

# iet-target as pacemaker runs it; this tgtd is the benchmark's, so the agent does not own it.
ours() {  # CONFIG STATE_DIR ACTION
  OCF_RESOURCE_INSTANCE=targets OCF_RESKEY_config=$1 OCF_RESKEY_state_dir=$2 \
    OCF_RESKEY_tgtd_socket=$TGT_IPC_SOCKET OCF_RESKEY_manage_daemon=false \
    OCF_RESKEY_portals=127.0.0.1:3260 "$BUILD/iet-target" "$3"
}
san_target() {  # CONFIG STATE_DIR ARGS...
  local conf=$1 state=$2
  shift 2
  "$BUILD/san-target" --config "$conf" --state-dir "$state" --socket "$TGT_IPC_SOCKET" \
    --portals 127.0.0.1:3260 "$@"
}

# (a) sanha: the same target with 4 LUNs, from a fresh tgtd.
start_tgtd
ours "$TMP/one.conf" "$TMP/state-a" start >"$TMP/last.out" 2>&1 ||
  die "iet-target start (1 target) failed: $(tail -5 "$TMP/last.out")"
[ "$(show_counts)" = "1 4" ] || die "iet-target did not create 1 target with 4 LUNs: $(show_counts)"
for ((i = 0; i < ROUNDS; i++)); do
  timed ours-mon 0 ours "$TMP/one.conf" "$TMP/state-a" monitor
  OCF_CHECK_LEVEL=10 timed ours-mon10 0 ours "$TMP/one.conf" "$TMP/state-a" monitor
done

# (b) sanha: one iet-target start brings up all TARGETS targets, from a fresh tgtd each round.
UP_ROUNDS=$(( ROUNDS < 3 ? ROUNDS : 3 ))
for ((i = 0; i < UP_ROUNDS; i++)); do
  start_tgtd
  timed ours-up 0 ours "$TMP/all.conf" "$TMP/state-b$i" start
  [ "$(show_counts)" = "$TARGETS $((4 * TARGETS))" ] ||
    die "iet-target start left $(show_counts) targets/LUNs, expected $TARGETS $((4 * TARGETS))"
done
STATE=$TMP/state-b$((UP_ROUNDS - 1))

# (c) no-op reconcile of the 4×TARGETS LUNs that (b) left running, against one tgtadm show.
tgtadm --lld iscsi --op show --mode target >"$TMP/show.before"
for ((i = 0; i < ROUNDS; i++)); do
  timed show 0 tgtadm --lld iscsi --op show --mode target
  timed apply 0 san_target "$TMP/all.conf" "$STATE" apply
  timed plan 0 san_target "$TMP/all.conf" "$STATE" plan
  timed reload 0 ours "$TMP/all.conf" "$STATE" reload
  timed ours-mon-all 0 ours "$TMP/all.conf" "$STATE" monitor
done
tgtadm --lld iscsi --op show --mode target >"$TMP/show.after"
cmp -s "$TMP/show.before" "$TMP/show.after" ||
  die "a no-op reconcile changed tgtd's state: $(diff "$TMP/show.before" "$TMP/show.after" | head -5)"
stop_tgtd

# ---- report -------------------------------------------------------------------------------------
m() { median "$TMP/times/$1"; }
row() {  # LABEL STOCK_µs SANHA_µs GOAL_KIND GOAL   (ratio = stock / sanha; kind ge: ≥ goal)
  awk -v l="$1" -v s="$2" -v a="$3" -v k="$4" -v g="$5" 'BEGIN {
    r = s / a
    met = (k == "ge") ? (r >= g) : (r <= g)
    goal = (k == "none") ? "" : sprintf("%s%sx %s", (k == "ge") ? "≥" : "≤", g, met ? "met" : "MISSED")
    printf "%-34s %11s %11s %8.1fx   %s\n", l, fmt(s), fmt(a), r, goal }
    function fmt(us) { return us >= 1e6 ? sprintf("%.2fs", us / 1e6) : sprintf("%.1fms", us / 1e3) }'
}
STOCK_PER_TARGET=$(m stock-up)
STOCK_UP_TOTAL=$(awk '{s += $1} END {print s}' "$TMP/times/stock-up")
if [ "$STOCK_TARGETS" -eq "$TARGETS" ]; then
  STOCK_UP=$STOCK_UP_TOTAL
  UP_NOTE="stock: all $TARGETS targets started one by one, total wall time"
else
  STOCK_UP=$((STOCK_PER_TARGET * TARGETS))
  UP_NOTE="stock: SUBSET of $STOCK_TARGETS targets measured; median per target × $TARGETS (an underestimate: each stock call scans tgtadm's whole, growing listing)"
fi
echo
printf '%-34s %11s %11s %9s   %s\n' measurement stock sanha ratio goal
row "(a) monitor, 1 target × 4 LUNs" "$(m stock-mon)" "$(m ours-mon)" ge 20
row "    … sanha at depth 10" "$(m stock-mon)" "$(m ours-mon10)" none 0
row "(b) start $TARGETS targets × 4 LUNs" "$STOCK_UP" "$(m ours-up)" ge 10
awk -v s="$(m show)" -v a="$(m apply)" -v p="$(m plan)" -v r="$(m reload)" -v o="$(m ours-mon-all)" \
  -v n=$((4 * TARGETS)) 'BEGIN {
  printf "(c) no-op reconcile, %d LUNs:\n", n
  printf "    tgtadm --op show --mode target  %9.1fms\n", s / 1e3
  printf "    san-target apply                %9.1fms  %5.2fx show   goal ≤2x %s\n", a / 1e3, a / s, (a / s <= 2) ? "met" : "MISSED"
  printf "    san-target plan                 %9.1fms  %5.2fx show\n", p / 1e3, p / s
  printf "    iet-target reload               %9.1fms  %5.2fx show\n", r / 1e3, r / s
  printf "    iet-target monitor (depth 0)    %9.1fms  %5.2fx show\n", o / 1e3, o / s }'
echo
echo "stock (a): iSCSITarget monitor $(awk -v x="$(m stock-mon-target)" 'BEGIN {printf "%.1f", x/1e3}')ms + 4 × iSCSILogicalUnit monitor $(awk -v x="$(m stock-mon-lun)" 'BEGIN {printf "%.1f", x/1e3}')ms (medians); sanha: one iet-target monitor"
echo "$UP_NOTE ($(awk -v x="$STOCK_PER_TARGET" 'BEGIN {printf "%.0f", x/1e3}')ms median per target of 1 iSCSITarget + 4 iSCSILogicalUnit starts);"
echo "sanha: one iet-target start, median of $UP_ROUNDS runs, each on a fresh tgtd"
echo "medians of $ROUNDS rounds unless said otherwise; ratio = stock time / sanha time (higher is better);"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine's other work shows in every figure)"
echo "tgtd ran with one I/O thread per LUN (-t 1) for both sides;"
echo "every timed call's exit code and each bring-up's end state (targets, LUNs) were checked; (c) left tgtd's listing byte-identical."
