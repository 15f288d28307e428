#!/bin/bash
# sanha-drill-writer against a real tgtd in a network namespace, the initiator in another:
# it writes, tgtd is SIGKILLed and restarted on the same backing file mid-run, the writer
# reconnects by itself and carries on; verify passes through iSCSI and on the backing file. Then
# verify must fail on a damaged block, an older version of an acknowledged block and a blank one,
# refuse a malformed log, and accept the log of a writer killed by SIGKILL; a writer whose target
# vanished without a reset, or whose own network became unreachable, still stops on SIGTERM.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../support/tgtd_testbed.sh"
W=$SANHA_BUILD/sanha-drill-writer
[ -x "$W" ] || {
  echo "FATAL: $W is not built" >&2
  exit 1
}
TARGET=$IQN:drill
URL=iscsi://192.0.2.1/$TARGET/1
INITIATOR=iqn.2024-01.test:drill-writer
BACK=$T_TMP/lun.img
BS=4096
truncate -s 4M "$BACK"

# The target, as tgtd holds it only in memory: created again after each tgtd start.
make_target() {
  tgtadm --lld iscsi --op new --mode target --tid 1 -T "$TARGET" &&
    tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$BACK" &&
    tgtadm --lld iscsi --op bind --mode target --tid 1 -I 192.0.2.2
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# wait_lines LOG N PID: until LOG has N lines (the writer PID still running); bounded.
wait_lines() {
  for _ in $(seq 600); do
    [ "$(lines "$1")" -ge "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# (The writers are started with `ip netns exec`, which execs: the recorded pid is the writer's.)
# verify ARGS...: sets RC and OUT (stdout and stderr).
verify() {
  OUT=$(in_cli "$W" verify --initiator-name "$INITIATOR" "$@" 2>&1)
  RC=$?
}
# Byte offset of block LBA in the backing file.
offset() { echo $(($1 * BS)); }

start_tgtd
make_target || exit 1

# --- run 1: write, restart tgtd under it, stop with SIGTERM --------------------------------------
LOG=$T_TMP/run1.log
bg WRITER ip netns exec "$CLI" "$W" write --url "$URL" --log "$LOG" --region-blocks 64 --interval-ms 2 \
  --initiator-name "$INITIATOR" 2>"$T_TMP/run1.err"
wait_lines "$LOG" 100 "$WRITER"
check "the writer logs acknowledged writes" 0 "$?"

kill -9 "$TGTD"
wait "$TGTD" 2>/dev/null
at_kill=$(lines "$LOG")
cp "$BACK" "$T_TMP/before-restart.img"  # older versions of every block, for the lost check
sleep 0.5                               # the writer meets a refused connection first
start_tgtd
make_target || exit 1
wait_lines "$LOG" $((at_kill + 200)) "$WRITER"
check "after tgtd was killed and restarted the writer carries on" 0 "$?"
kill -TERM "$WRITER"
wait "$WRITER"
check "the writer stops on SIGTERM with exit 0" 0 "$?"
ERR=$(cat "$T_TMP/run1.err")
check_match "libiscsi reconnected by itself" "reconnect was successful" "$ERR"
check_match "the writer counts the reconnect" "[1-9][0-9]* reconnects" "$ERR"
check "no error reached the writer (the write in flight was re-sent)" 0 \
  "$(awk '$5 != "ok"' "$LOG" | wc -l)"
check "LBA is seq mod 64 on every line" 0 "$(awk '$2 != $1 % 64' "$LOG" | wc -l)"

verify --log "$LOG" --url "$URL"
check "verify through iSCSI passes" 0 "$RC"
check_match "...every acknowledged write intact" "PASS: every acknowledged write is intact" "$OUT"
check_match "...with the acknowledged count of the log" "acked $(lines "$LOG")  lost 0  corrupt 0  errors 0" "$OUT"
check_match "...and the longest gap between acks" "longest gap between acks [0-9]+\.[0-9]{6} s from" "$OUT"
verify --log "$LOG" --file "$BACK" --json
check "verify on the backing file passes" 0 "$RC"
check "...--json says passed, 64 LBAs checked" "True 64 0 0" \
  "$(printf '%s' "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["passed"], j["lbas_checked"], j["lost"], j["corrupt"])')"

# --- verify must fail: damage copies of the backing file -----------------------------------------
last_lba=$(tail -1 "$LOG" | cut -d' ' -f2)
cp "$BACK" "$T_TMP/flipped.img"
printf 'Z' | dd of="$T_TMP/flipped.img" bs=1 seek=$(($(offset "$last_lba") + 1000)) conv=notrunc 2>/dev/null
verify --log "$LOG" --file "$T_TMP/flipped.img"
check "one changed byte in an acknowledged block: verify fails" 1 "$RC"
check_match "...naming the block" "CORRUPT lba $last_lba: checksum mismatch" "$OUT"

cp "$BACK" "$T_TMP/older.img"
dd if="$T_TMP/before-restart.img" of="$T_TMP/older.img" bs=$BS skip="$last_lba" seek="$last_lba" \
  count=1 conv=notrunc 2>/dev/null
verify --log "$LOG" --file "$T_TMP/older.img"
check "an older version of an acknowledged block: verify fails" 1 "$RC"
check_match "...as lost" "LOST +lba $last_lba: last acknowledged seq [0-9]+, found seq [0-9]+" "$OUT"

cp "$BACK" "$T_TMP/blank.img"
dd if=/dev/zero of="$T_TMP/blank.img" bs=$BS seek="$last_lba" count=1 conv=notrunc 2>/dev/null
verify --log "$LOG" --file "$T_TMP/blank.img"
check "a zeroed acknowledged block: verify fails" 1 "$RC"
check_match "...as lost" "LOST +lba $last_lba: .*found no block" "$OUT"

head -c -1 "$LOG" >"$T_TMP/truncated.log"
verify --log "$T_TMP/truncated.log" --file "$BACK"
check "a log cut inside its last line is refused (exit 2)" 2 "$RC"
check_match "...with the line number" "log line $(lines "$LOG"): no newline at the end" "$OUT"
{ head -3 "$LOG"; echo "3 3 1.000000 0.000001 ok"; } >"$T_TMP/bad.log"
verify --log "$T_TMP/bad.log" --file "$BACK"
check "a malformed line is refused (exit 2)" 2 "$RC"
check_match "...naming it" "log line 4: " "$OUT"

# --- bad usage: one clear line, exit 2, nothing written ------------------------------------------
usage() { OUT=$(in_cli "$W" "$@" 2>&1); RC=$?; }
usage write --log "$T_TMP/x.log"
check "write without --url: exit 2" 2 "$RC"
check "...one line" "sanha-drill-writer: --url is required" "$OUT"
usage verify --log "$LOG" --url "$URL" --file "$BACK"
check "verify with both --url and --file: exit 2" 2 "$RC"
usage write --url "$URL" --log "$T_TMP/x.log" --block-size 1000
check_match "--block-size 1000 is refused" "block-size must be a multiple of 512" "$OUT"
usage write --url "iscsi://user%secret@192.0.2.1/$TARGET/1" --log "$T_TMP/x.log"
check_match "credentials in the URL are refused" "must not carry credentials" "$OUT"
usage write --url "$URL" --log "$T_TMP/x.log" --region-blocks 2000 --initiator-name "$INITIATOR"
check_match "a region beyond the LUN is refused" "exceeds the LUN" "$OUT"
check "...before the log is created" no "$([ -e "$T_TMP/x.log" ] && echo yes || echo no)"

# --- run 2: a writer killed by SIGKILL leaves a log that verifies (128 blocks: verify reads
# them through iSCSI in two 256 KiB chunks) ----------------------------------------------------
LOG2=$T_TMP/run2.log
bg WRITER2 ip netns exec "$CLI" "$W" write --url "$URL" --log "$LOG2" --region-blocks 128 --interval-ms 0 \
  --initiator-name "$INITIATOR" 2>"$T_TMP/run2.err"
wait_lines "$LOG2" 300 "$WRITER2"
check "second writer runs" 0 "$?"
kill -9 "$WRITER2"
wait "$WRITER2" 2>/dev/null
verify --log "$LOG2" --url "$URL"
check "after SIGKILL of the writer, verify through iSCSI passes" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT"

# --- damage on the live LUN: verify through iSCSI must see it ------------------------------------
last_lba=$(tail -1 "$LOG2" | cut -d' ' -f2)
printf 'Z' | dd of="$BACK" bs=1 seek=$(($(offset "$last_lba") + 2000)) conv=notrunc 2>/dev/null
verify --log "$LOG2" --url "$URL"
check "a block damaged under the running target: verify through iSCSI fails" 1 "$RC"
check_match "...naming it" "CORRUPT lba $last_lba" "$OUT"

# --- run 3: the target vanishes without a reset (its packets dropped, as after a power cut) -------
# The write in flight never completes; SIGTERM must still end the writer (it gives the write 2 s,
# then leaves it unlogged and skips a logout that would wait for ever).
LOG3=$T_TMP/run3.log
bg WRITER3 ip netns exec "$CLI" "$W" write --url "$URL" --log "$LOG3" --region-blocks 64 \
  --initiator-name "$INITIATOR" 2>"$T_TMP/run3.err"
wait_lines "$LOG3" 50 "$WRITER3"
check "third writer runs" 0 "$?"
ip netns exec "$SRV" iptables -I INPUT -p tcp --dport 3260 -j DROP
sleep 0.5  # a write that reached tgtd before the rule still completes; the next one cannot
stalled=$(lines "$LOG3")
sleep 0.5
check "with the target's packets dropped, no write completes" "$stalled" "$(lines "$LOG3")"
kill -TERM "$WRITER3"
for _ in $(seq 300); do kill -0 "$WRITER3" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM ends the writer stuck on a vanished target" no \
  "$(kill -0 "$WRITER3" 2>/dev/null && echo yes || echo no)"
wait "$WRITER3"
check "...with exit 0" 0 "$?"
check_match "...saying the write in flight was not logged" "stopped with seq $stalled in flight" \
  "$(cat "$T_TMP/run3.err")"
ip netns exec "$SRV" iptables -D INPUT -p tcp --dport 3260 -j DROP
verify --log "$LOG3" --file "$BACK"
check "...and its log verifies on the backing file" 0 "$RC"

# --- run 4: reconnecting while the initiator's own network is unreachable -------------------------
# tgtd dies (reset), then the initiator's link goes down: libiscsi's next connect() fails at
# once (ENETUNREACH) and it reports a descriptor it closed. The writer must wait, not spin
# (it did, at a quarter of a CPU), and still stop on SIGTERM.
LOG4=$T_TMP/run4.log
bg WRITER4 ip netns exec "$CLI" "$W" write --url "$URL" --log "$LOG4" --region-blocks 64 \
  --initiator-name "$INITIATOR" 2>"$T_TMP/run4.err"
wait_lines "$LOG4" 50 "$WRITER4"
check "fourth writer runs" 0 "$?"
kill -9 "$TGTD"
wait "$TGTD" 2>/dev/null
ip -n "$CLI" link set "tc$$" down
sleep 2.5
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks=$(cpu_ticks "$WRITER4")
sleep 2
used=$(($(cpu_ticks "$WRITER4") - ticks))
check_match "the writer waits without spinning (CPU ticks used in 2 s: $used)" "^[0-9]$" "$used"
kill -TERM "$WRITER4"
for _ in $(seq 300); do kill -0 "$WRITER4" 2>/dev/null || break; sleep 0.1; done
check "...and stops on SIGTERM" no "$(kill -0 "$WRITER4" 2>/dev/null && echo yes || echo no)"
check_match "...after libiscsi met the unreachable network" "Network is unreachable" \
  "$(cat "$T_TMP/run4.err")"

[ "$T_FAILED" = 0 ] || sed 's/^/    writer | /' "$T_TMP/run1.err" | tail -30
finish
