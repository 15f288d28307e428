#!/bin/bash
# The original's exit codes with the built binary: -m/-i stop, run the command (without a shell)
# and exit 2, and the next run resumes where the last stopped; -b exits 3 when a new checksum file
# is required; corrupt, foreign, truncated and original-ddless checksum files are refused and
# left untouched.
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
cd "$T_TMP" || exit 1

random_file src 64
cat >snap.sh <<'EOF'
#!/bin/sh
# Records each call and the resume offset ddless hands over.
echo "$1 $DDLESS_RESUME_OFFSET $DDLESS_BYTES_CHANGED" >>"$(dirname "$0")/calls"
EOF
chmod +x snap.sh

# A first copy in 10 MiB steps: 7 runs, 6 of them stopping at the limit.
RUNS=0
STOPS=()
while :; do
  RUNS=$((RUNS + 1))
  OUT=$("$DDLESS" -s src -c ck -t dst -m 0.009765625 -i "$T_TMP/snap.sh 'first copy'" --json)
  RC=$?
  [ "$RC" = 2 ] || break
  STOPS+=("$(json_field resume_at "$OUT")")
  [ "$RUNS" -lt 20 ] || break
done
check "write-limited first copy ends with exit 0" 0 "$RC"
check "it took 7 runs of at most 10 MiB" 7 "$RUNS"
check "the command ran at each stop" 6 "$(wc -l <calls)"
check "the command got its argument as one word (no shell)" 6 "$(grep -c '^first copy ' calls)"
check "each stop is 10 MiB further" "10485760 20971520 31457280 41943040 52428800 62914560" \
  "${STOPS[*]}"
check "the command saw the resume offset" "first copy 10485760 10485760" "$(head -1 calls)"
check "after the last run the target equals the source" "" "$(cmp src dst 2>&1)"

# Incremental: changes before and after a stop; the stop/resume sequence still converges.
mapfile -t SEGS < <(pick_segments 30 4096 3)
change_segments src "${SEGS[@]}"
N=0
while "$DDLESS" -s src -c ck -t dst -m 0.000125 >/dev/null; [ $? = 2 ]; do
  N=$((N + 1))
  [ "$N" -lt 100 ] || break
done
check "incremental runs with a 128 KiB limit: 30 segments in 3 stops" 3 "$N"
check "incremental resume converges" "" "$(cmp src dst 2>&1)"

# A failing command: exit 1 with its message, the state is kept and the next run continues.
change_segments src 10 2000
ERR=$("$DDLESS" -s src -c ck -t dst -m 0.00001 -i "$T_TMP/nosuch-snap" 2>&1)
check "a missing -i command: exit 1" 1 $?
check_match "a missing -i command is named" "nosuch-snap" "$ERR"
ERR=$("$DDLESS" -s src -c ck -t dst -m 0.00001 -i "false" 2>&1)
check "a failing -i command: exit 1" 1 $?
check_match "a failing -i command: its exit code is named" "exited 1" "$ERR"
"$DDLESS" -s src -c ck -t dst
check "the next run finishes" 0 $?
check "and the target equals the source" "" "$(cmp src dst 2>&1)"
"$DDLESS" -s src -c ck -t dst -m 1 -i "sh -c 'echo ran >>$T_TMP/shell'"
check "a limit that is not reached: exit 0, command not run" "0:" "$?:$(cat shell 2>/dev/null)"

# --restart ignores a resume position (e.g. a new snapshot since the stop).
change_segments src 3000 3500
"$DDLESS" -s src -c ck -t dst -m 0.00001 >/dev/null
check "a stop at the limit" 2 $?
change_segments src 1
OUT=$("$DDLESS" -s src -c ck -t dst --restart --json)
check "--restart starts at 0" 0 "$(json_field start "$OUT")"
check "--restart copy equals source" "" "$(cmp src dst 2>&1)"

# -b: exit 3 whenever a new checksum file is required, without touching anything.
"$DDLESS" -s src -c none.ck -t new-target -b 2>/dev/null
check "-b without a checksum file: exit 3" 3 $?
check "-b: the target was not created" "" "$(ls new-target 2>/dev/null)"
check "-b: no checksum file was created" "" "$(ls none.ck none.ck.ddless-new 2>/dev/null)"
cp dst dst2
"$DDLESS" -s src -c ck -t dst2 -b 2>/dev/null
check "-b with a checksum file of another target: exit 3" 3 $?
ERR=$("$DDLESS" -s src -c ck -t dst2 2>&1)
check "without -b that is an error: exit 1" 1 $?
check_match "the error names the mismatch" "made for target $T_TMP/dst, not $T_TMP/dst2" "$ERR"
head -c $((65 * 1048576)) /dev/urandom >bigger
"$DDLESS" -s bigger -c ck -t dst -b 2>/dev/null
check "-b with a source of another size: exit 3" 3 $?
check "nothing was written to the target" "" "$(cmp -n 67108864 src dst 2>&1)"

# Damaged and foreign checksum files are refused, never overwritten or reused.
refused() {  # refused NAME FILE EXPECTED_RC PATTERN
  local before err rc
  before=$(md5sum <"$2")
  err=$("$DDLESS" -s src -c "$2" -t dst 2>&1)
  rc=$?
  check "$1: exit $3" "$3" "$rc"
  check_match "$1: says why" "$4" "$err"
  check "$1: file left untouched" "$before" "$(md5sum <"$2")"
}
cp ck bad.ck
printf 'XX' | dd of=bad.ck bs=1 seek=100 conv=notrunc status=none
printf 'XX' | dd of=bad.ck bs=1 seek=4196 conv=notrunc status=none
refused "both header slots damaged" bad.ck 1 "is damaged"
cp ck torn.ck
printf 'XX' | dd of=torn.ck bs=1 seek=100 conv=notrunc status=none
"$DDLESS" -s src -c torn.ck -t dst >/dev/null
check "one damaged header slot: the other one is used" 0 $?
cp ck short.ck
truncate -s -16 short.ck
refused "truncated checksum file" short.ck 1 "is damaged"
cp /etc/services foreign.ck
refused "a foreign file" foreign.ck 1 "not a ddless checksum file.*refusing to overwrite"
head -c $((4096 * 8)) /dev/urandom >legacy.ck
refused "a checksum file of the original ddless" legacy.ck 1 "original ddless"
"$DDLESS" -s src -c legacy.ck -t dst -b 2>/dev/null
check "the original's checksum file with -b: exit 3" 3 $?
mkdir dir.ck
"$DDLESS" -s src -c dir.ck -t dst 2>/dev/null
check "a directory as checksum file: exit 1" 1 $?

# Two runs on the same checksum file at once: the second is refused.
"$DDLESS" -s src -c ck -t dst -r 50 >/dev/null 2>&1 &
PID=$!
sleep 0.3
ERR=$("$DDLESS" -s src -c ck -t dst 2>&1)
check "a concurrent run: exit 1" 1 $?
check_match "a concurrent run: says the file is in use" "in use by another ddless run" "$ERR"
wait "$PID"
check "the first run still succeeds" 0 $?
finish
