#!/bin/bash
# Re-captures guest/: two samples of /proc/diskstats taken 1 s apart in the vm tier's guest (a
# Debian kernel with device-mapper) while dd writes 4 MiB to vgc/data and reads 2 MiB from
# vgc/logs, plus the sysfs files lvm_iostat reads (block/*/dev, block/dm-*/dm/name), laid out as
# ROOT/t0/proc/diskstats, ROOT/t1/proc/diskstats and ROOT/sys/... for `lvm_iostat --root`.
# usage (root): bash tests/data/iostat/capture_guest.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../vm/vm.sh"
vm_require
SHARE=$T_TMP/share
mkdir -p "$SHARE"
chmod 777 "$SHARE"
vm_disk D1 128M
vm_run sp1 --disk "$D1" --share "$SHARE" <<'GUEST'
. /usr/lib/sanha/lib.sh
O=/mnt/share/guest
pvcreate -q /dev/vda
vgcreate -q vgc /dev/vda
lvcreate -q -an -Zn -n data -L 48M vgc
lvcreate -q -an -Zn -n logs -L 16M vgc
vgchange -q -ay vgc
lvcreate -q -s -n data_snap -L 8M vgc/data
mkdir -p $O/t0/proc $O/t1/proc
for d in /sys/block/*; do
  n=${d##*/}
  mkdir -p $O/sys/block/$n
  cp $d/dev $O/sys/block/$n/dev
  if [ -e $d/dm/name ]; then mkdir -p $O/sys/block/$n/dm && cp $d/dm/name $O/sys/block/$n/dm/name; fi
done
cat /proc/diskstats >$O/t0/proc/diskstats
dd if=/dev/zero of=/dev/vgc/data bs=1M count=4 oflag=direct 2>/dev/null
dd if=/dev/vgc/logs of=/dev/null bs=1M count=2 iflag=direct 2>/dev/null
sleep 1
cat /proc/diskstats >$O/t1/proc/diskstats
cp -r $O/sys $O/t0/ && cp -r $O/sys $O/t1/ && rm -rf $O/sys
vgchange -q -an vgc
GUEST
RC=$?
check "capture boot succeeded" 0 "$RC"
if [ "$RC" = 0 ]; then
  rm -rf "$HERE/guest"
  cp -r "$SHARE/guest" "$HERE/guest"
  ok "copied to $HERE/guest"
fi
finish
