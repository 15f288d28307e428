#!/bin/bash
# End to end on a real tgtd: san-target applies a target file, libiscsi's initiator in a second
# namespace sees the configured serials/ids (VPD 0x80/0x83), CHAP and ACLs admit and refuse the
# right initiators, a grown backing file is seen by READ CAPACITY after a reconcile while the
# target keeps running and a session keeps reading, data written before the resize is intact,
# removed LUNs and targets disappear, a second apply does nothing, a hostile file changes nothing.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../support/tgtd_testbed.sh"
start_tgtd
truncate -s 16M "$T_TMP/a1.img"
truncate -s 8M "$T_TMP/a2.img" "$T_TMP/b1.img" "$T_TMP/c1.img"
cat >"$CONF" <<CONF
# test targets
iqn-prefix $IQN
lun-defaults vendor=SANHA product=TESTDISK
target alpha
  allow-address 192.0.2.2
  incoming-user alpha-user alpha-secret-12
  lun 1 $T_TMP/a1.img scsi_idsn=AMHDSK-240101-01
  lun 2 $T_TMP/a2.img scsi_id=ID-A2 scsi_sn=SN-A2 mode=blockio
target beta
  allow-initiator iqn.2024-01.test:allowed
  lun 1 $T_TMP/b1.img scsi_idsn=AMHDSK-240101-03 readonly
target gamma
  allow-address 198.51.100.9
  lun 1 $T_TMP/c1.img scsi_idsn=AMHDSK-240101-04
CONF
AUTH=alpha-user%alpha-secret-12

st plan
check "plan on an empty daemon lists steps (exit 2)" 2 "$RC"
check_match "...adding alpha's LUN 1 with its identity" "add target 1 \($IQN:alpha\) lun 1 .*scsi_id=AMHDSK-240101-01" "$OUT"
st apply
check "apply" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
st plan
check "a second plan has nothing to do" 0 "$RC"
check_match "...and says so" "nothing to do" "$OUT"
st apply
check_match "a second apply changes nothing" "in sync, nothing to do" "$ERR"

