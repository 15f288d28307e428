# Helpers shared by tests/integration/ddless_*.sh and bench/ddless_bench.sh (sourced after
# tests/lib.sh). Not a test itself: it lives outside tests/integration/ so CTest ignores it.

DDLESS=${DDLESS:-$SANHA_BUILD/ddless}
SEG=16384

# random_file PATH MIB: PATH filled with MIB MiB of random data.
random_file() {
  head -c "$(($2 * 1048576))" /dev/urandom >"$1"
}

# pick_segments COUNT TOTAL SEED: COUNT distinct segment numbers below TOTAL, sorted.
pick_segments() {
  local count=$1 total=$2 seen=() n=0 s
  RANDOM=$3
  declare -A have=()
  while [ "$n" -lt "$count" ]; do
    s=$(((RANDOM * 32768 + RANDOM) % total))
    [ -n "${have[$s]:-}" ] && continue
    have[$s]=1
    seen+=("$s")
    n=$((n + 1))
  done
  printf '%s\n' "${seen[@]}" | sort -n
}

# change_segments FILE SEGMENT...: overwrites each 16 KiB segment with new random data.
change_segments() {
  local file=$1 s
  shift
  for s in "$@"; do
    head -c $SEG /dev/urandom | dd of="$file" bs=$SEG seek="$s" conv=notrunc status=none
  done
}

# json_field NAME JSON: the value of a numeric or string field of ddless --json output.
json_field() {
  printf '%s' "$2" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# loop_stat DEVICE FIELD: a field of /sys/block/loopN/stat (5 = write I/Os, 7 = write sectors,
# 12 = discard I/Os, 14 = discard sectors).
loop_stat() {
  awk -v f="$2" '{print $f}' "/sys/block/$(basename "$1")/stat"
}

# new_loop VAR FILE: attaches FILE to a free loop device, stores it in VAR and detaches it again
# on exit. (Not "$(new_loop)": a command substitution's subshell would lose the cleanup.)
new_loop() {
  local dev
  dev=$(losetup -f --show "$2") || return 1
  on_exit "losetup -d $dev"
  printf -v "$1" '%s' "$dev"
}
