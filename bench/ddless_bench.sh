#!/bin/bash
# Benchmarks ddless as issue 5 asks, all in one run, printing medians and ratios (this machine is
# shared and noisy: compare runs side by side, never single absolute times):
#  1. 4 GiB source, 1% of 16 KiB segments changed at random each round, page cache dropped before
#     every timed run: ddless (buffered and -d) vs the lower bound (dd to /dev/null at the same I/O
#     mode), vs rsync --inplace --no-whole-file -B16384, vs a dd full copy.
#  2. First full copy (no checksum file) vs dd (with conv=fdatasync, as durable as ddless; the
#     page-cache-only dd is printed for reference).
#  3. Peak RSS on a 64 GiB sparse source (copy to a sparse file, and checksum-only).
#  4. Digest throughput per core on 16 KiB segments (ddless --bench-hash).
# Usage: bench/ddless_bench.sh [BUILD_DIR] [ROUNDS] [SIZE_MIB]      (root, for drop_caches)
# Work files (~5 x SIZE) go to $BENCH_DIR (default /var/tmp/ddless-bench), removed at the end.
set -u
BUILD=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
ROUNDS=${2:-3}
SIZE_MIB=${3:-4096}
DDLESS=$BUILD/ddless
DIR=${BENCH_DIR:-/var/tmp/ddless-bench}
[ -x "$DDLESS" ] || { echo "build ddless first ($DDLESS)" >&2; exit 1; }
command -v rsync >/dev/null || { echo "install rsync" >&2; exit 1; }
mkdir -p "$DIR" && cd "$DIR" || exit 1
trap 'cd /; rm -rf "$DIR"' EXIT
SEGMENTS=$((SIZE_MIB * 64))
CHANGED=$((SEGMENTS / 100))

