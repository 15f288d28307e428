#!/bin/bash
# kill -9 at random moments, many times over: during the first copy, during incremental runs,
# several crashes in a row, with the source even changing back to what it was before the crashed
# run (the case the original ddless got wrong). After every crash --verify must find no stored
# digest that lies about the target; after the next complete run the target must equal the source.
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
cd "$T_TMP" || exit 1

TRIALS=${DDLESS_CRASH_TRIALS:-30}
# Small reads and commit windows: many commits per run, so kills land in every phase.
OPTS=(--read-size 256 --commit-window 8)
random_file src 128
KILLED=0
LIARS=0
RANDOM=4242

# run_and_kill MAX_MS ARGS...: starts ddless, kills it with SIGKILL after 0..MAX_MS ms.
run_and_kill() {
  local max=$1 pid rc
  shift
  "$DDLESS" "${OPTS[@]}" "$@" -s src -c ck -t dst >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % max)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rc=$?
  [ "$rc" = 137 ] && KILLED=$((KILLED + 1))
}

# check_digests: after a crash, no digest outside the interrupted window may disagree with the
# target (segments in the window are reported as unknown, not as differing).
check_digests() {
  local out
  [ -f ck ] || return 0
  out=$("$DDLESS" -c ck -t dst --verify --json 2>/dev/null)
  [ "$(json_field segments_differing "$out")" = 0 ] || {
    LIARS=$((LIARS + 1))
    echo "# after trial $1: $out"
  }
}

# The first copy, killed a few times before it is allowed to finish.
for i in 1 2 3; do
  run_and_kill 400 -r 600
  check_digests "first-$i"
done

for ((t = 1; t <= TRIALS; t++)); do
  cp src before
  mapfile -t SEGS < <(pick_segments 12 8192 "$t")
  change_segments src "${SEGS[@]}" $((t * 97 % 8192)) $((t * 97 % 8192 + 1))
  DIRECT=()
  [ $((t % 3)) = 0 ] && DIRECT=(-d)
  run_and_kill 300 "${DIRECT[@]}" -r 800
  check_digests "$t"
  # Sometimes the source goes back to what the target held before the crashed run.
  [ $((t % 4)) = 1 ] && cp before src
  # Sometimes a complete run follows at once; otherwise the next trial crashes again.
  if [ $((t % 5)) = 0 ]; then
    "$DDLESS" "${OPTS[@]}" -s src -c ck -t dst >/dev/null
    check "trial $t: complete run after the crash(es) exits 0" 0 $?
    check "trial $t: target equals source" "" "$(cmp src dst 2>&1)"
  fi
done

"$DDLESS" -s src -c ck -t dst
check "final complete run exits 0" 0 $?
check "after $TRIALS trials: target equals source" "" "$(cmp src dst 2>&1)"
"$DDLESS" -c ck -t dst --verify
check "after the final run --verify passes" 0 $?
check "no crash left a digest that lies about the target" 0 "$LIARS"
echo "# $KILLED of $((TRIALS + 3)) runs were killed mid-run"
[ "$KILLED" -ge $(((TRIALS + 3) / 2)) ] && ok "most runs were really killed ($KILLED)" ||
  not_ok "too few runs were killed mid-run ($KILLED): the timing needs adjusting"
finish
