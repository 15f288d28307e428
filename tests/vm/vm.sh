# shellcheck shell=bash disable=SC2054 # (qemu options are comma lists)
# Host side of the vm test tier (sourced by tests/vm/scenarios/*.sh after their shebang; $1 is
# the build directory). Boots the host's Debian kernel under qemu TCG with the image of
# build_image.sh plus a per-boot cpio holding the scenario's guest script, collects the guest's
# output from the second serial port, and turns it into an exit code. Several boots may share a
# disk image (the two storage processors seeing the same disks); a boot may forward a host port to
# the guest's 3260 and share a host directory over 9p. qemu processes are killed by pid and
# every image is removed on exit (tests/lib.sh cleanup).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
VM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_IMAGES=$SANHA_BUILD/vm
VM_TIMEOUT=${SANHA_VM_TIMEOUT:-240}
declare -A VM_PID VM_DIR VM_DEADLINE VM_T0 VM_BOOT

# vm_require: root (the tier reads /boot and /lib/modules like the CI's root), qemu and the image.
vm_require() {
  require_root
  require_program qemu-system-x86_64
  require_program cpio
  require_program busybox
  bash "$VM_HERE/build_image.sh" "$SANHA_BUILD" || exit 1
}

# vm_disk VAR SIZE: a sparse raw disk image (removed on exit); its path goes to VAR.
vm_disk() {
  local path
  path=$(mktemp "$T_TMP/disk.XXXXXX")
  truncate -s "$2" "$path"
  printf -v "$1" '%s' "$path"
}

# vm_free_port VAR: a TCP port nobody listens on at 127.0.0.1 (for --fwd).
vm_free_port() {
  local port
  for ((port = 20000 + $$ % 20000; port < 65000; port += 97)); do
    if [ -z "$(ss -Htln "sport = :$port")" ]; then
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  return 1
}

# vm_start NAME [--disk IMG]... [--fwd HOSTPORT] [--share DIR] [--modules fw,lio] [--cluster]
#          [--timeout S]
#   Boots a guest named NAME (its host name too) in the background running the guest script read
#   from stdin. The guest sources /usr/lib/sanha/lib.sh itself. --cluster adds xmllint (for
#   ocf-tester) and crm_mon (for pacemaker_view), 49 MB the other boots need not unpack.
vm_start() {
  local name=$1 disks=() fwd="" share="" modules="" timeout=$VM_TIMEOUT parts=()
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --cluster)
        parts+=("$VM_IMAGES/cluster.cpio")
        shift
        continue
        ;;
      --disk) disks+=("$2") ;;
      --fwd) fwd=$2 ;;
      --share) share=$2 ;;
      --modules) modules=$2 ;;
      --timeout) timeout=$2 ;;
      *)
        echo "vm_start: unknown option $1" >&2
        return 2
        ;;
    esac
    shift 2
  done
  local dir="$T_TMP/vm-$name"
  rm -rf "$dir"
  mkdir -p "$dir/root"
  cat >"$dir/root/scenario.sh"
  (cd "$dir/root" && echo scenario.sh | cpio -o -H newc --quiet) >"$dir/scenario.cpio"
  cat "$VM_IMAGES/base.cpio" "${parts[@]}" "$VM_IMAGES/sanha.cpio" "$dir/scenario.cpio" \
    >"$dir/initrd"
  local args=(-accel tcg -cpu max -smp 1 -m 1024 -nographic -nodefaults -no-reboot
    -monitor none -serial "file:$dir/console.log" -serial "file:$dir/out.log"
    -kernel "$VM_IMAGES/vmlinux" -initrd "$dir/initrd")
  local cmdline="console=ttyS0 quiet panic=-1 ${SANHA_VM_APPEND:-}sanha_host=$name sanha_disks=${#disks[@]}"
  local i
  for i in "${!disks[@]}"; do
    # No image locking: a second boot may hold the same image (shared storage).
    args+=(-drive "file=${disks[$i]},if=virtio,format=raw,cache=unsafe,file.locking=off,discard=unmap,detect-zeroes=unmap")
  done
  if [ -n "$fwd" ]; then
    args+=(-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$fwd-:3260" -device virtio-net-pci,netdev=n0)
    cmdline+=" sanha_net=1"
  fi
  if [ -n "$share" ]; then
    args+=(-fsdev "local,id=fs0,path=$share,security_model=none"
      -device virtio-9p-pci,fsdev=fs0,mount_tag=share)
    cmdline+=" sanha_share=1"
  fi
  [ -z "$modules" ] || cmdline+=" sanha_modules=$modules"
  : >"$dir/out.log"
  VM_DIR[$name]=$dir
  VM_T0[$name]=$(date +%s.%N)
  VM_DEADLINE[$name]=$(($(date +%s) + timeout))
  local qemu_pid # (not "pid": bg has a local of that name)
  # shellcheck disable=SC2217 # bg is tests/lib.sh's background starter
  bg qemu_pid qemu-system-x86_64 "${args[@]}" -append "$cmdline" </dev/null >"$dir/qemu.log" 2>&1
  VM_PID[$name]=$qemu_pid
}