# What the initiator sees.
check "VPD 0x80 serial of alpha/1" AMHDSK-240101-01 "$(serial alpha/1 $AUTH)"
check "VPD 0x83 T10 id of alpha/1" AMHDSK-240101-01 "$(vpd83 alpha/1 $AUTH)"
check "VPD 0x80 serial of alpha/2" SN-A2 "$(serial alpha/2 $AUTH)"
check "VPD 0x83 id of alpha/2" ID-A2 "$(vpd83 alpha/2 $AUTH)"
check "READ CAPACITY of alpha/1" 16777216 "$(capacity alpha/1 $AUTH)"
LS=$(in_cli iscsi-ls -i iqn.2024-01.test:allowed -s iscsi://192.0.2.1 2>&1)
check_match "discovery lists alpha" "Target:$IQN:alpha" "$LS"
check_match "discovery lists beta" "Target:$IQN:beta" "$LS"

# CHAP and ACLs.
check "alpha without CHAP is refused" "" "$(capacity alpha/1)"
check "alpha with a wrong secret is refused" "" "$(capacity alpha/1 alpha-user%wrong-secret-1)"
check "beta admits the listed initiator name" 8388608 "$(capacity beta/1 '' iqn.2024-01.test:allowed)"
check "beta refuses another initiator name" "" "$(capacity beta/1 '' iqn.2024-01.test:other)"
check "gamma refuses an address not listed" "" "$(capacity gamma/1 '' iqn.2024-01.test:allowed)"
INQ=$(in_cli iscsi-inq -i iqn.2024-01.test:allowed "$(url beta/1)" 2>&1)
check_match "beta/1 is write-protected (read-only LUN)" "Peripheral Device Type:DIRECT_ACCESS" "$INQ"

# Data before a resize, and a session that keeps reading through it.
W=$(in_cli qemu-io -f raw -c 'write -P 0xab 0 1M' -c 'write -P 0xcd 15M 1M' "$(url alpha/1 $AUTH)" 2>&1)
check_match "initiator writes data" "wrote 1048576/1048576" "$W"
bg PERF ip netns exec "$CLI" sh -c 'exec iscsi-perf -i iqn.2024-01.test:perf -x 1000 "$1" >/dev/null 2>&1' \
  perf "$(url alpha/2 $AUTH)"
for _ in $(seq 50); do tgtadm --lld iscsi --op show --mode target | grep -q perf && break; sleep 0.1; done
check_match "a session is reading alpha/2" "iqn.2024-01.test:perf" "$(tgtadm --lld iscsi --op show --mode target)"
TGTD_BEFORE=$TGTD

truncate -s 32M "$T_TMP/a1.img"
truncate -s 12M "$T_TMP/a2.img"
check "READ CAPACITY still old before the reconcile (tgt has no resize)" 16777216 "$(capacity alpha/1 $AUTH)"
st plan
check_match "plan shows the resize of alpha/1" "size is 16 MiB, backing device is now 32 MiB" "$OUT"
check_match "plan holds alpha's initiators" "hold initiators 192.0.2.2 of target 1" "$OUT"
st apply
check "apply the resize" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
check_match "the outage is logged" "were held for [0-9]+ ms" "$ERR"
check "nothing stays blocked" 0 "$(sanha_held)"
check "READ CAPACITY sees the grown alpha/1" 33554432 "$(capacity alpha/1 $AUTH)"
check "READ CAPACITY sees the grown alpha/2" 12582912 "$(capacity alpha/2 $AUTH)"
check "the same serial after the resize" AMHDSK-240101-01 "$(serial alpha/1 $AUTH)"
check "the same id after the resize" AMHDSK-240101-01 "$(vpd83 alpha/1 $AUTH)"
R=$(in_cli qemu-io -f raw -c 'read -P 0xab 0 1M' -c 'read -P 0xcd 15M 1M' "$(url alpha/1 $AUTH)" 2>&1)
check_no_match "data written before the resize is intact" "verification failed|can't open" "$R"
check "tgtd kept running (same process)" yes "$(kill -0 "$TGTD_BEFORE" 2>/dev/null && echo yes)"
for _ in $(seq 100); do tgtadm --lld iscsi --op show --mode target | grep -q perf && break; sleep 0.1; done
check_match "the reading initiator logged back in" "iqn.2024-01.test:perf" "$(tgtadm --lld iscsi --op show --mode target)"
check "...and is still running" yes "$(kill -0 "$PERF" 2>/dev/null && echo yes)"
st plan
check "after the resize the plan is empty" 0 "$RC"

# status.
st status --json
check "status --json" 0 "$RC"
J=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = {x["name"]: x for x in d["targets"]}
a = {l["lun"]: l for l in t["'$IQN':alpha"]["luns"]}
print(d["in_sync"], a[1]["vpd80"], a[1]["vpd83"], a[1]["size_bytes"], a[2]["mode"],
      t["'$IQN':alpha"]["acl"]["addresses"], len(t["'$IQN':alpha"]["sessions"]) > 0,
      t["'$IQN':alpha"]["incoming_users"])')
check "status --json content" "True AMHDSK-240101-01 AMHDSK-240101-01 33554432 blockio ['192.0.2.2'] True ['alpha-user']" "$J"
check_no_match "status never shows a secret" "alpha-secret" "$OUT"
st status
check_match "status text has the serials" "lun 1 .*vpd83=AMHDSK-240101-01 vpd80=AMHDSK-240101-01" "$OUT"

# A LUN and a target dropped from the file disappear.
kill -9 "$PERF"
wait "$PERF" 2>/dev/null
sed -i '/a2.img/d; /^target gamma/,$d' "$CONF"
st plan
check_match "plan removes alpha/2" "delete target 1 \($IQN:alpha\) lun 2 .*not in the file" "$OUT"
check_match "plan removes gamma" "delete target 3 \($IQN:gamma\) — not in the file" "$OUT"
st --keep-stale plan
check "with --keep-stale nothing is removed" 0 "$RC"
st apply
check "apply the removals" 0 "$RC"
check "alpha/2 is gone for the initiator" "" "$(capacity alpha/2 $AUTH)"
check "alpha/1 still serves" 33554432 "$(capacity alpha/1 $AUTH)"
check_no_match "gamma is gone from tgtd" "$IQN:gamma" "$(tgtadm --lld iscsi --op show --mode target)"
check "nothing stays blocked after removals" 0 "$(sanha_held)"

# apply --offline writes tgt's own configuration, root-only.
st apply --offline --output "$T_TMP/tgt-sanha.conf"
check "apply --offline" 0 "$RC"
check_match "offline config has alpha" "<target $IQN:alpha>" "$(cat "$T_TMP/tgt-sanha.conf")"
check "offline config is mode 600" 600 "$(stat -c %a "$T_TMP/tgt-sanha.conf")"

# Discovery CHAP (global incoming-user): discovery needs the secret.
sed -i "s/^iqn-prefix .*/&\nincoming-user disc-user disc-secret-123/" "$CONF"
st apply
check "apply discovery CHAP" 0 "$RC"
LS=$(in_cli iscsi-ls -i iqn.2024-01.test:allowed iscsi://192.0.2.1 2>&1)
check_no_match "discovery without the secret lists nothing" "Target:" "$LS"
LS=$(in_cli iscsi-ls -i iqn.2024-01.test:allowed iscsi://disc-user%disc-secret-123@192.0.2.1 2>&1)
check_match "discovery with the secret lists alpha" "Target:$IQN:alpha" "$LS"
check_match "tgtd has the discovery user bound" "disc-user" \
  "$(tgtadm --lld iscsi --op show --mode system)"

# A hostile or broken file changes nothing and says where.
BEFORE=$(tgtadm --lld iscsi --op show --mode target)
cp "$CONF" "$T_TMP/good.conf"
printf 'target %s:evil\n  lun 1 /tmp/x scsi_id=$(touch %s/pwned)\n' "$IQN" "$T_TMP" >>"$CONF"
st apply
check "a hostile file is refused" 1 "$RC"
check_match "...naming file and line" "targets.conf:[0-9]+: character '\\$' is not allowed" "$ERR"
check "...executing nothing" no "$([ -e "$T_TMP/pwned" ] && echo yes || echo no)"
check "...changing nothing" "$BEFORE" "$(tgtadm --lld iscsi --op show --mode target)"
printf 'target %s:beta2\n  lun 1 %s/missing.img\n' "$IQN" "$T_TMP" >"$CONF.tail"
cat "$T_TMP/good.conf" "$CONF.tail" >"$CONF"
st apply
check "a missing backing path is refused" 1 "$RC"
check_match "...naming it" "backing path $T_TMP/missing.img does not exist" "$ERR"
check "...changing nothing" "$BEFORE" "$(tgtadm --lld iscsi --op show --mode target)"
finish
