#!/bin/bash
# The lvm tools and the lvm-vg agent against real lvm2 on loop-device PVs of their own, with a
# private LVM configuration (LVM_SYSTEM_DIR) that disables device-mapper use (global/activation=0)
# so the test behaves the same on a kernel with or without device-mapper and never touches the
# host's VGs. What needs activation runs in the vm tier; here: every decision taken on lvm's
# metadata (snapshot safety, ownership refusal, absent VGs, boot-deactivate's choice of VGs,
# bad configuration) and lvm_iostat on the live /proc/diskstats with a loop device doing I/O.
source "$(dirname "$0")/../lib.sh"
require_root
require_program lvm
require_program losetup

export LVM_SYSTEM_DIR=$T_TMP/lvm LVM_SUPPRESS_FD_WARNINGS=1
mkdir -p "$LVM_SYSTEM_DIR"
cat >"$LVM_SYSTEM_DIR/lvm.conf" <<'CONF'
devices { obtain_device_list_from_udev = 0 external_device_info_source = "none"
          use_devicesfile = 0 filter = [ "a|^/dev/loop|", "r|.*|" ] }
activation { udev_sync = 0 udev_rules = 0 verify_udev_operations = 0 monitoring = 0 }
global { use_lvmpolld = 0 event_activation = 0 activation = 0 }
CONF
B=$SANHA_BUILD
VG=sanha$$
LOOPS=()
for i in 1 2; do
  truncate -s 32M "$T_TMP/pv$i.img"
  LOOPS+=("$(losetup -f --show "$T_TMP/pv$i.img")") || exit 1
  on_exit "losetup -d ${LOOPS[-1]}"
done
# Only our loop devices are PVs for this configuration.
sed -i "s#a|^/dev/loop|#a|^${LOOPS[0]}\$|\", \"a|^${LOOPS[1]}\$|#" "$LVM_SYSTEM_DIR/lvm.conf"
lvm pvcreate -q "${LOOPS[@]}" >/dev/null 2>&1
lvm vgcreate -q $VG "${LOOPS[@]}" >/dev/null 2>&1
lvm lvcreate -q --activate n -n data -L 8M $VG >/dev/null 2>&1
lvm lvcreate -q --activate n -n data_snap -L 4M $VG >/dev/null 2>&1
lvs() { lvm lvs --noheadings -o lv_name $VG 2>/dev/null | tr -d ' ' | sort | tr '\n' ' '; }
tags() { lvm vgs --noheadings -o vg_tags $VG 2>/dev/null | tr -d ' '; }
BEFORE=$(lvs)

# --- lvm_snap_remove / lvm_snap_create: refusals decided on lvs's report -------------------------
OUT=$("$B/lvm_snap_remove" -s $VG/data 2>&1)
check "snap_remove refuses a plain LV (exit 2)" 2 "$?"
check_match "...saying why" "$VG/data is not a snapshot; refusing to remove it" "$OUT"
OUT=$("$B/lvm_snap_remove" -s /dev/$VG/data_snap 2>&1)
check "snap_remove refuses an LV that is only named like a snapshot" 2 "$?"
check "no LV was removed" "$BEFORE" "$(lvs)"
OUT=$("$B/lvm_snap_remove" -s $VG/nosuch 2>&1)
check "snap_remove of a missing LV fails (exit 1)" 1 "$?"
check_match "...naming it" "$VG/nosuch not found" "$OUT"
OUT=$("$B/lvm_snap_remove" 2>&1)
check "snap_remove without -s is a usage error" 2 "$?"
OUT=$("$B/lvm_snap_create" -s $VG/data 2>&1)
check "snap_create refuses an existing target name (exit 2)" 2 "$?"
check_match "...naming it" "$VG/data_snap already exists" "$OUT"
OUT=$("$B/lvm_snap_create" -s $VG/data -t big -n 9M 2>&1)
check "snap_create refuses a COW area larger than the origin" 2 "$?"
check_match "...saying so" "larger than the origin \(8.0 MiB\)" "$OUT"
OUT=$("$B/lvm_snap_create" -s "$VG/data;reboot" 2>&1)
check "snap_create refuses a hostile name" 2 "$?"
# With activation disabled lvcreate cannot make a snapshot: the tool reports lvm's own refusal.
OUT=$("$B/lvm_snap_create" -s $VG/data -t nightly 2>&1)
check "snap_create passes lvcreate's failure on (exit 1)" 1 "$?"
check_match "...with lvm's reason" "lvm exited [0-9]+: .*(snapshot|device-mapper)" "$OUT"
check_match "...after planning the default 20% size" "1.6 MiB of 8.0 MiB" "$OUT"
check "nothing was created" "$BEFORE" "$(lvs)"

