#!/bin/bash
# ocf-tester on the built iet-target managing its own tgtd (private socket, own network and mount
# namespace); then what ocf-tester cannot see: the initiator's view after start, a drift reason
# naming the difference, reload applying a grown LUN, stop removing everything (daemon stopped,
# no hold left), and a bad configuration refused with exit 6 before anything runs.
source "$(dirname "$0")/../lib.sh"
require_root
for p in ocf-tester tgtd tgtadm iscsi-readcapacity16 nft; do require_program $p; done

AGENT=$SANHA_BUILD/iet-target
new_netns NS ietocf
chmod 755 "$T_TMP"
mkdir -p /run/tgtd "$T_TMP/rsc"
SOCK=$T_TMP/tgt-sock
export TGT_IPC_SOCKET=$SOCK
on_exit 'for t in $(tgtadm --lld iscsi --op show --mode target | sed -n "s/^Target \([0-9]*\):.*/\1/p"); do tgtadm --lld iscsi --op delete --mode target --force --tid $t; done; tgtadm --lld iscsi --op delete --mode system'
truncate -s 8M "$T_TMP/l1.img" "$T_TMP/l2.img"
CONF=$T_TMP/targets.conf
cat >"$CONF" <<CONF
iqn-prefix iqn.2024-01.test.ocf
target vol1
  lun 1 $T_TMP/l1.img scsi_idsn=OCF-0001
  lun 2 $T_TMP/l2.img scsi_idsn=OCF-0002
CONF
PARAMS=(config="$CONF" tgtd_socket="$SOCK" state_dir="$T_TMP/state" portals=127.0.0.1:3260 firewall=nft)

# ocf-tester validates meta-data against resource-agents' ra-api-1.dtd, which predates OCF 1.1
# (no reload-agent action, no reloadable attribute). Inside the namespace that file is replaced by
# the same DTD with exactly those two additions; everything else ocf-tester checks is unchanged.
STOCK_DTD=/usr/share/resource-agents/ra-api-1.dtd
DTD11=$T_TMP/ra-api-1.1.dtd
sed 's/|reload|/|reload|reload-agent|/' "$STOCK_DTD" >"$DTD11"
echo '<!ATTLIST parameter reloadable (1|0) "0">' >>"$DTD11"
check "OCF 1.1 meta-data does not validate against the stock DTD" no \
  "$("$AGENT" meta-data | (cd /usr/share/resource-agents && xmllint --noout --valid - 2>/dev/null) && echo yes || echo no)"
check "...and validates with the two OCF 1.1 additions" yes \
  "$("$AGENT" meta-data | (cd "$T_TMP" && sed 's/ra-api-1.dtd/ra-api-1.1.dtd/' | xmllint --noout --valid - 2>/dev/null) && echo yes || echo no)"

# Runs in the namespace with a private /run/tgtd, as a node would.
in_ns() {
  ip netns exec "$NS" unshare -m --propagation private sh -c \
    'mount -t tmpfs none /run/tgtd && mount --bind "$1" "$2" && shift 2 && exec env HA_RSCTMP="$0" "$@"' \
    "$T_TMP/rsc" "$DTD11" "$STOCK_DTD" "$@"
}
agent() {
  local action=$1
  shift
  local env=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=iet "${EXTRA_ENV[@]}")
  local kv
  for kv in "${PARAMS[@]}" "$@"; do env+=("OCF_RESKEY_$kv"); done
  ERR=$(in_ns env "${env[@]}" "$AGENT" "$action" 2>&1 >/dev/null)
  RC=$?
}
EXTRA_ENV=()

OPTS=()
for kv in "${PARAMS[@]}"; do OPTS+=(-o "$kv"); done
OUT=$(in_ns ocf-tester -n iet "${OPTS[@]}" "$AGENT" 2>&1)
RC=$?
check "ocf-tester passes" 0 "$RC"
[ $RC = 0 ] || printf '%s\n' "$OUT"
check "tgtd stopped after ocf-tester (the agent owned it)" no \
  "$(tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && echo yes || echo no)"

