#!/bin/bash
# Re-captures host/: two samples of this host's /proc/diskstats around 4 MiB written to and
# 2 MiB read from a private loop device (O_DIRECT), reduced to that loop device's line plus the
# host's first disk, and the sysfs files lvm_iostat reads (block/NAME/dev), as ROOT/t0 and ROOT/t1
# for `lvm_iostat --root`. The loop device is renamed "loop7" in the copy so re-captures compare.
# Run as root: bash tests/data/iostat/capture_host.sh
set -eu
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
DIR=$(cd "$(dirname "$0")" && pwd)/host
WORK=$(mktemp -d /tmp/sanha-iostatcap.XXXXXX)
LOOP=""
cleanup() {
  [ -z "$LOOP" ] || losetup -d "$LOOP"
  rm -rf "$WORK"
}
trap cleanup EXIT
truncate -s 16M "$WORK/disk.img"
LOOP=$(losetup -f --show "$WORK/disk.img")
NAME=${LOOP#/dev/}
DISK=$(awk '$4 > 0 && $3 !~ /^(loop|ram|dm-)/ {print $3; exit}' /proc/diskstats)
keep() { awk -v a="$NAME" -v b="$DISK" '$3 == a || $3 == b' /proc/diskstats | sed "s/ $NAME / loop7 /"; }
rm -rf "$DIR"
mkdir -p "$DIR/t0/proc" "$DIR/t1/proc"
keep >"$DIR/t0/proc/diskstats"
dd if=/dev/zero of="$LOOP" bs=1M count=4 oflag=direct status=none
dd if="$LOOP" of=/dev/null bs=1M count=2 iflag=direct status=none
keep >"$DIR/t1/proc/diskstats"
for t in t0 t1; do
  mkdir -p "$DIR/$t/sys/block/loop7" "$DIR/$t/sys/block/$DISK"
  cp "/sys/block/$NAME/dev" "$DIR/$t/sys/block/loop7/dev"
  cp "/sys/block/$DISK/dev" "$DIR/$t/sys/block/$DISK/dev"
done
echo "captured into $DIR"
