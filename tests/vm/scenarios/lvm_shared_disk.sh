#!/bin/bash
# Plain lvm2 on a real kernel, two storage processors sharing the same disks (two boots of one
# disk image pair): the mechanisms the lvm-vg agent builds on behave as it assumes.
#  sp1: owner tag + volume_list-restricted exclusive activation, a snapshot whose usage shows in
#       lvs's JSON, a VG with sp1's system ID; sp1 "dies" with everything active.
#  sp2: sees sp1's tag and cannot activate through its own volume_list; cannot even see sp1's
#       system-ID VG without --foreign; takes both over explicitly and reads sp1's data.
source "$(dirname "$0")/../vm.sh"
vm_require
vm_disk TAGDISK 64M
vm_disk SIDDISK 64M

vm_run sp1 --disk "$TAGDISK" --disk "$SIDDISK" <<'GUEST'
. /usr/lib/sanha/lib.sh
pvcreate -q /dev/vda /dev/vdb
vgcreate -q vgtag /dev/vda
lvcreate -q -an -Zn -n lv0 -L 16M vgtag
lvcreate -q -an -Zn -n lv1 -L 16M vgtag
vgchange -q --addtag pacemaker_sp1 vgtag
check "owner tag in vgs JSON" pacemaker_sp1 "$(lvm_json_field "vgs vgtag" vg_tags)"
vgchange -q -aey --config 'activation/volume_list=["@pacemaker_other"]' vgtag
check "another node's volume_list activates nothing" "--" "$(lv_active vgtag/lv0)$(lv_active vgtag/lv1)"
vgchange -q -aey --config 'activation/volume_list=["@pacemaker_sp1"]' vgtag
check "own volume_list activates every LV" "aa" "$(lv_active vgtag/lv0)$(lv_active vgtag/lv1)"
printf 'written-by-sp1' | dd of=/dev/vgtag/lv0 conv=fsync 2>/dev/null
lvcreate -q -s -n lv1_snap -L 4M vgtag/lv1
dd if=/dev/zero of=/dev/vgtag/lv1 bs=1M count=1 conv=fsync 2>/dev/null
USED=$(lvm_json_field "lvs vgtag/lv1_snap" snap_percent)
check_match "snapshot usage in lvs JSON ($USED%)" '^[1-9][0-9]*\.[0-9]+$' "$USED"
check "snapshot origin" lv1 "$(lvm_json_field "lvs vgtag/lv1_snap" origin)"
system_id_from_hostname
check "system ID from the host name" sp1 "$(lvm systemid | sed -n 's/.*system ID: *//p')"
vgcreate -q vgsid /dev/vdb
check "new VG carries sp1's system ID" sp1 "$(lvm_json_field "vgs vgsid" vg_systemid)"
lvcreate -q -Zn -n lv0 -L 16M vgsid
printf 'sid-data-of-sp1' | dd of=/dev/vgsid/lv0 conv=fsync 2>/dev/null
check "vgsid active on sp1" a "$(lv_active vgsid/lv0)"
# sp1 loses power here: both VGs stay active and owned on disk.
finish
GUEST
check "sp1 scenario" 0 $?

vm_run sp2 --disk "$TAGDISK" --disk "$SIDDISK" <<'GUEST'
. /usr/lib/sanha/lib.sh
system_id_from_hostname
check "sp2 sees sp1's owner tag" pacemaker_sp1 "$(lvm_json_field "vgs vgtag" vg_tags)"
check "the snapshot is still there" lv1 "$(lvm_json_field "lvs vgtag/lv1_snap" origin)"
vgchange -q -aey --config 'activation/volume_list=["@pacemaker_sp2"]' vgtag
check "sp2's volume_list does not activate sp1's VG" "--" "$(lv_active vgtag/lv0)$(lv_active vgtag/lv1)"
OUT=$(vgs vgsid 2>&1)
check "sp1's system-ID VG is foreign to sp2 (vgs exit)" 5 "$?"
check_match "  ... and says why" "system ID sp1" "$OUT"
OUT=$(vgchange -ay vgsid 2>&1)
check "sp2 cannot activate sp1's system-ID VG" 5 "$?"
check "foreign VG visible with --foreign" sp1 "$(lvm_json_field "vgs --foreign vgsid" vg_systemid)"
# Takeover (what lvm-vg does once Pacemaker reports sp1 fenced).
vgchange -q --deltag pacemaker_sp1 --addtag pacemaker_sp2 vgtag
vgchange -q -aey --config 'activation/volume_list=["@pacemaker_sp2"]' vgtag
check "tag takeover activates every LV" "aaa" \
  "$(lv_active vgtag/lv0)$(lv_active vgtag/lv1)$(lv_active vgtag/lv1_snap)"
check "sp1's data readable after takeover" written-by-sp1 "$(head -c 14 /dev/vgtag/lv0)"
vgchange -q -y --config 'local/extra_system_ids=["sp1"]' --systemid sp2 vgsid
check "system ID takeover" sp2 "$(lvm_json_field "vgs vgsid" vg_systemid)"
vgchange -q -aey vgsid
check "sp1's data readable after system ID takeover" sid-data-of-sp1 "$(head -c 15 /dev/vgsid/lv0)"
vgchange -q -an vgtag vgsid
check "deactivated" "----" \
  "$(lv_active vgtag/lv0)$(lv_active vgtag/lv1)$(lv_active vgtag/lv1_snap)$(lv_active vgsid/lv0)"
finish
GUEST
check "sp2 scenario" 0 $?
finish
