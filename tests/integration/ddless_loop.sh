#!/bin/bash
# ddless between loop devices, counting what really reaches the target device in
# /sys/block/loopN/stat: after random changes only the changed segments are written (buffered
# and O_DIRECT), --sparse discards zero segments, a too-small target is refused.
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
require_root
require_program losetup
cd "$T_TMP" || exit 1

random_file src.img 64
head -c $((64 * 1048576)) /dev/zero >dst.img
new_loop SRC src.img || { not_ok "losetup"; finish; }
new_loop DST dst.img || { not_ok "losetup"; finish; }
echo "# source $SRC, target $DST"

# written_sectors CMD...: runs CMD and prints how many sectors were written to the target device.
written_sectors() {
  local before after
  sync
  before=$(loop_stat "$DST" 7)
  "$@" >/dev/null
  sync
  after=$(loop_stat "$DST" 7)
  echo $((after - before))
}

W=$(written_sectors "$DDLESS" -s "$SRC" -c ck -t "$DST")
check "first copy: target device equals source device" "" "$(cmp "$SRC" "$DST" 2>&1)"
check "first copy wrote the whole device" $((64 * 2048)) "$W"

W=$(written_sectors "$DDLESS" -s "$SRC" -c ck -t "$DST")
check "second run writes nothing to the device" 0 "$W"

for round in 1 2 3; do
  mapfile -t SEGS < <(pick_segments $((20 * round)) 4096 $((round * 11)))
  change_segments "$SRC" "${SEGS[@]}"
  DIRECT=()
  [ "$round" = 2 ] && DIRECT=(-d)
  W=$(written_sectors "$DDLESS" "${DIRECT[@]}" -s "$SRC" -c ck -t "$DST")
  check "round $round ${DIRECT[*]}: device equals source" "" "$(cmp "$SRC" "$DST" 2>&1)"
  check "round $round ${DIRECT[*]}: exactly the ${#SEGS[@]} changed segments reached the device" \
    $((${#SEGS[@]} * 32)) "$W"
done

# Neighbouring changed segments across a 1 MiB read boundary go down as one write request: a
# run of four costs the device as many write requests as a single changed segment (each run
# also sends one empty flush request, which the kernel counts as a write).
write_requests() {
  local before
  sync
  before=$(loop_stat "$DST" 5)
  "$DDLESS" -d -s "$SRC" -c ck -t "$DST" >/dev/null
  sync
  echo $(($(loop_stat "$DST" 5) - before))
}
change_segments "$SRC" 300
ONE=$(write_requests)
change_segments "$SRC" 62 63 64 65
check "four neighbours across a read boundary: as few requests as one segment" "$ONE" \
  "$(write_requests)"
check "and the device equals the source" "" "$(cmp "$SRC" "$DST" 2>&1)"

OUT=$("$DDLESS" -c ck -t "$DST" --verify --json)
check "verify on the device" "0" "$(json_field segments_differing "$OUT")"

# --sparse: zero segments are deallocated on the target device (the loop driver punches holes in
# its backing file) instead of written.
dd if=/dev/zero of="$SRC" bs=16384 seek=100 count=8 conv=notrunc status=none
ALLOC=$(stat -c %b dst.img)
OUT=$("$DDLESS" -s "$SRC" -c ck -t "$DST" --sparse --json)
check "--sparse: zero segments not written" 0 "$(json_field bytes_written "$OUT")"
check "--sparse: they were deallocated instead" $((8 * 16384)) "$(json_field bytes_deallocated "$OUT")"
sync
FREED=$((ALLOC - $(stat -c %b dst.img)))  # 512-byte units; a new extent block may cost 8
[ "$FREED" -ge 240 ] && [ "$FREED" -le 256 ] && ok "--sparse: the backing file lost ~128 KiB" ||
  not_ok "--sparse: the backing file should lose ~128 KiB of allocation (freed $FREED sectors)"
check "--sparse: the device reads back equal" "" "$(cmp "$SRC" "$DST" 2>&1)"

# Without --sparse a block device gets zeros written.
dd if=/dev/zero of="$SRC" bs=16384 seek=200 count=2 conv=notrunc status=none
W=$(written_sectors "$DDLESS" -s "$SRC" -c ck -t "$DST")
check "zero segments are written to a block device by default" 64 "$W"

# A smaller target device is refused, and nothing is written to it.
head -c $((32 * 1048576)) /dev/zero >small.img
new_loop SMALL small.img
ERR=$("$DDLESS" -s "$SRC" -c sck -t "$SMALL" 2>&1)
check "smaller target device: exit 1" 1 $?
check_match "smaller target device: says so" "is smaller than the source" "$ERR"
check "smaller target device: no checksum file made" "" "$(ls sck 2>/dev/null)"

# Zones on a device, with O_DIRECT.
ZONES=$("$DDLESS" -d -s "$SRC")
check "zones on a device with -d" 4 "$(printf '%s\n' "$ZONES" | grep -vc '^#')"
finish
