#!/bin/bash
# Re-captures the lvm outputs named guest_* in this directory from real lvm2 in the vm tier's guest
# (a Debian kernel with device-mapper under qemu, see docs/vm-tier.md): what needs activation and
# therefore cannot be captured on a host without device-mapper — active and inactive LVs, an LV
# held open, a snapshot with usage, a VG with a missing PV while active, dmsetup's view. The
# report argv is the one libsan/lvm uses (lvm CMD --reportformat json --foreign --units b
# --nosuffix -o FIELDS). Captured with lvm2 2.03.16, kernel 6.1 (Debian 12).
# usage (root): bash tests/data/lvm/capture_guest.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../vm/vm.sh"
vm_require
SHARE=$T_TMP/share
mkdir -p "$SHARE"
chmod 777 "$SHARE"
vm_disk D1 128M
vm_disk D2 64M
vm_run sp1 --disk "$D1" --disk "$D2" --share "$SHARE" <<'GUEST'
. /usr/lib/sanha/lib.sh
set -u
O=/mnt/share
VGF=vg_name,vg_attr,vg_systemid,vg_tags,pv_count,vg_missing_pv_count,lv_count,snap_count,vg_size,vg_free
LVF=lv_name,vg_name,lv_attr,lv_size,origin,snap_percent,lv_role,lv_tags,lv_kernel_major,lv_kernel_minor,lv_device_open
PVF=pv_name,pv_uuid,vg_name,pv_attr,pv_missing,pv_size
# cap NAME CMD...: stdout to NAME.json (NAME.txt for dmsetup), stderr to NAME.err when not empty,
# exit code to NAME.rc when not 0.
cap() {
  name=$1
  ext=json
  case $name in dmsetup*) ext=txt ;; esac
  shift
  "$@" >"$O/guest_$name.$ext" 2>"$O/guest_$name.err"
  rc=$?
  [ -s "$O/guest_$name.err" ] || rm -f "$O/guest_$name.err"
  [ $rc -eq 0 ] || echo $rc >"$O/guest_$name.rc"
  echo "captured guest_$name (exit $rc)"
}
vgs_() { lvm vgs --reportformat json --foreign --units b --nosuffix -o "$VGF" "$@"; }
lvs_() { lvm lvs --reportformat json --foreign --units b --nosuffix -o "$LVF" -a "$@"; }
pvs_() { lvm pvs --reportformat json --foreign --units b --nosuffix -o "$PVF" "$@"; }

pvcreate -q /dev/vda /dev/vdb
vgcreate -q vgc /dev/vda /dev/vdb
lvcreate -q -an -Zn -n data -L 48M vgc /dev/vda
lvcreate -q -an -Zn -n logs -L 16M vgc /dev/vda
cap lvs_inactive lvs_ vgc
lvchange -q -ay vgc/data
cap lvs_one_active lvs_ vgc
vgchange -q -ay vgc
cap lvs_active lvs_ vgc
cap vgs_active vgs_ vgc
vgchange -q --addtag pacemaker_sp1 vgc
cap vgs_tag_sp1_active vgs_ vgc
# An LV held open by a process (a stop must report it).
sleep 600 <>/dev/vgc/logs &
HOLDER=$!
cap lvs_logs_open lvs_ vgc
cap vgchange_an_open vgchange -an vgc
kill $HOLDER
wait $HOLDER 2>/dev/null
# A snapshot with usage: 8 MiB copy-on-write area, 3 MiB of the origin rewritten.
lvcreate -q -s -n data_snap -L 8M vgc/data
dd if=/dev/urandom of=/dev/vgc/data bs=1M count=3 conv=fsync 2>/dev/null
cap lvs_snapshot_used lvs_ vgc
cap vgs_snapshot vgs_ vgc
cap dmsetup_info dmsetup info -c --noheadings -o name,major,minor,open,attr
lvremove -q -f vgc/data_snap
# A PV that disappears (a lost disk): wipe vdb's label behind lvm's back.
vgchange -q -an vgc
lvcreate -q -an -Zn -n spread -L 32M vgc /dev/vdb
dd if=/dev/zero of=/dev/vdb bs=1M count=1 conv=fsync 2>/dev/null
cap vgs_missing_pv vgs_ vgc
cap pvs_missing_pv pvs_
cap lvs_missing_pv lvs_ vgc
cap vgchange_ay_missing vgchange -ay vgc
cap vgchange_ay_partial vgchange -ay --activationmode partial vgc
cap lvs_partial_active lvs_ vgc
vgchange -q -an vgc
cap vgs_absent vgs_ nosuchvg
cap lvs_absent lvs_ nosuchvg
ls "$O"
GUEST
RC=$?
check "capture boot succeeded" 0 "$RC"
if [ "$RC" = 0 ]; then
  rm -f "$HERE"/guest_*
  cp "$SHARE"/guest_* "$HERE/"
  ok "copied $(ls "$SHARE" | wc -l) files to $HERE"
fi
finish
