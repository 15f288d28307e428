#!/bin/bash
# ddless on regular files, end to end with the built binary: first copy equals the source,
# incremental runs write exactly the changed segments, checksum-only adoption, --verify, holes for
# zero segments, O_DIRECT, an unaligned source size, zones, -p, --json, -vv, and the progress line
# (shown on a terminal only).
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
cd "$T_TMP" || exit 1

random_file src 64
OUT=$("$DDLESS" -s src -c ck -t dst --json 2>err)
check "first copy exits 0" 0 $?
check "first copy: target equals source" "" "$(cmp src dst 2>&1)"
check "first copy writes every byte" 67108864 "$(json_field bytes_written "$OUT")"
check "first copy creates the checksum file" true "$(json_field checksum_created "$OUT")"
check "checksum file is header + 16 bytes per segment" $((8192 + 4096 * 16)) "$(stat -c %s ck)"
check "checksum file is private" 600 "$(stat -c %a ck)"
check "no temporary checksum file left" "" "$(ls ck.ddless-new 2>/dev/null)"
check "nothing on stderr without -v (not a terminal: no progress line)" "" "$(cat err)"

OUT=$("$DDLESS" -s src -c ck -t dst --json)
check "unchanged source: nothing written" 0 "$(json_field bytes_written "$OUT")"
check "unchanged source: every segment looked at" 4096 "$(json_field segments "$OUT")"

mapfile -t SEGS < <(pick_segments 40 4096 7)
change_segments src "${SEGS[@]}"
change_segments src 1000 1001 1002  # a run of three neighbours
UNIQUE=$(printf '%s\n' "${SEGS[@]}" 1000 1001 1002 | sort -un | wc -l)
OUT=$("$DDLESS" -s src -c ck -t dst --json)
check "incremental copy: target equals source" "" "$(cmp src dst 2>&1)"
check "incremental copy: changed segments counted" "$UNIQUE" "$(json_field segments_changed "$OUT")"
check "incremental copy: only changed segments written" $((UNIQUE * 16384)) \
  "$(json_field bytes_written "$OUT")"
WRITES=$(json_field write_ops "$OUT")
if [ "$WRITES" -lt "$UNIQUE" ]; then
  ok "neighbours coalesced ($WRITES writes for $UNIQUE segments)"
else
  not_ok "neighbours not coalesced ($WRITES writes for $UNIQUE segments)"
fi

OUT=$("$DDLESS" -c ck -t dst --verify --json)
check "verify of a good copy exits 0" 0 $?
check "verify checked every segment" 4096 "$(json_field segments_checked "$OUT")"
printf 'x' | dd of=dst bs=1 seek=5000000 conv=notrunc status=none
OUT=$("$DDLESS" -c ck -t dst --verify --json 2>err)
check "verify of a damaged copy exits 1" 1 $?
check "verify names the damaged segment" "$((5000000 / 16384 * 16384))" \
  "$(printf '%s' "$OUT" | sed -n 's/.*"first_differences":\[\([0-9]*\).*/\1/p')"
check_match "verify explains on stderr" "1 of 4096 segments of dst differ" "$(cat err)"
cp src dst
# That repair wrote to the target outside ddless (its mtime changed): the checksum file is no
# longer trusted, the next run starts over.
ERR=$("$DDLESS" -s src -c ck -t dst 2>&1)
check_match "a target written outside ddless: the next run starts over" \
  "modified since ddless last wrote it.*starting over" "$ERR"

# Adopting an existing copy: checksum-only mode on the target, then copy: nothing rewritten.
cp src copy2
change_segments src 77
"$DDLESS" -s copy2 -c ck2
check "checksum-only mode exits 0" 0 $?
OUT=$("$DDLESS" -s src -c ck2 -t copy2 --json)
check "adopted copy: only the one changed segment written" 16384 "$(json_field bytes_written "$OUT")"
check "adopted copy equals source" "" "$(cmp src copy2 2>&1)"