# vm_output NAME: the guest's output so far, without carriage returns.
vm_output() { tr -d '\r' <"${VM_DIR[$1]}/out.log"; }

# vm_poll NAME: notes (host clock) when the guest's /init reached the scenario.
vm_poll() {
  [ -z "${VM_BOOT[$1]:-}" ] && grep -q SANHA-VM-BOOTED "${VM_DIR[$1]}/out.log" &&
    VM_BOOT[$1]=$(awk -v a="${VM_T0[$1]}" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  return 0
}

# vm_wait_signal NAME SIGNAL: waits until the guest's output shows signal_host SIGNAL (0) or the
# guest ends or its deadline passes (1).
vm_wait_signal() {
  while ! vm_output "$1" | grep -qx "SANHA-VM-SIGNAL $2"; do
    vm_poll "$1"
    kill -0 "${VM_PID[$1]}" 2>/dev/null && [ "$(date +%s)" -lt "${VM_DEADLINE[$1]}" ] || return 1
    sleep 0.2
  done
}

# vm_wait NAME: waits for the guest to end, prints its output prefixed with [NAME] and returns the
# scenario's exit code; 124 on timeout (qemu killed), 125 on a kernel Oops/BUG/WARNING or a guest
# that ended without its exit marker.
vm_wait() {
  local name=$1 pid=${VM_PID[$1]} dir=${VM_DIR[$1]} rc
  while kill -0 "$pid" 2>/dev/null; do
    vm_poll "$name"
    if [ "$(date +%s)" -ge "${VM_DEADLINE[$name]}" ]; then
      kill -9 "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      vm_output "$name" | sed "s/^/[$name] /"
      echo "[$name] TIMEOUT: the guest did not finish; console tail:"
      tr -d '\r' <"$dir/console.log" | tail -20 | awk -v p="[$name console] " '{print p $0}'
      return 124
    fi
    sleep 0.2
  done
  wait "$pid" 2>/dev/null
  local secs
  secs=$(awk -v a="${VM_T0[$name]}" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
  vm_output "$name" | grep -vE '^SANHA-VM-(EXIT|BOOTED) ' | sed "s/^/[$name] /"
  rc=$(vm_output "$name" | sed -n 's/^SANHA-VM-EXIT \([0-9]*\)$/\1/p' | tail -1)
  if tr -d '\r' <"$dir/console.log" | grep -qE 'Oops|BUG:|Kernel panic|Call Trace' ||
    vm_output "$name" | grep -qx SANHA-VM-KERNEL-PROBLEM; then
    echo "[$name] KERNEL PROBLEM; console:"
    tr -d '\r' <"$dir/console.log" | tail -40 | awk -v p="[$name console] " '{print p $0}'
    return 125
  fi
  if [ -z "$rc" ]; then
    echo "[$name] the guest ended without its exit marker; console and qemu log:"
    tr -d '\r' <"$dir/console.log" | tail -20 | awk -v p="[$name console] " '{print p $0}'
    awk -v p="[$name qemu] " '{print p $0}' "$dir/qemu.log"
    return 125
  fi
  printf '[%s] guest exit %s after %.1f s (qemu start to scenario %s s)\n' "$name" "$rc" \
    "$secs" "${VM_BOOT[$name]:-?}"
  return "$rc"
}

# vm_run NAME [vm_start options]: vm_start and vm_wait (guest script on stdin).
vm_run() {
  vm_start "$@" || return $?
  vm_wait "$1"
}
