#!/bin/bash
# LIO works in the guest for a later LIO backend: plain configfs writes (in the order docs/vm-tier.md gives)
# export an LV as an iSCSI LUN with a VPD serial and an explicit ACL; the host reaches it through
# the port forward with libiscsi (discovery, READ CAPACITY, VPD page 0x80); then the guest tears
# it all down and can deactivate the LV again — with no kernel Oops anywhere.
source "$(dirname "$0")/../vm.sh"
vm_require
require_program iscsi-ls
SHARE=$T_TMP/share
mkdir -p "$SHARE"
vm_free_port PORT
IQN=iqn.2026-12.org.sanha:vm.lio
INITIATOR=iqn.2026-12.org.sanha:host

vm_disk D 64M
vm_start sp1 --disk "$D" --share "$SHARE" --fwd "$PORT" --modules lio < <(
  printf 'IQN=%s\nINITIATOR=%s\n' "$IQN" "$INITIATOR"
  cat <<'GUEST'
. /usr/lib/sanha/lib.sh
pvcreate -q /dev/vda
vgcreate -q vgt /dev/vda
lvcreate -q -Zn -n lun0 -L 24M vgt
mount -t configfs none /sys/kernel/config
C=/sys/kernel/config/target
BS=$C/core/iblock_0/lun0
TPG=$C/iscsi/$IQN/tpgt_1
mkdir -p "$BS"
echo "udev_path=/dev/vgt/lun0" >"$BS/control"
echo 1 >"$BS/enable"  # before any attribute (writing attributes first oopsed 6.1)
printf %s SANHA-VM-0001 >"$BS/wwn/vpd_unit_serial"  # before the LUN is linked
mkdir -p "$TPG/lun/lun_0"
ln -s "$BS" "$TPG/lun/lun_0/lun0"
mkdir "$TPG/np/0.0.0.0:3260"
mkdir -p "$TPG/acls/$INITIATOR/lun_0"
ln -s "$TPG/lun/lun_0" "$TPG/acls/$INITIATOR/lun_0/map"
echo 0 >"$TPG/attrib/authentication"
echo 1 >"$TPG/enable"
check "TPG enabled" 1 "$(cat "$TPG/enable")"
check "LUN serial" SANHA-VM-0001 "$(cat "$BS/wwn/vpd_unit_serial" | sed 's/.*: *//')"
signal_host exported
wait_host tested 90
check "host finished its checks" 0 $?
check "an exported LV cannot be deactivated" 5 "$(lvchange -q -an vgt/lun0 2>/dev/null; echo $?)"
# Teardown: enable=0, ACL map, ACL, LUN link, LUN, portal, TPG, target, backstore.
echo 0 >"$TPG/enable"
rm "$TPG/acls/$INITIATOR/lun_0/map"
rmdir "$TPG/acls/$INITIATOR/lun_0" "$TPG/acls/$INITIATOR"
rm "$TPG/lun/lun_0/lun0"
rmdir "$TPG/lun/lun_0" "$TPG/np/0.0.0.0:3260" "$TPG" "$C/iscsi/$IQN"
rmdir "$BS" "$C/core/iblock_0"
check "nothing left in configfs" "" \
  "$(find "$C/iscsi" "$C/core" -mindepth 1 -maxdepth 1 -type d | grep -vE '/(discovery_auth|alua)$')"
check "the LV deactivates once unexported" 0 "$(lvchange -q -an vgt/lun0; echo $?)"
finish
GUEST
)
if vm_wait_signal sp1 exported; then
  URL=iscsi://127.0.0.1:$PORT
  # The first command after a LUN change may see a unit attention: retry a few times.
  for _ in 1 2 3 4 5; do
    LS=$(timeout 20 iscsi-ls -i "$INITIATOR" "$URL/" 2>&1) && break
    sleep 1
  done
  check_match "discovery through the forward lists the target" "Target:$IQN" "$LS"
  for _ in 1 2 3; do
    CAP=$(timeout 20 iscsi-readcapacity16 -i "$INITIATOR" "$URL/$IQN/0" 2>&1) && break
    sleep 1
  done
  check_match "READ CAPACITY(16): 24 MiB" "Total size:$((24 * 1024 * 1024))" "$CAP"
  INQ=$(timeout 20 iscsi-inq -i "$INITIATOR" -e 1 -c 128 "$URL/$IQN/0" 2>&1)
  check_match "VPD page 0x80: the serial set in configfs" "SANHA-VM-0001" "$INQ"
  OUT=$(timeout 20 iscsi-readcapacity16 -i iqn.2026-12.org.sanha:stranger "$URL/$IQN/0" 2>&1)
  RC=$?
  check_match "an initiator without an ACL is refused at login (exit $RC)" "Login Failed" "$OUT"
  touch "$SHARE/tested"
else
  not_ok "the guest never exported the LUN"
fi
vm_wait sp1
check "LIO scenario" 0 $?
finish
