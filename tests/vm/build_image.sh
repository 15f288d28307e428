#!/bin/bash
# Builds the guest images of the vm test tier from the host's installed Debian packages (nothing
# is downloaded) into BUILD_DIR/vm/:
#   vmlinux     the decompressed kernel (PVH boot), from /boot/vmlinuz-KVER
#   base.cpio   busybox, lvm2, dmsetup, iptables-nft, nft, libiscsi tools, bash, dash,
#               ocf-tester with its shell library and DTD, kernel modules with an explicit
#               load order, /init; every binary with the libraries ldd lists
#   cluster.cpio  xmllint (for ocf-tester) and crm_mon with their libraries, appended on demand
#   sanha.cpio  our own built agents and tools, and the guest test library
# Each part is rebuilt only when its inputs change (key files next to it); a lock makes parallel
# scenarios wait for one build. The scenario's own cpio is appended per boot (see vm.sh).
# usage: build_image.sh BUILD_DIR [KVER]
set -u -o pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [KVER]" >&2
  exit 2
fi
BUILD=$(cd "$1" && pwd) || exit 1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
KVER=${2:-${SANHA_VM_KVER:-$(find /lib/modules -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' |
  sort -V | tail -1)}}
OUT=$BUILD/vm
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

fail() {
  echo "build_image: $*" >&2
  exit 1
}
[ -n "$KVER" ] && [ -r "/boot/vmlinuz-$KVER" ] || fail "no readable /boot/vmlinuz-$KVER (linux-image-amd64)"
[ -d "/lib/modules/$KVER" ] || fail "no /lib/modules/$KVER"

# Kernel modules, in groups loaded by /init (base, lvm, net) or on demand (load_modules GROUP).
declare -A MODGROUPS=(
  [base]="virtio_pci virtio_blk virtio_net 9pnet_virtio 9p"
  [lvm]="dm_mod dm_snapshot dm_zero"
  [fw]="nf_tables nft_compat nft_ct nft_reject_inet xt_tcpudp xt_multiport xt_comment xt_conntrack
        ipt_REJECT ip6t_REJECT"
  # iscsi_target_mod asks the crypto API for "crc32c" by name (no module dependency): load it.
  [lio]="crc32c_generic crc32c_intel configfs target_core_mod target_core_iblock target_core_file
         iscsi_target_mod"
)
HOST_PROGRAMS=(/bin/busybox /usr/sbin/lvm /usr/sbin/dmsetup /usr/sbin/xtables-nft-multi
  /usr/sbin/nft /usr/bin/iscsi-ls /usr/bin/iscsi-inq /usr/bin/iscsi-readcapacity16
  /usr/bin/bash /usr/bin/dash /usr/sbin/ocf-tester /usr/bin/flock)
# libxml2 pulls in 30 MB of ICU data: its users (xmllint for ocf-tester, crm_mon for the agents'
# fencing checks) go to a separate part, cluster.cpio, appended only to the boots that ask for it
# (vm_start --cluster).
CLUSTER_PROGRAMS=(/usr/bin/xmllint /usr/sbin/crm_mon)
PACKAGES=(busybox-static lvm2 dmsetup iptables nftables libiscsi-bin bash dash libxml2-utils
  resource-agents util-linux pacemaker-cli-utils "linux-image-$KVER")

key_of() { sha256sum | cut -c1-16; }
BASE_KEY=$( (
  cat "$HERE/build_image.sh" "$HERE/init.sh"
  echo "$KVER"
  dpkg-query -W "${PACKAGES[@]}" 2>&1
) | key_of)

