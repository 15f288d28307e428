#!/bin/sh
# /init of the vm test tier's guest: mounts the pseudo file systems, loads the kernel modules in
# the explicit order the image builder saved, sets the host name, network and 9p share the kernel
# command line asks for (sanha_host=, sanha_net=1, sanha_share=1, sanha_modules=fw,lio), runs
# /scenario.sh with its output on the second serial port (/dev/ttyS1), reports any kernel
# Oops/BUG/WARNING, writes the exit marker and powers off (qemu runs with -no-reboot).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs -o mode=755 run /run
mount -t tmpfs tmp /tmp
mkdir -p /run/lock /run/lvm /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
OUT=/dev/ttyS1

arg() {
  for w in $(cat /proc/cmdline); do
    case $w in "sanha_$1="*) echo "${w#*=}" ;; esac
  done
}

# load_modules GROUP: insmod in the saved order; already loaded modules are skipped.
load_modules() {
  while read -r ko; do
    name=$(basename "$ko" .ko | tr - _)
    grep -q "^$name " /proc/modules || insmod "$ko" || INIT_ERROR="insmod $ko failed"
  done <"/etc/sanha/modules/$1"
}

for g in base lvm $(arg modules | tr , ' '); do load_modules "$g"; done
hostname "$(arg host)"
ip link set lo up
if [ "$(arg net)" = 1 ]; then
  # qemu's user network: the guest is 10.0.2.15, the host 10.0.2.2.
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
fi
if [ "$(arg share)" = 1 ]; then
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 share /mnt/share ||
    INIT_ERROR="cannot mount the 9p share"
fi
# Disks appear asynchronously after virtio_blk loads: wait (bounded) for the number asked for.
disks() {
  count=0
  for d in /sys/block/vd*; do [ -e "$d" ] && count=$((count + 1)); done
  echo $count
}
n=0
while [ "$(disks)" -lt "$(arg disks)" ] && [ $n -lt 50 ]; do
  sleep 0.1
  n=$((n + 1))
done
[ "$(disks)" -ge "$(arg disks)" ] || INIT_ERROR="missing virtio disks"

stty -F "$OUT" raw -echo 2>/dev/null
cd /root || exit 1
echo "SANHA-VM-BOOTED $(cut -d" " -f1 /proc/uptime)" >"$OUT"
if [ -z "${INIT_ERROR:-}" ]; then
  sh /scenario.sh >"$OUT" 2>&1 </dev/null
  rc=$?
else
  echo "init: $INIT_ERROR; the scenario did not run" >"$OUT"
  rc=1
fi
if dmesg | grep -E 'Oops|BUG:|WARNING: CPU|Call Trace|Kernel panic' >/tmp/kernel-problem; then
  {
    echo "SANHA-VM-KERNEL-PROBLEM"
    cat /tmp/kernel-problem
  } >"$OUT"
fi
sync
echo "SANHA-VM-EXIT $rc" >"$OUT"
reboot -f
