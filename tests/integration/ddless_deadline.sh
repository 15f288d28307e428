#!/bin/bash
# --deadline and SIGTERM with the built binary: a copy stops at a committed point (exit 4, the
# target equal to the source up to resume_at, the checksum file partial), the next run resumes
# exactly there, and a series of cut-short runs converges to target == source, for a first copy
# and an incremental one. Bad --deadline values are refused before anything is created; modes
# other than a copy keep the default SIGTERM.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/data/ddless/lib.bash
source "$SANHA_SRC/tests/data/ddless/lib.bash"
cd "$T_TMP" || exit 1

random_file src 64
SIZE=$((64 * 1048576))
# -r 40 makes a full pass take at least 1.5 s, so a 0.5 s deadline always cuts it short.
TUNING=(-r 40 --read-size 256 --commit-window 4)

# runs_until_done LABEL RESUME: runs ddless with --deadline 0.5 until exit 0; checks that each
# run resumed where the last one stopped (the first at RESUME) and that the target held the
# source up to each stop.
runs_until_done() {
  local label=$1 resume=$2 runs=0 out rc start stop
  while :; do
    runs=$((runs + 1))
    out=$("$DDLESS" -s src -c ck -t dst "${TUNING[@]}" --deadline 0.5 --json 2>err)
    rc=$?
    start=$(json_field start "$out")
    [ "$start" = "$resume" ] || not_ok "$label: run $runs started at $start, not $resume"
    [ "$rc" = 4 ] || break
    stop=$(json_field resume_at "$out")
    if [ "$((stop % SEG))" != 0 ] || [ "$stop" -le "$start" ] || [ "$stop" -ge "$SIZE" ]; then
      not_ok "$label: run $runs stopped at $stop"
    fi
    cmp -n "$stop" src dst >/dev/null || not_ok "$label: the target differs before $stop"
    [ "$(json_field status "$out")" = deadline ] || not_ok "$label: status of run $runs: $out"
    resume=$stop
    [ "$runs" -lt 60 ] || break
  done
  check "$label: the last run exits 0" 0 "$rc"
  if [ "$runs" -gt 1 ]; then ok "$label: $runs runs"; else not_ok "$label: no run was cut short"; fi
  check "$label: the target equals the source" "" "$(cmp src dst 2>&1)"
}

# A first copy, one deadline-stopped run looked at closely.
OUT=$("$DDLESS" -s src -c ck -t dst "${TUNING[@]}" --deadline 0.5 --json 2>err)
check "a first copy past its deadline: exit 4" 4 $?
check "--json says deadline" deadline "$(json_field status "$OUT")"
check_match "stderr says where it stopped and that the next run resumes" \
  "the --deadline passed: stopped at offset [0-9]+ with the copy state committed; the next run resumes there" \
  "$(cat err)"
STOP=$(json_field resume_at "$OUT")
cmp -n "$STOP" src dst >/dev/null
check "the target holds the source up to resume_at ($STOP)" 0 $?
V=$("$DDLESS" -c ck -t dst --verify --json 2>/dev/null)
check "--verify: the copy is incomplete (exit 1)" 1 $?
check "--verify: the file is partial" incomplete "$(json_field status "$V")"
check "--verify: nothing before the stop differs" 0 "$(json_field segments_differing "$V")"
OUT=$("$DDLESS" -s src -c ck -t dst "${TUNING[@]}" --deadline 0.5 --json 2>/dev/null)
check "the next run resumes at the stop" "$STOP" "$(json_field start "$OUT")"
runs_until_done "first copy" "$(json_field resume_at "$OUT")"
"$DDLESS" -c ck -t dst --verify >/dev/null 2>&1
check "--verify after the last run: exit 0" 0 $?

# Incremental: changes everywhere, then cut-short runs again.
mapfile -t SEGS < <(pick_segments 200 4096 5)
change_segments src "${SEGS[@]}"
runs_until_done "incremental" 0

# SIGTERM during a copy: the same committed stop, status "stopped".
mapfile -t SEGS < <(pick_segments 50 4096 6)
change_segments src "${SEGS[@]}"
"$DDLESS" -s src -c ck -t dst -r 20 --json -v >out 2>err &
PID=$!
on_exit "kill -9 $PID"
for _ in $(seq 200); do
  grep -q "spot check" err && break  # the handler is installed before the spot check
  sleep 0.05
done
kill -TERM "$PID"
wait "$PID"
check "SIGTERM during a copy: exit 4" 4 $?
OUT=$(cat out)
check "--json says stopped" stopped "$(json_field status "$OUT")"
check_match "stderr says the stop was requested" "stop requested: stopped at offset" "$(cat err)"
STOP=$(json_field resume_at "$OUT")
cmp -n "$STOP" src dst >/dev/null
check "after SIGTERM the target holds the source up to resume_at ($STOP)" 0 $?
OUT=$("$DDLESS" -s src -c ck -t dst --json 2>/dev/null)
check "the run after SIGTERM exits 0" 0 $?
check "and resumed at the stop" "$STOP" "$(json_field start "$OUT")"
check "after SIGTERM and a resumed run the target equals the source" "" "$(cmp src dst 2>&1)"

# A source file changed before the stop position after a deadline stop: the next run must not
# resume (it would skip the change), it starts at 0 and says so.
change_segments src 1 2 3
OUT=$("$DDLESS" -s src -c ck -t dst "${TUNING[@]}" --deadline 0.5 --json 2>/dev/null)
check "a deadline stop before the source changes: exit 4" 4 $?
STOP=$(json_field resume_at "$OUT")
change_segments src 0
OUT=$("$DDLESS" -s src -c ck -t dst --json 2>err)
check "the run after the source changed: exit 0" 0 $?
check "it started at 0, not at $STOP" 0 "$(json_field start "$OUT")"
check_match "it says why" "the source changed since the last run stopped early" "$(cat err)"
check "the change before the stop was copied" "" "$(cmp src dst 2>&1)"

# Checksum-only mode cannot stop resumably: SIGTERM keeps killing it.
"$DDLESS" -s src -c only.ck -r 5 &
PID=$!
on_exit "kill -9 $PID"
kill -TERM "$PID"
wait "$PID"
check "checksum-only mode: SIGTERM kills (exit 143)" 143 $?

# Refusals: one line, exit 1, nothing created.
for bad in 0 -1 abc 1e3 10s ""; do
  ERR=$("$DDLESS" -s src -c new.ck -t new.img --deadline "$bad" 2>&1)
  check "--deadline '$bad': exit 1" 1 $?
  check_match "--deadline '$bad': named" "--deadline" "$ERR"
done
ERR=$("$DDLESS" -s src -c new.ck --deadline 5 2>&1)
check "--deadline in checksum-only mode: exit 1" 1 $?
check_match "--deadline in checksum-only mode: why" "does not apply to checksum-only" "$ERR"
check "a refused --deadline creates nothing" "" "$(ls new.ck new.img 2>/dev/null)"
finish