# copy_file SRC [DEST]: copies SRC's content (following links) into the image root at DEST
# (default SRC) with the host's usr-merged directories resolved.
copy_file() {
  local src=$1 dest=${2:-$1} dir
  dir=$(realpath -m "$(dirname "$dest")")
  mkdir -p "$ROOT$dir"
  cp -L --preserve=mode "$src" "$ROOT$dir/$(basename "$dest")"
}
# copy_elf PATH [DEST]: the program and every library ldd lists for it (also the loader).
copy_elf() {
  copy_file "$1" "${2:-$1}"
  local lib dest
  for lib in $(ldd "$1" 2>/dev/null | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i}'); do
    dest=$(realpath -m "$(dirname "$lib")")/$(basename "$lib")
    [ -e "$ROOT$dest" ] || [ -e "${SKIP_ROOT:-/nonexistent}$dest" ] || copy_file "$lib"
  done
}

build_base() {
  ROOT=$(mktemp -d "$OUT/base-root.XXXXXX")
  trap 'rm -rf "$ROOT" "${SKIP_ROOT:-}"' EXIT
  mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,run,tmp,mnt/share,root}
  mkdir -p "$ROOT"/{var/lock,var/run,var/lib/sanha}
  local d
  for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOT/$d"; done
  local p
  for p in "${HOST_PROGRAMS[@]}"; do
    [ -e "$p" ] || fail "$p is missing; install scripts/packages.txt"
    copy_elf_or_script "$p"
  done
  # Multi-call programs: lvm and xtables-nft-multi dispatch on argv[0].
  local name
  find /usr/sbin -maxdepth 1 -lname lvm -printf '%f\n' | while read -r name; do
    ln -s lvm "$ROOT/usr/sbin/$name"
  done
  for name in iptables ip6tables iptables-save ip6tables-save iptables-restore ip6tables-restore; do
    ln -s xtables-nft-multi "$ROOT/usr/sbin/$name"
  done
  for p in /usr/lib/x86_64-linux-gnu/xtables/*.so /usr/lib/x86_64-linux-gnu/libnftables.so.1; do
    copy_elf "$p"
  done
  ln -sf dash "$ROOT/usr/bin/sh"
  # busybox supplies every other command (links only where no real program was copied).
  for name in $(/bin/busybox --list); do
    [ -e "$ROOT/usr/bin/$name" ] || [ -e "$ROOT/usr/sbin/$name" ] || ln -s busybox "$ROOT/usr/bin/$name"
  done
  # ocf-tester's shell library and DTD.
  mkdir -p "$ROOT/usr/lib/ocf/resource.d/sanha"
  cp -a /usr/lib/ocf/lib "$ROOT/usr/lib/ocf/"
  copy_file /usr/share/resource-agents/ra-api-1.dtd
  # Kernel modules: one load-order file per group, dependencies first, softdeps included
  # (busybox modprobe would ignore them).
  local group mod ko
  mkdir -p "$ROOT/etc/sanha/modules"
  for group in "${!MODGROUPS[@]}"; do
    for mod in ${MODGROUPS[$group]}; do
      modprobe -S "$KVER" --show-depends "$mod" || fail "module $mod not found for $KVER"
    done | awk '$1 == "insmod" && !seen[$2]++ {print $2}' >"$ROOT/etc/sanha/modules/$group"
    while read -r ko; do copy_file "$ko"; done <"$ROOT/etc/sanha/modules/$group"
  done
  # lvm without udev (docs/vm-tier.md); everything else at its defaults.
  mkdir -p "$ROOT/etc/lvm"
  cat >"$ROOT/etc/lvm/lvm.conf" <<'CONF'
activation {
  udev_sync = 0
  udev_rules = 0
  verify_udev_operations = 0
  monitoring = 0
}
devices {
  obtain_device_list_from_udev = 0
  external_device_info_source = "none"
  use_devicesfile = 0
}
global {
  use_lvmpolld = 0
  event_activation = 0
}
CONF
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    >"$ROOT/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
  cp "$HERE/init.sh" "$ROOT/init"
  chmod 755 "$ROOT/init"
  (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$OUT/base.cpio.tmp" ||
    fail "cpio failed"
  mv "$OUT/base.cpio.tmp" "$OUT/base.cpio"
  # The cluster part: only what the base lacks. crm_mon reads a CIB file (CIB_file=) in the
  # guest, Pacemaker's view of the nodes; it needs the schemas.
  SKIP_ROOT=$ROOT
  ROOT=$(mktemp -d "$OUT/cluster-root.XXXXXX")
  for p in "${CLUSTER_PROGRAMS[@]}"; do
    [ -e "$p" ] || fail "$p is missing; install scripts/packages.txt"
    copy_elf "$p"
  done
  mkdir -p "$ROOT/usr/share"
  cp -a /usr/share/pacemaker "$ROOT/usr/share/"
  (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) \
    >"$OUT/cluster.cpio" || fail "cpio failed"
  rm -rf "$ROOT" "$SKIP_ROOT"
  SKIP_ROOT=""
  trap - EXIT
}

# Scripts (ocf-tester) are copied as they are; ELF programs with their libraries.
copy_elf_or_script() {
  if [ "$(head -c 2 "$1")" = '#!' ]; then copy_file "$1"; else copy_elf "$1"; fi
}

if [ ! -s "$OUT/vmlinux" ] || [ "$(cat "$OUT/vmlinux.key" 2>/dev/null)" != "$KVER" ]; then
  bash "$HERE/extract_vmlinux.sh" "/boot/vmlinuz-$KVER" "$OUT/vmlinux" || fail "cannot extract vmlinux"
  echo "$KVER" >"$OUT/vmlinux.key"
fi
if [ ! -s "$OUT/base.cpio" ] || [ ! -s "$OUT/cluster.cpio" ] || [ "$(cat "$OUT/base.key" 2>/dev/null)" != "$BASE_KEY" ]; then
  build_base
  echo "$BASE_KEY" >"$OUT/base.key"
fi

# Our binaries: every agent (also installed as an OCF agent) and tool the build has produced.
SANHA_FILES=()
for dir in "$SRC"/agents/* "$SRC"/tools/*; do
  [ -x "$BUILD/$(basename "$dir")" ] && SANHA_FILES+=("$BUILD/$(basename "$dir")")
done
SANHA_KEY=$( (
  cat "$HERE/guest/lib.sh" "$HERE/build_image.sh"
  [ ${#SANHA_FILES[@]} -eq 0 ] || sha256sum "${SANHA_FILES[@]}"
) | key_of)
if [ ! -s "$OUT/sanha.cpio" ] || [ "$(cat "$OUT/sanha.key" 2>/dev/null)" != "$SANHA_KEY" ]; then
  ROOT=$(mktemp -d "$OUT/sanha-root.XXXXXX")
  trap 'rm -rf "$ROOT"' EXIT
  mkdir -p "$ROOT/usr/sbin" "$ROOT/usr/lib/ocf/resource.d/sanha" "$ROOT/usr/lib/sanha"
  for f in "${SANHA_FILES[@]}"; do
    copy_elf "$f" "/usr/sbin/$(basename "$f")"
    # Without debug information: the kernel unpacks the initramfs at ~20 MB/s under TCG.
    strip --strip-unneeded "$ROOT/usr/sbin/$(basename "$f")" || fail "cannot strip $f"
    if [ -d "$SRC/agents/$(basename "$f")" ]; then
      ln -s "/usr/sbin/$(basename "$f")" "$ROOT/usr/lib/ocf/resource.d/sanha/$(basename "$f")"
    fi
  done
  cp "$HERE/guest/lib.sh" "$ROOT/usr/lib/sanha/lib.sh"
  (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$OUT/sanha.cpio.tmp" ||
    fail "cpio failed"
  mv "$OUT/sanha.cpio.tmp" "$OUT/sanha.cpio"
  rm -rf "$ROOT"
  echo "$SANHA_KEY" >"$OUT/sanha.key"
fi
