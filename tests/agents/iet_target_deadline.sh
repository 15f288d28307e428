#!/bin/bash
# iet-target against a real tgtd whose LU delete hangs (a tgtadm wrapper, as a hung daemon would):
# the operation's deadline expires mid-apply, inside a firewall hold; the agent must still lift
# the hold before it returns (it keeps a reserve of the timeout for that), so no initiator stays
# held after a failed reload or start. Then the same reload without the wrapper converges.
source "$(dirname "$0")/../lib.sh"
require_root
for p in tgtd tgtadm nft; do require_program $p; done

AGENT=$SANHA_BUILD/iet-target
new_netns NS ietdl
chmod 755 "$T_TMP"
mkdir -p /run/tgtd "$T_TMP/rsc"
SOCK=$T_TMP/tgt-sock
export TGT_IPC_SOCKET=$SOCK
on_exit 'for t in $(tgtadm --lld iscsi --op show --mode target | sed -n "s/^Target \([0-9]*\):.*/\1/p"); do tgtadm --lld iscsi --op delete --mode target --force --tid $t; done; tgtadm --lld iscsi --op delete --mode system'
truncate -s 8M "$T_TMP/l1.img"
CONF=$T_TMP/targets.conf
cat >"$CONF" <<CONF
iqn-prefix iqn.2024-01.test.dl
target vol1
  allow-address 127.0.0.1
  lun 1 $T_TMP/l1.img scsi_idsn=DL-0001
CONF
# A tgtadm whose LU delete never returns (killed with its process group at the step's deadline).
SLOW=$T_TMP/slow-tgtadm
REAL_TGTADM=$(command -v tgtadm)
cat >"$SLOW" <<WRAP
#!/bin/sh
case " \$* " in *" --op delete --mode logicalunit "*) exec sleep 600 ;; esac
exec $REAL_TGTADM "\$@"
WRAP
chmod 755 "$SLOW"
PARAMS=(config="$CONF" tgtd_socket="$SOCK" state_dir="$T_TMP/state" portals=127.0.0.1:3260 firewall=nft)
in_ns() {
  ip netns exec "$NS" unshare -m --propagation private sh -c \
    'mount -t tmpfs none /run/tgtd && exec env HA_RSCTMP="$0" "$@"' "$T_TMP/rsc" "$@"
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
held() { ip netns exec "$NS" nft list table inet sanha 2>/dev/null | grep -c 'drop'; }
EXTRA_ENV=(HA_debug=1)

agent start
check "start" 0 "$RC"
truncate -s 16M "$T_TMP/l1.img"
EXTRA_ENV=(HA_debug=1 SANHA_PROG_TGTADM="$SLOW")
agent reload CRM_meta_timeout=8000
check "a reload whose LU delete hangs fails" 1 "$RC"
check_match "...after holding the target's initiators" "hold initiators 127.0.0.1 of target" "$ERR"
check_match "...with the timeout as the reason" "ocf-exit-reason:.*(did not finish|deadline|not run)" "$ERR"
check_match "...and lifts the hold before returning" "nft: delete rule inet sanha" "$ERR"
check "no initiator is left held" 0 "$(held)"
check "no journal entry left" no "$([ -e "$T_TMP/state/journal" ] && echo yes || echo no)"
EXTRA_ENV=(HA_debug=1)
agent reload
check "the same reload without the hang converges" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
check_match "...the grown LUN presented" "16M|16 MiB|17 MB" \
  "$(tgtadm --lld iscsi --op show --mode target | grep -i 'size:' | tail -1)"
agent stop
check "stop" 0 "$RC"
check "no hold left after stop" 0 "$(held)"
finish
