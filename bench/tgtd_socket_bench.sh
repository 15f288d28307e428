#!/bin/bash
# Round trips to tgtd: N `tgtadm` processes against N requests of libsan's socket client (one
# tgtd-sock process, one connection per request, as tgtd's mgmt.c serves them), on the same tgtd
# in the same run, and the ratio. (a) `--op show --mode target` with 4 targets × 4 LUNs listed;
# (b) a CHAP account created and deleted (2 requests per round); (c) the three listings a
# reconcile reads (target, account, system): 3 tgtadm processes, 3 socket requests one after the
# other, and the same 3 in flight together on 3 connections. Every call's result is checked.
# tgtd runs in its own network and mount namespace with a private control socket.
# Usage: bench/tgtd_socket_bench.sh [BUILD_DIR] [N]   (root; N default 200)
set -u
BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd) || exit 1
N=${2:-200}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "tgtd_socket_bench.sh: N must be a positive number" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "tgtd_socket_bench.sh: needs root (namespaces, tgtd)" >&2; exit 1; }
[ -x "$BUILD/tgtd-sock" ] || { echo "tgtd_socket_bench.sh: $BUILD/tgtd-sock not built" >&2; exit 1; }
command -v tgtd >/dev/null || { echo "tgtd_socket_bench.sh: install tgt" >&2; exit 1; }
NS=sanha-sbench-$$
TMP=$(mktemp -d /tmp/sanha-sbench.XXXXXX)
TGTD=
cleanup() {
  [ -n "$TGTD" ] && kill -9 "$TGTD" 2>/dev/null && wait "$TGTD" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
export TGT_IPC_SOCKET=$TMP/sock
ip netns exec "$NS" unshare -m --propagation private sh -c \
  'mkdir -p /run/tgtd && mount -t tmpfs none /run/tgtd && exec tgtd -f --iscsi portal=127.0.0.1:3260' \
  >"$TMP/tgtd.log" 2>&1 &
TGTD=$!
T() { tgtadm --lld iscsi "$@"; }
for _ in $(seq 100); do T --op show --mode system >/dev/null 2>&1 && break; sleep 0.05; done
for t in 1 2 3 4; do
  T --op new --mode target --tid $t --targetname "iqn.2024-01.test.sanha:bench$t" || exit 1
  for l in 1 2 3 4; do
    truncate -s 16M "$TMP/t$t-l$l.img"
    T --op new --mode logicalunit --tid $t --lun $l --backing-store "$TMP/t$t-l$l.img" || exit 1
  done
done
now() { date +%s%N; }
fail() { echo "tgtd_socket_bench.sh: $*" >&2; exit 1; }

s=$(now)
for _ in $(seq "$N"); do T --op show --mode target >/dev/null || fail "tgtadm show failed"; done
show_tgtadm=$(($(now) - s))
s=$(now)
"$BUILD/tgtd-sock" repeat "$N" --op show --mode target || fail "socket show failed"
show_sock=$(($(now) - s))

s=$(now)
for i in $(seq "$N"); do
  T --op new --mode account --user "b$i" --password "bench-secret-$i" || fail "tgtadm account new"
  T --op delete --mode account --user "b$i" || fail "tgtadm account delete"
done
acct_tgtadm=$(($(now) - s))
for i in $(seq "$N"); do
  echo "--op new --mode account --user b$i --password bench-secret-$i"
  echo "--op delete --mode account --user b$i"
done >"$TMP/acct"
s=$(now)
"$BUILD/tgtd-sock" run <"$TMP/acct" >"$TMP/acct.out" || fail "socket account run"
acct_sock=$(($(now) - s))
[ "$(grep -c '^= 0 $' "$TMP/acct.out")" = $((2 * N)) ] || fail "a socket account request failed"

s=$(now)
for _ in $(seq "$N"); do
  for m in target account system; do T --op show --mode $m >/dev/null || fail "tgtadm show $m"; done
done
list_tgtadm=$(($(now) - s))
s=$(now)
"$BUILD/tgtd-sock" listings "$N" serial || fail "socket listings serial"
list_serial=$(($(now) - s))
s=$(now)
"$BUILD/tgtd-sock" listings "$N" batch || fail "socket listings batch"
list_batch=$(($(now) - s))

row() {  # LABEL CALLS TGTADM_NS SOCKET_NS
  awk -v l="$1" -v c="$2" -v a="$3" -v b="$4" 'BEGIN {
    printf "%-40s %10.1fµs %10.1fµs %8.1fx\n", l, a / c / 1e3, b / c / 1e3, a / b }'
}
printf '%-40s %12s %12s %9s\n' "per call (N=$N)" tgtadm socket ratio
row "(a) show target (4 targets x 4 LUNs)" "$N" "$show_tgtadm" "$show_sock"
row "(b) CHAP account new + delete" "$((2 * N))" "$acct_tgtadm" "$acct_sock"
row "(c) 3 listings, socket one by one" "$N" "$list_tgtadm" "$list_serial"
row "(c) 3 listings, socket in flight" "$N" "$list_tgtadm" "$list_batch"
awk -v a="$list_serial" -v b="$list_batch" 'BEGIN {
  printf "(c) in flight vs one by one: %.2fx\n", a / b }'
