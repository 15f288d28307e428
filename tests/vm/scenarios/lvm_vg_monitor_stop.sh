#!/bin/bash
# lvm-vg's monitor and stop on a real kernel: every LV must be active (one LV deactivated behind
# the agent's back is an error), depth 10 reads each LV, a lost PV or a lost VG on a recurring
# monitor is an error (a probe says "not running"), and a stop with an LV held open fails within
# its timeout naming the holder, then succeeds once the holder is gone.
source "$(dirname "$0")/../vm.sh"
vm_require
vm_disk D1 64M
vm_disk D2 64M

vm_run sp1 --disk "$D1" --disk "$D2" <<'GUEST'
. /usr/lib/sanha/lib.sh
pvcreate -q /dev/vda /dev/vdb
vgcreate -q vgha /dev/vda /dev/vdb
for lv in lv0 lv1; do lvcreate -q -an -Zn -n $lv -L 8M vgha /dev/vda; done
lvcreate -q -an -Zn -n lv2 -L 8M vgha /dev/vdb
all() { echo "$(lv_active vgha/lv0)$(lv_active vgha/lv1)$(lv_active vgha/lv2)"; }
export OCF_RESKEY_CRM_meta_interval=10000  # a recurring monitor, not a probe
check "start" 0 "$(ocf lvm-vg start vgname=vgha >/dev/null; echo $?)"
check "every LV active" aaa "$(all)"
check "monitor" 0 "$(ocf lvm-vg monitor vgname=vgha >/dev/null; echo $?)"
check "monitor depth 10 (reads each LV)" 0 \
  "$(OCF_CHECK_LEVEL=10 ocf lvm-vg monitor vgname=vgha >/dev/null; echo $?)"

lvchange -q -an vgha/lv1
OUT=$(ocf lvm-vg monitor vgname=vgha)
check "one LV deactivated behind the agent's back: monitor error" 1 $?
check_match "  ... the reason names it" "ocf-exit-reason:.*vgha/lv1" "$OUT"
check "start repairs it" 0 "$(ocf lvm-vg start vgname=vgha >/dev/null; echo $?)"
check "  ... every LV active again" aaa "$(all)"

sleep 600 <>/dev/vgha/lv2 &
HOLDER=$!
T0=$(cut -d. -f1 /proc/uptime)
OUT=$(OCF_RESKEY_CRM_meta_timeout=20000 ocf lvm-vg stop vgname=vgha)
RC=$?
T1=$(cut -d. -f1 /proc/uptime)
check "stop with an LV held open fails" 1 $RC
echo "$OUT" | grep ocf-exit-reason
check_match "  ... naming the holder" "ocf-exit-reason:.*vgha/lv2.*pid $HOLDER \(sleep\)" "$OUT"
check_match "  ... within its timeout (took $((T1 - T0)) s)" '^([0-9]|1[0-9]|20)$' "$((T1 - T0))"
check "  ... the held LV stays active" a "$(lv_active vgha/lv2)"
check "  ... the claim stays" pacemaker_sp1 "$(lvm_json_field "vgs vgha" vg_tags)"
kill $HOLDER
wait $HOLDER 2>/dev/null
check "stop once the holder is gone" 0 "$(ocf lvm-vg stop vgname=vgha >/dev/null; echo $?)"
check "  ... every LV inactive, claim dropped" "---/" "$(all)/$(lvm_json_field "vgs vgha" vg_tags)"

check "start again" 0 "$(ocf lvm-vg start vgname=vgha >/dev/null; echo $?)"
dd if=/dev/zero of=/dev/vdb bs=1M count=1 conv=fsync 2>/dev/null  # the second disk is lost
OUT=$(ocf lvm-vg monitor vgname=vgha)
check "monitor with a PV missing: error" 1 $?
check_match "  ... the reason says so" "ocf-exit-reason:.*(missing|incomplete|PV)" "$OUT"
dd if=/dev/zero of=/dev/vda bs=1M count=1 conv=fsync 2>/dev/null  # and the first one
OUT=$(ocf lvm-vg monitor vgname=vgha)
check "recurring monitor of a lost VG: error, not 'stopped'" 1 $?
check_match "  ... the reason says so" "ocf-exit-reason:.*vgha" "$OUT"
check "a probe of a lost VG: not running" 7 \
  "$(OCF_RESKEY_CRM_meta_interval=0 ocf lvm-vg monitor vgname=vgha >/dev/null; echo $?)"
check "stop of an absent VG: success" 0 "$(ocf lvm-vg stop vgname=vgha >/dev/null; echo $?)"
finish
GUEST
check "monitor and stop scenario" 0 $?
finish