# --- lvm-vg: refusals on real lvm metadata -----------------------------------------------------
RSC=$T_TMP/rsc
agent() { # ACTION [NAME=VALUE...]
  local action=$1
  shift
  env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vg HA_RSCTMP="$RSC" \
    OCF_RESKEY_CRM_meta_on_node=${NODE:-sp2} OCF_RESKEY_vgname=$VG "${@/#/OCF_RESKEY_}" \
    "$B/lvm-vg" "$action" 2>&1
}
lvm vgchange -q --addtag backup --addtag pacemaker_sp1 $VG >/dev/null 2>&1
OUT=$(SANHA_PROG_CRM_MON=/nonexistent agent start)
check "start refuses a VG owned by another node when Pacemaker cannot be asked" 1 "$?"
check_match "...saying so" "owned by sp1 \(tag pacemaker_sp1\) and cannot ask Pacemaker" "$OUT"
check "the VG's tags are untouched" "backup,pacemaker_sp1" "$(tags)"
OUT=$(agent start method=clvm)
check "a bad method is a configuration error on start" 6 "$?"
OUT=$(agent stop method=clvm)
check "...and on stop (never 0 without deactivating)" 6 "$?"
OUT=$(agent monitor vgname=../etc)
check "a hostile vgname is a configuration error" 6 "$?"
OUT=$(agent monitor vgname=nosuch$$)
check "probe of an absent VG: not running" 7 "$?"
OUT=$(agent monitor vgname=nosuch$$ CRM_meta_interval=10000)
check "recurring monitor of an absent VG: error, never 'not running'" 1 "$?"
OUT=$(agent stop vgname=nosuch$$)
check "stop of an absent VG: success" 0 "$?"
OUT=$(agent validate-all)
check "validate-all" 0 "$?"
check "no state left behind by refusals" "" "$(ls -A "$RSC" 2>/dev/null)"

# boot-deactivate picks VGs by owner tag (vgchange -an is a no-op with activation disabled).
OUT=$("$B/lvm-vg" boot-deactivate 2>&1)
check "boot-deactivate succeeds" 0 "$?"
check_match "...and deactivates the tagged VG" "deactivated $VG" "$OUT"
OUT=$("$B/lvm-vg" boot-deactivate --tag sanha 2>&1)
check_no_match "...but not with another owner prefix" "deactivated $VG" "$OUT"
OUT=$("$B/lvm-vg" boot-deactivate --bogus 2>&1)
check "boot-deactivate usage error" 2 "$?"

# --- lvm_iostat on the live /proc/diskstats --------------------------------------------------
L=${LOOPS[0]#/dev/}
before=$("$B/lvm_iostat" -d -n "^$L\$" | cut -d: -f5)
dd if=/dev/zero of="${LOOPS[0]}" bs=1M count=4 seek=16 oflag=direct status=none
after=$("$B/lvm_iostat" -d -n "^$L\$" | cut -d: -f5)
check "-d counts exactly the 4 MiB written to $L" 4194304 "$((after - before))"
# A steady writer for ~3 s (64 KiB every 50 ms), so the 1 s interval surely sees writes.
(for i in $(seq 60); do
  dd if=/dev/zero of="${LOOPS[1]}" bs=64k count=1 seek=$i oflag=direct status=none
  sleep 0.05
done) &
DD=$!
T_PIDS+=("$DD")
sleep 0.3
OUT=$("$B/lvm_iostat" -r -c 1 -i 1 --json -n "^${LOOPS[1]#/dev/}\$")
wait "$DD"
check_match "-r --json shows the writes to ${LOOPS[1]#/dev/} as a rate" \
  "\"name\":\"${LOOPS[1]#/dev/}\",\"reads_per_s\":[0-9.]+,\"writes_per_s\":[1-9][0-9.]*" "$OUT"
OUT=$("$B/lvm_iostat" -r -c 1 -i 0.2 -n "^${LOOPS[1]#/dev/}\$")
check_match "-r prints a table" "^Device +r/s +w/s +rKiB/s +wKiB/s +await +%util" "$OUT"
OUT=$("$B/lvm_iostat" 2>&1)
check "neither -r nor -d is a usage error" 2 "$?"
OUT=$("$B/lvm_iostat" -d -n '(' 2>&1)
check "a bad regex is refused" 2 "$?"
finish
