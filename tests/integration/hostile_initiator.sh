#!/bin/bash
# A real tgtd and libiscsi's initiator logged in under hostile InitiatorNames (an escape
# sequence, control characters, a tab): tgtd prints them verbatim in its listing. san-target
# must keep reading that listing (status, plan: what monitor and stop rely on), show the names
# neutralised ('?'), never emit the raw bytes (terminal escapes, broken JSON), and see no drift.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../support/tgtd_testbed.sh"
require_program python3
start_tgtd
truncate -s 8M "$T_TMP/a1.img"
cat >"$CONF" <<CONF
iqn-prefix $IQN
target alpha
  lun 1 $T_TMP/a1.img scsi_idsn=HOSTILE-01
CONF
st apply
check "apply" 0 "$RC"

cases=0
# session NAME SHOWN: one initiator logged in as NAME; san-target must show it as SHOWN.
session() {
  local name=$1 shown=$2
  cases=$((cases + 1))
  bg PERF ip netns exec "$CLI" iscsi-perf -i "$name" -x 1000 "$(url alpha/1)" >/dev/null 2>&1
  for _ in $(seq 100); do
    tgtadm --lld iscsi --op show --mode target | grep -q "I_T nexus:" && break
    sleep 0.05
  done
  check_match "tgtd lists the session of '$shown'" "Initiator: " \
    "$(tgtadm --lld iscsi --op show --mode target)"
  st status
  check "status reads the listing ('$shown')" 0 "$RC"
  check_match "...and shows the name neutralised" "$(printf '%s' "$shown" | sed 's/[][?.]/\\&/g')" "$OUT"
  check "...with no control character in its output" 0 \
    "$(printf '%s' "$OUT" | tr -d '\n' | LC_ALL=C grep -c '[[:cntrl:]]')"
  st status --json
  check "status --json ('$shown')" 0 "$RC"
  check "...is JSON with the neutralised name" "$shown" "$(printf '%s' "$OUT" | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(d["targets"][0]["sessions"][0]["initiator"])')"
  st plan
  check "plan sees no drift from a session ('$shown')" 0 "$RC"
  kill -9 "$PERF"
  wait "$PERF" 2>/dev/null
  for _ in $(seq 100); do
    tgtadm --lld iscsi --op show --mode target | grep -q "I_T nexus:" || break
    sleep 0.05
  done
}
session $'iqn.2024-01.test:cl\e[2Jient' 'iqn.2024-01.test:cl?[2Jient'
session $'iqn.2024-01.test:a\x01b\x7fc\rd' 'iqn.2024-01.test:a?b?c?d'
session $'iqn.2024-01.test:tab\there' 'iqn.2024-01.test:tab?here'
echo "hostile initiator names: $cases cases"
finish