if (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  DROP="page cache dropped before each timed run"
  drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
else
  DROP="page cache NOT dropped (/proc/sys/vm/drop_caches not writable): reads are warm"
  drop() { sync; }
fi

# timed NAME CMD...: drops the cache, runs CMD (stdout to $DIR/out.NAME), appends its wall time
# in seconds to $DIR/t.NAME.
timed() {
  local name=$1 t0 t1
  shift
  drop
  t0=$EPOCHREALTIME
  "$@" >"$DIR/out.$name" 2>>"$DIR/errors" || echo "FAILED: $*" >>"$DIR/errors"
  t1=$EPOCHREALTIME
  echo "$(((${t1/./} - ${t0/./}) / 1000))" | awk '{printf "%.3f\n", $1 / 1000}' >>"t.$name"
}
median() { sort -n "t.$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# change_one_percent SEED: overwrites CHANGED random segments of src with random data.
change_one_percent() {
  python3 - "$1" "$SEGMENTS" "$CHANGED" <<'EOF'
import os, random, sys
rng = random.Random(int(sys.argv[1]))
with open("src", "r+b") as f:
    for seg in rng.sample(range(int(sys.argv[2])), int(sys.argv[3])):
        f.seek(seg * 16384)
        f.write(os.urandom(16384))
EOF
}

echo "# ddless benchmark: ${SIZE_MIB} MiB source, $CHANGED of $SEGMENTS segments (1%) changed per"
echo "# round, $ROUNDS rounds, medians; $DROP."
echo "# $(nproc) CPUs, $(uname -r), $(rsync --version | head -1)"
head -c $((SIZE_MIB * 1048576)) /dev/urandom >src
# Initial state of every incremental tool's target: a copy of the source.
"$DDLESS" -s src -c ck_b -t dst_b
"$DDLESS" -s src -c ck_d -t dst_d
cp src dst_r
cp src dst_dd

for ((r = 1; r <= ROUNDS; r++)); do
  change_one_percent "$r"
  timed lower_buffered dd if=src of=/dev/null bs=1M status=none
  timed ddless_buffered "$DDLESS" -s src -c ck_b -t dst_b --json
  WRITTEN=$(sed -n 's/.*"bytes_written":\([0-9]*\).*/\1/p' out.ddless_buffered)
  # The spot check (8 target segments read from the medium) is part of that run; its own time:
  sed -n 's/.*"spot_check_seconds":\([0-9.e-]*\).*/\1/p' out.ddless_buffered >>t.spot
  timed lower_direct dd if=src of=/dev/null bs=1M status=none iflag=direct
  timed ddless_direct "$DDLESS" -d -s src -c ck_d -t dst_d
  timed rsync rsync --inplace --no-whole-file -B16384 src dst_r
  timed dd_full dd if=src of=dst_dd bs=1M status=none conv=notrunc,fdatasync
done
# Correctness of what was timed (not timed itself).
for t in dst_b dst_d dst_r dst_dd; do cmp -s src $t || echo "MISMATCH: $t differs from src"; done
rm -f dst_r dst_dd dst_d ck_d

for ((r = 1; r <= ROUNDS; r++)); do
  rm -f ck_f dst_f
  timed first_ddless "$DDLESS" -s src -c ck_f -t dst_f
  rm -f dst_f
  timed first_dd dd if=src of=dst_f bs=1M status=none conv=fdatasync
  rm -f dst_f
  timed first_dd_nosync dd if=src of=dst_f bs=1M status=none
done
rm -f dst_f ck_f dst_b ck_b src

truncate -s 64G sparse
RSS_COPY=$(/usr/bin/time -f %M "$DDLESS" -s sparse -c sparse.ck -t sparse.dst 2>&1 >/dev/null)
RSS_SUM=$(/usr/bin/time -f %M "$DDLESS" -s sparse -c sparse2.ck 2>&1 >/dev/null)
rm -f sparse sparse.ck sparse.dst sparse2.ck

LB=$(median lower_buffered) DB=$(median ddless_buffered)
LD=$(median lower_direct) DD=$(median ddless_direct)
RS=$(median rsync) FULL=$(median dd_full)
FD=$(median first_ddless) FDD=$(median first_dd) FDN=$(median first_dd_nosync)
SPOT=$(median spot)
echo
echo "## Incremental run, 1% changed (seconds, median of $ROUNDS)"
printf '%-48s %8s\n' "lower bound: dd if=src of=/dev/null bs=1M" "$LB"
printf '%-48s %8s   %sx the lower bound (goal <= 1.15)\n' "ddless (buffered)" "$DB" "$(ratio "$DB" "$LB")"
printf '%-48s %8s\n' "lower bound: dd ... iflag=direct" "$LD"
printf '%-48s %8s   %sx the lower bound (goal <= 1.15)\n' "ddless -d (O_DIRECT)" "$DD" "$(ratio "$DD" "$LD")"
printf '%-48s %8s   ddless is %sx faster (goal >= 5)\n' "rsync --inplace --no-whole-file -B16384" "$RS" "$(ratio "$RS" "$DB")"
printf '%-48s %8s   ddless is %sx faster (goal >= 5)\n' "dd bs=1M full copy (conv=fdatasync)" "$FULL" "$(ratio "$FULL" "$DB")"
echo "ddless wrote $WRITTEN bytes per round (1% of segments = $((CHANGED * 16384)))"
echo "of which the spot check of 8 target segments took $(awk -v s="$SPOT" 'BEGIN {printf "%.1f", s * 1000}') ms" \
  "($(awk -v s="$SPOT" -v t="$DB" 'BEGIN {printf "%.2f", 100 * s / t}')% of the run)"
echo
echo "## First full copy, no checksum file (seconds, median of $ROUNDS)"
printf '%-48s %8s\n' "dd bs=1M conv=fdatasync (durable)" "$FDD"
printf '%-48s %8s   %sx dd (goal <= 1.1)\n' "ddless first copy (durable: flushes)" "$FD" "$(ratio "$FD" "$FDD")"
printf '%-48s %8s   (reference: data still in the page cache)\n' "dd bs=1M without fdatasync" "$FDN"
echo
echo "## Peak RSS, 64 GiB sparse source (goal <= 64 MiB)"
echo "copy to a sparse file:  $((RSS_COPY / 1024)) MiB"
echo "checksum-only:          $((RSS_SUM / 1024)) MiB"
echo
echo "## Digest throughput per core, 16 KiB segments (goal >= 15 GB/s)"
"$DDLESS" --bench-hash
if [ -s "$DIR/errors" ]; then
  echo
  echo "## Errors"
  cat "$DIR/errors"
fi
