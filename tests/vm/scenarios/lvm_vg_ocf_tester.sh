#!/bin/bash
# ocf-tester (resource-agents) on lvm-vg inside the guest, on a real VG (tag method; the
# system_id method's actions run in lvm_vg_takeover); afterwards checks what ocf-tester cannot
# see: every LV inactive and no claim left on the VG. Pacemaker passes the node name
# (OCF_RESKEY_CRM_meta_on_node); so does this test.
source "$(dirname "$0")/../vm.sh"
vm_require
vm_disk D1 32M

vm_run sp1 --cluster --disk "$D1" <<'GUEST'
. /usr/lib/sanha/lib.sh
pvcreate -q /dev/vda
vgcreate -q vgtag /dev/vda
for lv in lv0 lv1; do lvcreate -q -an -Zn -n $lv -L 8M vgtag; done
export OCF_RESKEY_CRM_meta_on_node=sp1 HA_RSCTMP=/run/resource-agents
AGENT=/usr/lib/ocf/resource.d/sanha/lvm-vg
OUT=$(ocf-tester -n vg-tag -o vgname=vgtag "$AGENT" 2>&1)
RC=$?
check "ocf-tester passes" 0 $RC
[ $RC = 0 ] || echo "$OUT"
check "  ... LVs inactive, no claim left" "--/" \
  "$(lv_active vgtag/lv0)$(lv_active vgtag/lv1)/$(lvm_json_field "vgs vgtag" vg_tags)"
# Without Pacemaker's node name (heartbeat v1, a manual run) the host name names the owner.
OUT=$(env -u OCF_RESKEY_CRM_meta_on_node OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vg-v1 \
  OCF_RESKEY_vgname=vgtag "$AGENT" start 2>&1)
check "start without CRM_meta_on_node" 0 $?
check "  ... the owner tag carries the host name" pacemaker_sp1 "$(lvm_json_field "vgs vgtag" vg_tags)"
env -u OCF_RESKEY_CRM_meta_on_node OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vg-v1 \
  OCF_RESKEY_vgname=vgtag "$AGENT" stop >/dev/null 2>&1
OUT=$(ocf-tester -n vg-bad -o vgname=bad/name "$AGENT" 2>&1)
check "ocf-tester does not pass an invalid VG name" 1 $?
check "no state file left behind" "" "$(ls -A /run/resource-agents 2>/dev/null | grep -v '\.activation$')"
finish
GUEST
check "ocf-tester scenario" 0 $?
finish