agent start
check "start" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
CAP=$(ip netns exec "$NS" iscsi-readcapacity16 iscsi://127.0.0.1/iqn.2024-01.test.ocf:vol1/2 | sed -n 's/^Total size://p')
check "the initiator reads LUN 2's capacity" 8388608 "$CAP"
agent monitor
check "monitor depth 0" 0 "$RC"
EXTRA_ENV=(OCF_CHECK_LEVEL=10)
agent monitor
check "monitor depth 10" 0 "$RC"
EXTRA_ENV=(OCF_RESKEY_CRM_meta_interval=10000)
truncate -s 12M "$T_TMP/l2.img"
agent monitor
check "a grown LUN is pending, not a failure, on a recurring monitor" 0 "$RC"
check_match "...with the exact difference as a warning" \
  "ocf-exit-reason:pending: .*delete target 1 \(iqn.2024-01.test.ocf:vol1\) lun 2 .* size is 8 MiB, backing device is now 12 MiB" "$ERR"
cp "$CONF" "$T_TMP/targets.orig"
truncate -s 4M "$T_TMP/l3.img"
echo "  lun 3 $T_TMP/l3.img scsi_idsn=OCF-0003" >>"$CONF"
agent monitor
check "an edited target file is pending too" 0 "$RC"
check_match "...naming the new LUN" "ocf-exit-reason:pending: .*lun 3 $T_TMP/l3.img" "$ERR"
echo "  lun 4" >>"$CONF"
agent monitor
check "a target file with an error while running is pending, not fatal" 0 "$RC"
check_match "...naming the error" "ocf-exit-reason:pending: the target file cannot be applied: $CONF:6" "$ERR"
cp "$T_TMP/targets.orig" "$CONF"
EXTRA_ENV=()
agent reload
check "reload applies the file" 0 "$RC"
CAP=$(ip netns exec "$NS" iscsi-readcapacity16 iscsi://127.0.0.1/iqn.2024-01.test.ocf:vol1/2 | sed -n 's/^Total size://p')
check "the initiator sees the grown LUN" 12582912 "$CAP"
agent monitor
check "in sync again" 0 "$RC"
tgtadm --lld iscsi --op new --mode target --tid 9 --targetname iqn.2024-01.test.ocf:vol10
EXTRA_ENV=(OCF_RESKEY_CRM_meta_interval=10000)
agent monitor
check_match "a target added behind the agent's back is reported" \
  "delete target 9 \(iqn.2024-01.test.ocf:vol10\) — not in the file" "$ERR"
EXTRA_ENV=()
agent stop
check "stop" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
check "tgtd is gone after stop" no \
  "$(tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && echo yes || echo no)"
check "no hold left" "" "$(ip netns exec "$NS" nft list table inet sanha 2>/dev/null)"
check "no started mark left" "" "$(ls -A "$T_TMP/rsc")"
agent reload
check "reload on a stopped resource does not start it" 7 "$RC"
check "...tgtd still down" no \
  "$(tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && echo yes || echo no)"

# Runs against one tgtd are serialised by a lock named after its socket, whatever the state dir:
# with the daemon's lock held elsewhere, a start with another state dir waits, then fails (Busy).
LOCK_NAME=""
ID="tgt:$SOCK"
for ((i = 0; i < ${#ID}; i++)); do
  c=${ID:i:1}
  case $c in
    [A-Za-z0-9.-]) LOCK_NAME+=$c ;;
    *) LOCK_NAME+=$(printf '_%02x' "'$c") ;;
  esac
done
LOCK=/run/lock/sanha/$LOCK_NAME.lock
agent start
check "start (for the lock check)" 0 "$RC"
on_exit "rm -f '$LOCK'"
# Held by this shell on its own descriptor (a background flock's child would inherit it).
exec {LOCK_FD}>"$LOCK"
flock -x "$LOCK_FD"
agent reload state_dir="$T_TMP/state2" CRM_meta_timeout=2000
check "a reload with another state dir waits for the daemon's lock" 1 "$RC"
check_match "...naming it" "ocf-exit-reason:.*$LOCK is locked by another process" "$ERR"
exec {LOCK_FD}>&-
agent stop
check "stop (after the lock check)" 0 "$RC"

# A tgtd the agent did not start (as the distribution's tgt service runs it, on every address) is
# refused with the remedy, never adopted; stop leaves it alone.
in_ns tgtd --iscsi portal=0.0.0.0:3260
agent start
check "a foreign tgtd is refused" 1 "$RC"
check_match "...naming the remedy" "ocf-exit-reason:a tgtd this resource did not start already runs on $SOCK .*systemctl disable --now tgt" "$ERR"
check "...nothing configured on it" "" "$(tgtadm --lld iscsi --op show --mode target)"
agent stop
check "stop succeeds and leaves it running" "0 yes" \
  "$RC $(tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && echo yes || echo no)"
tgtadm --lld iscsi --op delete --mode system

# Bad configuration: exit 6, one reason line, nothing started.
printf 'target iqn.2024-01.test.ocf:bad\n lun 0 %s/l1.img\n' "$T_TMP" >"$T_TMP/bad.conf"
agent start config="$T_TMP/bad.conf"
check "LUN 0 on tgt is a configuration error" 6 "$RC"
check_match "...naming file and line" "ocf-exit-reason:$T_TMP/bad.conf:2: lun 0: LUN 0 is tgt's controller LUN" "$ERR"
agent start firewall="nft;reboot"
check "a hostile parameter is refused" 6 "$RC"
check "nothing was started" no \
  "$(tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && echo yes || echo no)"
agent start tgtd_socket=/nonexistent-sanha-dir/sock
check "a tgtd_socket whose directory is missing fails start as not installed" 5 "$RC"
check_match "...saying why" \
  "ocf-exit-reason:tgtd_socket: directory /nonexistent-sanha-dir of /nonexistent-sanha-dir/sock does not exist on this node" "$ERR"
check "meta-data as nobody" 0 "$(su nobody -s /bin/sh -c "$AGENT meta-data" >/dev/null 2>&1; echo $?)"
finish