# Zero segments on a file target become holes.
random_file zsrc 16
dd if=/dev/zero of=zsrc bs=1M seek=4 count=8 conv=notrunc status=none
OUT=$("$DDLESS" -s zsrc -c zck -t zdst --json)
check "zero source ranges: copy equals source" "" "$(cmp zsrc zdst 2>&1)"
check "zero segments are deallocated, not written" 8388608 "$(json_field bytes_deallocated "$OUT")"
ALLOC=$(stat -c '%b*%B' zdst | bc)
if [ "$ALLOC" -le $((9 * 1048576)) ]; then
  ok "target file is sparse ($ALLOC bytes allocated)"
else
  not_ok "target file not sparse ($ALLOC bytes allocated)"
fi
dd if=/dev/zero of=zsrc bs=16384 seek=1 count=2 conv=notrunc status=none
OUT=$("$DDLESS" -s zsrc -c zck -t zdst --json)
check "segments that became zero are punched" 32768 "$(json_field bytes_deallocated "$OUT")"
check "and the copy still equals the source" "" "$(cmp zsrc zdst 2>&1)"

# O_DIRECT and a size that is not a multiple of the segment (or sector) size.
head -c $((5 * 1048576 + 1234)) /dev/urandom >odd
"$DDLESS" -d -s odd -c ock -t odst
check "-d with an unaligned size exits 0" 0 $?
check "-d copy equals source" "" "$(cmp odd odst 2>&1)"
printf 'tail' | dd of=odd bs=1 seek=$((5 * 1048576 + 1230)) conv=notrunc status=none
OUT=$("$DDLESS" -d -s odd -c ock -t odst --json)
check "-d: the short last segment is written alone" 1234 "$(json_field bytes_written "$OUT")"
check "-d incremental copy equals source" "" "$(cmp odd odst 2>&1)"

# A bigger existing target file keeps its extra bytes; a smaller one is extended.
head -c $((70 * 1048576)) /dev/zero >big
"$DDLESS" -s src -c bigck -t big
check "a larger target file keeps its size" $((70 * 1048576)) "$(stat -c %s big)"
check "and starts with the source" "" "$(cmp -n 67108864 src big 2>&1)"

# Other modes, verbosity, hash choice.
ZONES=$("$DDLESS" -s src)
check "zones mode exits 0" 0 $?
check_match "zones mode prints a table" "^# +offset +length +MB/s" "$ZONES"
check "zones cover the source (64 MiB: 4 zones of 16 MiB)" 4 "$(printf '%s\n' "$ZONES" | grep -vc '^#')"
check_match "-p prints the segment size" "segment_size: 16384" "$("$DDLESS" -p)"
change_segments src 5  # and 77, changed above for the adoption test
ERR=$("$DDLESS" -s src -c ck -t dst -vv 2>&1 >/dev/null)
check_match "-vv logs every write" "debug: wrote 16 KiB at 81920" "$ERR"
check_match "-v logs a summary" "2 of 4096 segments changed, wrote 32 KiB" "$ERR"
OUT=$("$DDLESS" -s src -c x3ck -t x3dst --hash xxh3 --json)
check "--hash xxh3 works" ok "$(json_field status "$OUT")"
"$DDLESS" -s src -c x3ck -t x3dst --hash xxh128 -b 2>/dev/null
check "--hash different from the file's: exit 3 with -b" 3 $?

# The progress line appears on a terminal (script gives ddless a pty), and only there.
if command -v script >/dev/null; then
  change_segments src 9
  TTY=$(script -qec "$DDLESS -s src -c ck -t dst -r 64" /dev/null)
  check_match "progress line on a terminal" "changed .* ETA" "$TTY"
else
  ok "SKIP progress on a terminal: script(1) not installed"
fi
check "source and target still equal" "" "$(cmp src dst 2>&1)"
finish
