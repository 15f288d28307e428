#!/bin/bash
# Builds the libFuzzer targets with clang (libsan instrumented, nothing else) and runs each one for
# a bounded time starting from its corpus in tests/data/fuzz/<target>/, after replaying every
# input of that corpus once. Fails on any crash, leak, timeout, OOM or broken property.
# Usage: tests/fuzz/run.sh [BUILD_DIR [SECONDS_PER_TARGET [TARGET...]]]
#   defaults: build-fuzz, 11 s, every target. FUZZ_KEEP=1 merges inputs that found new coverage
#   back into tests/data/fuzz/<target>/ (for long runs by hand; see docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
dir=${1:-build-fuzz}
seconds=${2:-11}
shift 2 2>/dev/null || shift $#
for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "FATAL: $tool is not installed (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
done

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
build_start=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSANHA_FUZZ=ON -DSANHA_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$dir" --target fuzzers -j"$(nproc)"
echo "fuzz build: $(($(date +%s) - build_start)) s"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$f" _fuzz.cc)
    targets+=("$name")
  done
fi

work=$(mktemp -d /tmp/sanha-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
fuzz_start=$(date +%s)
for t in "${targets[@]}"; do
  bin=$dir/fuzz-$t
  corpus=$src/tests/data/fuzz/$t
  mapfile -t inputs < <(find "$corpus" -type f | sort)
  if [ ! -x "$bin" ] || [ ${#inputs[@]} -eq 0 ]; then
    echo "FAIL $t: no binary $bin or empty corpus $corpus" >&2
    failed+=("$t")
    continue
  fi
  # 1. Regression: every input of the corpus once (crashers kept there must stay fixed).
  if ! "$bin" -runs=1 "${inputs[@]}" >"$work/$t.replay.log" 2>&1; then
    echo "FAIL $t: a corpus input fails on replay" >&2
    tail -40 "$work/$t.replay.log" >&2
    failed+=("$t")
    continue
  fi
  # 2. Bounded fuzzing from a copy of the corpus (new inputs land in the copy, not the tree).
  mkdir -p "$work/$t"
  cp "${inputs[@]}" "$work/$t/"
  dict=()
  if [ -f "tests/fuzz/$t.dict" ]; then dict=(-dict="tests/fuzz/$t.dict"); fi
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    "${dict[@]}" -print_final_stats=1 -artifact_prefix="$work/$t-" "$work/$t" \
    >"$work/$t.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
    echo "ok   $t: ${#inputs[@]} corpus inputs replayed, ${execs:-?} executions in ${seconds} s"
    if [ "${FUZZ_KEEP:-0}" = 1 ]; then
      "$bin" -merge=1 "$corpus" "$work/$t" >/dev/null 2>&1
      echo "     merged new coverage into $corpus"
    fi
  else
    echo "FAIL $t: libFuzzer found a problem:" >&2
    grep -E 'ERROR|SUMMARY|fuzz property|runtime error|Test unit written' "$work/$t.log" >&2 || true
    tail -30 "$work/$t.log" >&2
    mkdir -p "$dir/fuzz-artifacts"
    cp "$work/$t"-* "$dir/fuzz-artifacts/" 2>/dev/null || true
    echo "     reproducer(s) kept in $dir/fuzz-artifacts/ (see docs/fuzzing.md)" >&2
    failed+=("$t")
  fi
done
echo "fuzzing: ${#targets[@]} targets in $(($(date +%s) - fuzz_start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
