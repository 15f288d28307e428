#!/bin/bash
# Re-captures the lvm outputs named host_*.json / host_*.txt in this directory from the real lvm2
# tools on loop-device PVs, with a private LVM configuration (LVM_SYSTEM_DIR) so the host's own
# lvm.conf and VGs are never touched. Works on a kernel without device-mapper: only metadata
# commands run here (no activation, no snapshots; those are captured in the qemu tier, see
# capture_guest.sh). Run as root: bash tests/data/lvm/capture_host.sh
# Captured with lvm2 2.03.16 on Debian 12.
set -eu
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
DIR=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/sanha-lvmcap.XXXXXX)
LOOPS=()
cleanup() {
  for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  [ -s "$WORK/stderr" ] && [ -n "${SHOW_STDERR:-}" ] && cat "$WORK/stderr" >&2
  rm -rf "$WORK"
}
trap cleanup EXIT
export LVM_SYSTEM_DIR=$WORK LVM_SUPPRESS_FD_WARNINGS=1
cat >"$WORK/lvm.conf" <<'CONF'
devices { obtain_device_list_from_udev = 0 external_device_info_source = "none"
          use_devicesfile = 0 filter = [ "a|^/dev/loop|", "r|.*|" ] }
activation { udev_sync = 0 udev_rules = 0 verify_udev_operations = 0 monitoring = 0 }
global { use_lvmpolld = 0 event_activation = 0 activation = 0 }
CONF
# This node's system ID, only for the commands that need one.
AS_SP1=(--config 'global/system_id_source="lvmlocal" local/system_id="sp1"')
for i in 1 2; do
  truncate -s 64M "$WORK/d$i.img"
  LOOPS+=("$(losetup -f --show "$WORK/d$i.img")")
done
# Keep only lvm's JSON (device-mapper complaints go to stderr).
VGS=(lvm vgs --reportformat json --foreign --units b --nosuffix -o
  vg_name,vg_attr,vg_systemid,vg_tags,pv_count,vg_missing_pv_count,lv_count,snap_count,vg_size,vg_free)
LVS=(lvm lvs --reportformat json --foreign --units b --nosuffix -o
  lv_name,vg_name,lv_attr,lv_size,origin,snap_percent,lv_role,lv_tags,lv_kernel_major,lv_kernel_minor,lv_device_open -a)
PVS=(lvm pvs --reportformat json --foreign --units b --nosuffix -o
  pv_name,pv_uuid,vg_name,pv_attr,pv_missing,pv_size)
q() { "$@" 2>>"$WORK/stderr"; }

q lvm pvcreate "${LOOPS[@]}" >/dev/null
# The same names as the guest captures (VG vgc with LVs data and logs; nodes sp1 and sp2), so unit
# tests can combine these metadata states with the guest's activation states.
q lvm vgcreate vgc "${LOOPS[@]}" >/dev/null
# A VG without LVs, claimed by sp1.
q lvm vgchange --addtag pacemaker_sp1 vgc >/dev/null
q "${VGS[@]}" vgc >"$DIR/host_vgs_empty_tag_sp1.json"
q "${LVS[@]}" vgc >"$DIR/host_lvs_empty.json"
q lvm vgchange --deltag pacemaker_sp1 vgc >/dev/null
q lvm lvcreate --activate n -n data -L 16M vgc >/dev/null
q lvm lvcreate --activate n -n logs -L 8M vgc >/dev/null
q "${VGS[@]}" vgc >"$DIR/host_vgs_plain.json"
# Without device-mapper lvm cannot tell whether an LV is active: lv_attr shows 'X'.
q "${LVS[@]}" vgc >"$DIR/host_lvs_nodm.json"
q lvm systemid "${AS_SP1[@]}" >"$DIR/host_systemid_sp1.txt"
q lvm systemid >"$DIR/host_systemid_none.txt"
# An absent VG: exit code and stderr.
set +e
"${VGS[@]}" nosuchvg >"$DIR/host_vgs_absent.json" 2>"$DIR/host_vgs_absent.err"
echo $? >"$DIR/host_vgs_absent.rc"
set -e

# Owner tags (as lvm-vg sets them) next to an administrator's tag.
tags() { # NAME TAG...: sets exactly these tags, captures vgs
  local name=$1 t
  shift
  for t in $(q "${VGS[@]}" vgc | sed -n 's/.*"vg_tags":"\([^"]*\)".*/\1/p' | tr , ' '); do
    q lvm vgchange --deltag "$t" vgc >/dev/null
  done
  for t in "$@"; do q lvm vgchange --addtag "$t" vgc >"$DIR/host_vgchange_addtag.txt"; done
  q "${VGS[@]}" vgc >"$DIR/host_vgs_$name.json"
}
tags tag_sp1 pacemaker_sp1
tags tag_sp1_backup backup pacemaker_sp1
tags tag_sp2_backup backup pacemaker_sp2
tags tag_both pacemaker_sp1 pacemaker_sp2
tags tag_sp3 pacemaker_sp3
tags backup_only backup
tags none_left

# system IDs: ours (sp1), then a foreign one (visible only with --foreign).
q lvm vgchange "${AS_SP1[@]}" --systemid sp1 vgc >/dev/null
q "${VGS[@]}" vgc >"$DIR/host_vgs_sysid_sp1.json"
q lvm vgchange "${AS_SP1[@]}" -y --systemid sp2 vgc >/dev/null
q "${VGS[@]}" vgc >"$DIR/host_vgs_sysid_sp2.json"
q lvm vgchange -y --config 'global/system_id_source="lvmlocal" local/system_id="sp1"
    local/extra_system_ids=["sp2"]' --systemid sp1 vgc >"$DIR/host_vgchange_takeover_sysid.txt"
q lvm vgchange "${AS_SP1[@]}" -y --systemid "" vgc >"$DIR/host_vgchange_drop_sysid.txt"

# A missing PV: detach the second loop device.
losetup -d "${LOOPS[1]}"
q "${VGS[@]}" vgc >"$DIR/host_vgs_missing_pv.json" || true
q "${PVS[@]}" --select vg_name=vgc >"$DIR/host_pvs_missing_pv.json" || true
echo "captured into $DIR"
