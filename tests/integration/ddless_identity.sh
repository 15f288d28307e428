#!/bin/bash
# A checksum file vouches only for the target it was written for. After the target was deleted
# and re-created, truncated, replaced, written outside ddless or (loop device) attached to another
# file, the next run must not trust it: -b exits 3 and touches nothing; without -b ddless says so
# and starts over with a full copy, ending with target == source. Also: a source changed after a
# -m stop restarts at 0 instead of resuming.
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
require_root
require_program losetup
cd "$T_TMP" || exit 1

random_file src 16
MIB16=$((16 * 1048576))

# fresh: a first copy to dst with checksum file ck; the run after it writes nothing.
fresh() {
  rm -f dst ck
  "$DDLESS" -s src -c ck -t dst || not_ok "first copy failed"
  local out
  out=$("$DDLESS" -s src -c ck -t dst --json)
  check "$1: a second run writes nothing" 0 "$(json_field bytes_written "$out")"
}

# distrusted NAME: after the target was changed under ddless, -b exits 3 without writing, and a
# plain run says it starts over and leaves target == source.
distrusted() {
  local before err out rc
  before=$(md5sum <dst 2>/dev/null)
  err=$("$DDLESS" -s src -c ck -t dst -b 2>&1)
  rc=$?
  check "$1: -b exits 3" 3 "$rc"
  check_match "$1: -b says a new checksum file is required" "new checksum file is required" "$err"
  check "$1: -b wrote nothing" "$before" "$(md5sum <dst 2>/dev/null)"
  out=$("$DDLESS" -s src -c ck -t dst --json 2>err)
  rc=$?
  check "$1: without -b exit 0" 0 "$rc"
  check_match "$1: says it starts over" "starting over with a new checksum file" "$(cat err)"
  check "$1: full copy" "$MIB16" "$(json_field bytes_written "$out")"
  check "$1: target equals source" "" "$(cmp src dst 2>&1)"
  out=$("$DDLESS" -c ck -t dst --verify --json)
  check "$1: the new checksum file verifies" 0 "$(json_field segments_differing "$out")"
}

fresh "deleted and re-created"
rm dst
truncate -s "$MIB16" dst
distrusted "deleted and re-created (same size, zeros)"

fresh "deleted"
rm dst
distrusted "deleted (ddless would create it)"

fresh "truncated"
truncate -s 0 dst
distrusted "truncated to 0 (ddless would extend it)"

fresh "truncated and extended"
truncate -s 0 dst
truncate -s "$MIB16" dst
distrusted "truncated and extended in place"

fresh "replaced"
head -c "$MIB16" /dev/zero >other
mv other dst
distrusted "replaced by another file"

fresh "written outside ddless"
change_segments dst 7
distrusted "written outside ddless"

# A file made by checksum-only mode of the target itself (the adoption workflow) still fits.
rm -f ck
"$DDLESS" -s dst -c ck
OUT=$("$DDLESS" -s src -c ck -t dst --json)
check "adopting a target by checksum-only: exit 0" 0 "$?"
check "adopting a target by checksum-only: nothing rewritten" 0 "$(json_field bytes_written "$OUT")"

# Loop devices: another file attached to the same loop device, or content overwritten through
# the device (the spot check reads random segments and finds the zeros).
random_file lsrc.img 16
head -c "$MIB16" /dev/zero >ldst.img
head -c "$MIB16" /dev/zero >ldst2.img
new_loop LSRC lsrc.img || { not_ok "losetup"; finish; }
new_loop LDST ldst.img || { not_ok "losetup"; finish; }
"$DDLESS" -s "$LSRC" -c lck -t "$LDST"
check "loop: first copy" "" "$(cmp "$LSRC" "$LDST" 2>&1)"
losetup -d "$LDST"
losetup "$LDST" ldst2.img
ERR=$("$DDLESS" -s "$LSRC" -c lck -t "$LDST" -b 2>&1)
check "loop: another backing file: -b exits 3" 3 "$?"
check_match "loop: another backing file: says the device changed" "is another device" "$ERR"
ERR=$("$DDLESS" -s "$LSRC" -c lck -t "$LDST" 2>&1)
check "loop: another backing file: without -b exit 0" 0 "$?"
check_match "loop: another backing file: starts over" "starting over" "$ERR"
check "loop: another backing file: device equals source" "" "$(cmp "$LSRC" "$LDST" 2>&1)"
dd if=/dev/zero of="$LDST" bs=1M count=16 conv=fsync status=none
ERR=$("$DDLESS" -s "$LSRC" -c lck -t "$LDST" -b -v 2>&1)
check "loop: zeroed through the device: -b exits 3" 3 "$?"
check_match "loop: zeroed through the device: the spot check found it" "spot check.*differs" "$ERR"
"$DDLESS" -s "$LSRC" -c lck -t "$LDST" 2>/dev/null
check "loop: zeroed through the device: recopied" "" "$(cmp "$LSRC" "$LDST" 2>&1)"
ERR=$("$DDLESS" -s "$LSRC" -c lck -t "$LDST" -v --spot-check 5 2>&1)
check_match "loop: -v names the spot-checked segments" "spot check: 5 segments of .* match" "$ERR"

# -m stop, then the source changes before the stop position: the next run must not resume past
# it (it would report success with a stale segment on the target).
fresh "-m then a changed source"
change_segments src 100 900
"$DDLESS" -s src -c ck -t dst -m 0.0000152587890625 >/dev/null  # 16 KiB: stops at segment 900
RC=$?
check "-m: stopped at the limit" 2 "$RC"
change_segments src 10
ERR=$("$DDLESS" -s src -c ck -t dst -v 2>&1)
check "-m then a changed source: exit 0" 0 "$?"
check_match "-m then a changed source: says it starts at 0" "source changed since" "$ERR"
check "-m then a changed source: target equals source" "" "$(cmp src dst 2>&1)"

finish
