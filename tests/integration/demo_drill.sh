#!/bin/bash
# The README's main job as a test: runs ha-examples/drill/demo.sh against this build and checks
# that every part of the story behaved (the demo exits non-zero otherwise) and that it left
# nothing behind: no namespace, no temp directory, no tgtd of its own, no firewall rule.
. "$(dirname "$0")/../lib.sh"
require_root
for p in tgtd tgtadm iscsi-ls iscsi-inq iscsi-readcapacity16 nc nft iptables; do require_program "$p"; done

DEMO=$SANHA_SRC/ha-examples/drill/demo.sh
bash "$DEMO" "$SANHA_BUILD" >"$T_TMP/demo.out" 2>&1 &
demo_pid=$!
wait "$demo_pid"
rc=$?
# has PATTERN: "yes" when a line of the demo's output matches the extended regex PATTERN
has() { grep -Eq -- "$1" "$T_TMP/demo.out" && echo yes || echo no; }
check "demo.sh exits 0" 0 "$rc"
check "no step reported UNEXPECTED" no "$(has UNEXPECTED)"
check "firewall part: the held session survived" yes "$(has 'the session survived')"
check "target part: the initiator read vol0 LUN 1's serial and id from targets.conf, 64 MiB" yes \
  "$(has 'amherst:vol0 +1 +AMHDSK-081101-01 +AMHDSK-081101-01 +64 MiB')"
check "target part: the resize was seen by READ CAPACITY" yes "$(has 'Total size:100663296')"
check "target part: after the resize the same LUN reads 96 MiB with the same serial" yes \
  "$(has 'amherst:vol0 +1 +AMHDSK-081101-01 +AMHDSK-081101-01 +96 MiB')"
check "target part: the dropped LUN is gone" yes "$(has 'vol0 LUN 2 is gone')"
check "target part: every step behaved" yes "$(has 'every step behaved')"

# Leftovers: the demo names its namespaces sanha-demo-*-PID and its directory /tmp/sanha-demo.*;
# its temp directory appears in the output (the backing files live under it).
tmpdir=$(grep -o '/tmp/sanha-demo\.[A-Za-z0-9]*' "$T_TMP/demo.out" | head -1)
check_match "the demo printed its temp directory" "^/tmp/sanha-demo\." "$tmpdir"
if [ -n "$tmpdir" ]; then
  check "temp directory removed" no "$([ -e "$tmpdir" ] && echo yes || echo no)"
  holders=$(grep -l -a "TGT_IPC_SOCKET=$tmpdir/" /proc/[0-9]*/environ 2>/dev/null | wc -l)
  check "no tgtd of the demo left running" 0 "$holders"
fi
check "no namespace of the demo left" 0 "$(ip netns list | grep -c "^sanha-demo-[a-z]*-$demo_pid\b")"

[ "$T_FAILED" = 0 ] || sed 's/^/    | /' "$T_TMP/demo.out"
finish
