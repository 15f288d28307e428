# Shared setup for the iet-target integration tests (sourced after ../lib.sh): a tgtd in its own
# network and mount namespace (private control socket, tmpfs /run/tgtd), an initiator namespace
# on a veth pair, and helpers around san-target and libiscsi's userspace initiator.
require_root
for p in tgtd tgtadm iscsi-inq iscsi-ls iscsi-readcapacity16 iscsi-perf qemu-io nft; do
  require_program $p
done
SAN_TARGET=$SANHA_BUILD/san-target
new_netns SRV tsrv
new_netns CLI tcli
ip link add "ts$$" netns "$SRV" type veth peer name "tc$$" netns "$CLI"
ip -n "$SRV" addr add 192.0.2.1/24 dev "ts$$"
ip -n "$CLI" addr add 192.0.2.2/24 dev "tc$$"
ip -n "$SRV" link set "ts$$" up
ip -n "$CLI" link set "tc$$" up
export TGT_IPC_SOCKET=$T_TMP/tgt/sock
mkdir -p "$T_TMP/tgt" "$T_TMP/state" /run/tgtd
STATE=$T_TMP/state
CONF=$T_TMP/targets.conf

# Starts tgtd in the server namespace (its pid is recorded for SIGKILL at exit).
start_tgtd() {
  bg TGTD ip netns exec "$SRV" unshare -m --propagation private sh -c \
    'mount -t tmpfs none /run/tgtd && exec tgtd -f --iscsi portal=192.0.2.1:3260' \
    >"$T_TMP/tgtd.log" 2>&1
  for _ in $(seq 100); do
    tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "FATAL: tgtd did not start" >&2
  cat "$T_TMP/tgtd.log" >&2
  exit 1
}
on_exit 'tgtadm --lld iscsi --op delete --mode system'

# st ARGS...: san-target in the server namespace; sets RC, OUT (stdout) and ERR (stderr).
st() {
  OUT=$(ip netns exec "$SRV" env TGT_IPC_SOCKET="$TGT_IPC_SOCKET" ${KILL_AT:+SANHA_TARGET_KILL_AT=$KILL_AT} \
    "$SAN_TARGET" --config "$CONF" --state-dir "$STATE" "$@" 2>"$T_TMP/st.err")
  RC=$?
  ERR=$(cat "$T_TMP/st.err")
}

IQN=iqn.2024-01.test.sanha
# in_cli CMD...: a command in the initiator namespace.
in_cli() { ip netns exec "$CLI" "$@"; }
url() { echo "iscsi://${2:+$2@}192.0.2.1/$IQN:$1"; }  # url TARGET/LUN [user%secret]
capacity() { in_cli iscsi-readcapacity16 -i "${3:-iqn.2024-01.test:client}" "$(url "$1" "${2:-}")" 2>&1 | sed -n 's/^Total size://p'; }
serial() { in_cli iscsi-inq -i iqn.2024-01.test:client -e 1 -c 128 "$(url "$1" "${2:-}")" 2>&1 | sed -n 's/^Unit Serial Number:\[ *\(.*\)\]/\1/p'; }
vpd83() { in_cli iscsi-inq -i iqn.2024-01.test:client -e 1 -c 131 "$(url "$1" "${2:-}")" 2>&1 | sed -n '/T10_VENDORT_ID/{n;s/^Designator:\[\(.*\)\]/\1/p}'; }
sanha_held() { ip netns exec "$SRV" nft list table inet sanha 2>/dev/null | grep -c drop; }
