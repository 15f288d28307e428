#!/bin/bash
# lvm-vg on a real kernel, two storage processors sharing the disks (two boots of the same disk
# images). sp1 activates two VGs exclusively — owner tag and system ID methods — and "loses
# power" with both active. sp2 boots, a careless boot activates what it can see and
# `lvm-vg boot-deactivate` undoes it for the cluster VG only; then sp2 must refuse both VGs while
# Pacemaker (real crm_mon on a CIB) reports sp1 online or unclean, and take them over with every
# LV active once sp1 is reported down.
source "$(dirname "$0")/../vm.sh"
vm_require
vm_disk TAGDISK 64M
vm_disk SIDDISK 64M
vm_disk LOCALDISK 16M

vm_run sp1 --disk "$TAGDISK" --disk "$SIDDISK" --disk "$LOCALDISK" <<'GUEST'
. /usr/lib/sanha/lib.sh
pvcreate -q /dev/vda /dev/vdb /dev/vdc
vgcreate -q vglocal /dev/vdc
lvcreate -q -an -Zn -n scratch -L 8M vglocal
vgcreate -q vgha /dev/vda
for lv in lv0 lv1 lv2; do lvcreate -q -an -Zn -n $lv -L 8M vgha; done
system_id_from_hostname
vgcreate -q vgsid /dev/vdb
for lv in lv0 lv1; do lvcreate -q -an -Zn -n $lv -L 8M vgsid; done
OUT=$(ocf lvm-vg start vgname=vgha)
check "start (tag)" 0 $?
check "every LV active" aaa "$(lv_active vgha/lv0)$(lv_active vgha/lv1)$(lv_active vgha/lv2)"
check "owner tag" pacemaker_sp1 "$(lvm_json_field "vgs vgha" vg_tags)"
check "monitor (tag)" 0 "$(ocf lvm-vg monitor vgname=vgha >/dev/null; echo $?)"
printf 'sp1-was-here' | dd of=/dev/vgha/lv2 conv=fsync 2>/dev/null
OUT=$(ocf lvm-vg start vgname=vgsid method=system_id)
check "start (system_id)" 0 $?
check "every LV active (system_id)" aa "$(lv_active vgsid/lv0)$(lv_active vgsid/lv1)"
check "system ID" sp1 "$(lvm_json_field "vgs vgsid" vg_systemid)"
check "monitor (system_id)" 0 "$(ocf lvm-vg monitor vgname=vgsid method=system_id >/dev/null; echo $?)"
# Power loss: nothing is stopped.
finish
GUEST
check "sp1 activates" 0 $?

vm_run sp2 --cluster --disk "$TAGDISK" --disk "$SIDDISK" --disk "$LOCALDISK" <<'GUEST'
. /usr/lib/sanha/lib.sh
system_id_from_hostname
inactive() { echo "$(lv_active vgha/lv0)$(lv_active vgha/lv1)$(lv_active vgha/lv2)"; }
vgchange -q -ay vgha vglocal  # what a boot with auto-activation does
check "a careless boot activated sp1's VG" aaa "$(inactive)"
OUT=$(lvm-vg boot-deactivate 2>&1)
check "boot-deactivate" 0 $?
check "  ... deactivated the cluster VG" "---" "$(inactive)"
check "  ... left the local VG alone" a "$(lv_active vglocal/scratch)"
check_match "  ... skipped the other host's system-ID VG" "skipped vgsid" "$OUT"
export OCF_RESKEY_CRM_meta_interval=0
check "probe: not running here" 7 "$(ocf lvm-vg monitor vgname=vgha >/dev/null; echo $?)"
unset OCF_RESKEY_CRM_meta_interval
for view in "online online" "unclean online"; do
  pacemaker_view $view
  OUT=$(ocf lvm-vg start vgname=vgha)
  check "start refused while sp1 is ${view% *} (tag)" 1 $?
  check_match "  ... the reason names the owner" "owned by sp1.*(online|unclean)" "$OUT"
  check "  ... nothing activated" "---" "$(inactive)"
  check "  ... sp1's tag untouched" pacemaker_sp1 "$(lvm_json_field "vgs vgha" vg_tags)"
  OUT=$(ocf lvm-vg start vgname=vgsid method=system_id)
  check "start refused while sp1 is ${view% *} (system_id)" 1 $?
  check_match "  ... the reason names the owner" "owned by sp1" "$OUT"
  check "  ... system ID untouched" sp1 "$(lvm_json_field "vgs --foreign vgsid" vg_systemid)"
done
pacemaker_view down online
OUT=$(ocf lvm-vg start vgname=vgha)
check "takeover once sp1 is down (tag)" 0 $?
check_match "  ... logged as a takeover" "taking vgha over from sp1" "$OUT"
check "  ... every LV active" aaa "$(inactive)"
check "  ... only sp2's tag" pacemaker_sp2 "$(lvm_json_field "vgs vgha" vg_tags)"
check "  ... sp1's data there" sp1-was-here "$(head -c 12 /dev/vgha/lv2)"
check "  ... monitor" 0 "$(ocf lvm-vg monitor vgname=vgha >/dev/null; echo $?)"
OUT=$(ocf lvm-vg start vgname=vgsid method=system_id)
check "takeover once sp1 is down (system_id)" 0 $?
check "  ... system ID is sp2's" sp2 "$(lvm_json_field "vgs vgsid" vg_systemid)"
check "  ... every LV active" aa "$(lv_active vgsid/lv0)$(lv_active vgsid/lv1)"
check "stop (tag)" 0 "$(ocf lvm-vg stop vgname=vgha >/dev/null; echo $?)"
check "  ... all inactive, tag dropped" "---/" "$(inactive)/$(lvm_json_field "vgs vgha" vg_tags)"
check "stop (system_id)" 0 "$(ocf lvm-vg stop vgname=vgsid method=system_id >/dev/null; echo $?)"
check "  ... all inactive" "--" "$(lv_active vgsid/lv0)$(lv_active vgsid/lv1)"
check "stop again is success" 0 "$(ocf lvm-vg stop vgname=vgha >/dev/null; echo $?)"
finish
GUEST
check "sp2 refuses, then takes over" 0 $?
finish
