#!/bin/bash
# The stock iSCSITarget/iSCSILogicalUnit defects sanha must not repeat, each reproduced on a real tgtd with
# the stock agent (the control: proves the scenario is the defect) and then run against iet-target,
# which must get it right: an IQN that is a prefix of the running one, a never-created LUN whose path
# another target serves, a crafted target name, reload of a stopped resource, a target without
# allow-* lines, a monitor that checks nothing of tid, ACLs, CHAP, serials or size (each changed
# behind a started resource's back), and stop without a bound (tgtd wedged with SIGSTOP). tgtd runs in a namespace of its own with a private socket and
# /run; the initiator is libiscsi's iscsi-ls in the same namespace.
. "$(dirname "$0")/../lib.sh"
require_root
for p in tgtd tgtadm iscsi-ls; do require_program "$p"; done
STOCK=/usr/lib/ocf/resource.d/heartbeat
[ -x $STOCK/iSCSITarget ] || { echo "FATAL: resource-agents is not installed" >&2; exit 1; }
AGENT=$SANHA_BUILD/iet-target
PFX=iqn.2026-12.test.sanha
SOCK=$T_TMP/tgtd.sock
new_netns NS anchors
mkdir -p "$T_TMP/disks" "$T_TMP/rsc"
truncate -s 16M "$T_TMP"/disks/{a,b,c}

# in_ns CMD...: runs CMD in the namespace with the test's tgtd socket.
in_ns() { ip netns exec "$NS" env TGT_IPC_SOCKET="$SOCK" "$@"; }
tgt() { in_ns tgtadm --lld iscsi "$@"; }
show() { tgt --op show --mode target; }
start_tgtd() {  # a fresh, empty tgtd (the previous one killed by pid)
  [ -n "${TGTD:-}" ] && { kill -9 "$TGTD"; wait "$TGTD"; } 2>/dev/null
  rm -f "$SOCK".*
  bg TGTD ip netns exec "$NS" unshare --mount --propagation private sh -c \
    'mount -t tmpfs sanha-test /run && mkdir /run/tgtd && exec env TGT_IPC_SOCKET="$0" tgtd -f --iscsi portal=127.0.0.1:3260' \
    "$SOCK" >>"$T_TMP/tgtd.log" 2>&1
  for _ in $(seq 1 100); do show >/dev/null 2>&1 && return; sleep 0.05; done
  echo "FATAL: tgtd did not start" >&2
  exit 1
}
# ours CONFIG ACTION [VAR=VALUE...]: iet-target as pacemaker runs it; sets RC, OUT (stdout+stderr).
ours() {
  local conf=$1 action=$2
  shift 2
  OUT=$(in_ns OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=targets HA_RSCTMP="$T_TMP/rsc" \
    OCF_RESKEY_config="$conf" OCF_RESKEY_tgtd_socket="$SOCK" OCF_RESKEY_state_dir="$T_TMP/state" \
    OCF_RESKEY_manage_daemon=false OCF_RESKEY_portals=127.0.0.1:3260 OCF_RESKEY_firewall=none \
    "$@" "$AGENT" "$action" 2>&1)
  RC=$?
}
# stock AGENT ACTION VAR=VALUE...: a stock agent with implementation=tgt; sets RC.
stock() {
  local agent=$1 action=$2
  shift 2
  in_ns OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=stock HA_RSCTMP="$T_TMP/rsc" \
    OCF_RESKEY_implementation=tgt "$@" "$STOCK/$agent" "$action" >/dev/null 2>&1
  RC=$?
}
conf() {  # NAME LINES...: writes $T_TMP/NAME.conf
  local f=$T_TMP/$1.conf
  shift
  { echo "iqn-prefix $PFX"; printf '%s\n' "$@"; } >"$f"
  echo "$f"
}
new_target() {  # TID NAME [PATH...]: created behind the agents' back with plain tgtadm, ACL ALL
  local tid=$1 name=$2 lun=1
  tgt --op new --mode target --tid "$tid" --targetname "$name"
  tgt --op bind --mode target --tid "$tid" --initiator-address ALL
  shift 2
  for p in "$@"; do tgt --op new --mode logicalunit --tid "$tid" --lun $((lun++)) --backing-store "$p"; done
}

# 1. An IQN that is a prefix of the running one: only ...:vol10 runs, the file wants ...:vol1.
start_tgtd
new_target 1 $PFX:vol10 "$T_TMP/disks/a"
stock iSCSITarget monitor OCF_RESKEY_iqn=$PFX:vol1 OCF_RESKEY_tid=1
check "control: stock iSCSITarget reports vol1 running when only vol10 runs (the defect)" 0 "$RC"
C=$(conf prefix "target vol1" "  lun 1 $T_TMP/disks/a scsi_sn=SNA")
ours "$C" monitor
check "prefix IQN: iet-target monitor (probe) says not running" 7 "$RC"
# Once started, vol1 replaced behind the agent's back by vol10 serving the same path is a failure
# that names vol1.
ours "$C" start
check "prefix IQN: iet-target start" 0 "$RC"
tid=$(show | sed -n "s/^Target \([0-9]*\): $PFX:vol1\$/\1/p")
tgt --op delete --mode target --tid "$tid"
new_target 5 $PFX:vol10 "$T_TMP/disks/a"
ours "$C" monitor
check "prefix IQN: monitor of the started resource fails (1)" 1 "$RC"
check_match "prefix IQN: the reason names the missing target" "\\($PFX:vol1\\) — not running" "$OUT"
ours "$C" stop
check "prefix IQN: stop" 0 "$RC"
check_match "prefix IQN: stop left the foreign vol10 alone" "^Target 5: $PFX:vol10\$" "$(show)"

# 2. A never-created LUN whose path another target serves: vol1 has LUN 1 only, vol2 serves b.
start_tgtd
new_target 1 $PFX:vol1 "$T_TMP/disks/a"
new_target 2 $PFX:vol2 "$T_TMP/disks/b"
stock iSCSILogicalUnit monitor OCF_RESKEY_target_iqn=$PFX:vol1 OCF_RESKEY_lun=2 OCF_RESKEY_path="$T_TMP/disks/b"
check "control: stock iSCSILogicalUnit reports vol1 LUN 2 running though never created (the defect)" 0 "$RC"
C=$(conf shared "target vol1" "  tid 1" "  lun 1 $T_TMP/disks/a" "  lun 2 $T_TMP/disks/b")
ours "$C" monitor
check "never-created LUN: iet-target monitor is not 'running'" yes "$([ "$RC" != 0 ] && echo yes || echo no)"
check_match "never-created LUN: the reason names vol1 LUN 2" "vol1\\) lun 2 [^;]*disks/b[^;]*not running" "$OUT"

# 3. A crafted target name. The stock agent pastes target_iqn into a sed program: a newline and
# sed's `e` command run a shell command during monitor. sanha's file has no way to run anything.
MARK=$T_TMP/pwned
stock iSCSILogicalUnit monitor OCF_RESKEY_target_iqn=$'x/\\1/\ne touch '"$MARK"$'\ns/\\(x\\)' OCF_RESKEY_lun=1 \
  OCF_RESKEY_path="$T_TMP/disks/a"
check "control: a crafted target_iqn makes the stock monitor run a command (the defect)" yes \
  "$([ -e "$MARK" ] && echo yes || echo no)"
rm -f "$MARK"
BEFORE=$(show)
for name in "iqn.2026-12.test.sanha:x\$(touch $MARK)" "iqn.2026-12.test.sanha:x\`touch $MARK\`" \
  "iqn.2026-12.test.sanha:x;touch $MARK" "vol1/\\1/;e touch $MARK"; do
  C=$(conf crafted "target $name" "  lun 1 $T_TMP/disks/c")
  for action in monitor start reload; do
    ours "$C" $action
    check "crafted name '$name': $action exits 6 (configuration error)" 6 "$RC"
  done
  check_match "crafted name '$name': the reason names file and line" "crafted\\.conf:2" "$OUT"
done
check "crafted names: no command ran" no "$([ -e "$MARK" ] && echo yes || echo no)"
check "crafted names: tgtd's state unchanged" "$BEFORE" "$(show)"
ours "$T_TMP/x"$'\ne touch '"$MARK" monitor
check "crafted config path: monitor fails without running anything" yes \
  "$([ "$RC" != 0 ] && [ ! -e "$MARK" ] && echo yes || echo no)"

# 4. reload on a stopped resource: the stock iSCSITarget starts it; iet-target refuses (7).
start_tgtd
stock iSCSITarget reload OCF_RESKEY_iqn=$PFX:vol1 OCF_RESKEY_tid=1 OCF_RESKEY_allowed_initiators=ALL
check_match "control: stock iSCSITarget reload of a stopped resource starts it (the defect)" \
  "^Target 1: $PFX:vol1$" "$(show)"
start_tgtd
C=$(conf reload "target vol1" "  lun 1 $T_TMP/disks/a scsi_sn=SNA")
ours "$C" reload
check "reload on a stopped resource: iet-target says not running (7)" 7 "$RC"
check "reload on a stopped resource: nothing was created" "" "$(show)"

# 5. No allow-* lines: the stock iSCSITarget binds no ACL (logins fail); iet-target admits all.
login() { ip netns exec "$NS" iscsi-ls -s iscsi://127.0.0.1/ 2>&1; }
start_tgtd
stock iSCSITarget start OCF_RESKEY_iqn=$PFX:vol1 OCF_RESKEY_tid=1
stock iSCSILogicalUnit start OCF_RESKEY_target_iqn=$PFX:vol1 OCF_RESKEY_lun=1 OCF_RESKEY_path="$T_TMP/disks/a"
check_no_match "control: the stock target without allowed_initiators admits no initiator (the defect)" \
  "Lun:1" "$(login)"
start_tgtd
C=$(conf open "target vol1" "  lun 1 $T_TMP/disks/a scsi_sn=SNA")
ours "$C" start
check "no allow-* lines: iet-target start" 0 "$RC"
check_match "no allow-* lines: the target admits every initiator (ACL ALL)" "ALL" "$(show)"
check_match "no allow-* lines: an initiator logs in and sees LUN 1" "Target:$PFX:vol1.*Lun:1" "$(login | tr '\n' ' ')"
ours "$C" stop
check "no allow-* lines: iet-target stop" 0 "$RC"
check "stop removed the target" "" "$(show)"

# 6. "Nothing checks tid, ACLs, CHAP, serials or size": each changed behind a started resource's
# back is a monitor failure naming the difference, and san-target apply restores it.
start_tgtd
C=$(conf identity "target vol1" "  tid 3" "  allow-address 192.0.2.10" "  incoming-user vol1-user Vol1-Secret-123" \
  "  lun 1 $T_TMP/disks/a scsi_id=ID-A scsi_sn=SN-A")
ours "$C" start
check "identity: iet-target start" 0 "$RC"
ours "$C" monitor
check "identity: monitor after start" 0 "$RC"
restore() {  # DESCRIPTION: san-target apply puts the file's state back; monitor agrees
  in_ns "$SANHA_BUILD/san-target" --config "$C" --state-dir "$T_TMP/state" --socket "$SOCK" --firewall none \
    apply >/dev/null 2>&1
  check "identity: $1: san-target apply restores it" 0 "$?"
  ours "$C" monitor
  check "identity: $1: monitor after the restore" 0 "$RC"
}
tgt --op update --mode logicalunit --tid 3 --lun 1 --params scsi_sn=SN-OTHER
stock iSCSILogicalUnit monitor OCF_RESKEY_target_iqn=$PFX:vol1 OCF_RESKEY_lun=1 OCF_RESKEY_path="$T_TMP/disks/a" \
  OCF_RESKEY_scsi_sn=SN-A
check "control: the stock monitor reports a LUN whose serial changed as running (the defect)" 0 "$RC"
ours "$C" monitor
check "identity: changed serial: monitor fails" 1 "$RC"
check_match "identity: changed serial: the reason names it" "SN-OTHER.*SN-A" "$OUT"
restore "changed serial"
tgt --op unbind --mode target --tid 3 --initiator-address 192.0.2.10
ours "$C" monitor
check "identity: removed ACL: monitor fails" 1 "$RC"
check_match "identity: removed ACL: the reason names the address" "192\\.0\\.2\\.10 [^;]*not in the ACL" "$OUT"
restore "removed ACL"
tgt --op unbind --mode account --tid 3 --user vol1-user
ours "$C" monitor
check "identity: unbound CHAP user: monitor fails" 1 "$RC"
check_match "identity: unbound CHAP user: the reason names the user" "vol1-user [^;]*not bound" "$OUT"
check_no_match "identity: the reason never shows the secret" "Vol1-Secret-123" "$OUT"
restore "unbound CHAP user"
truncate -s 32M "$T_TMP/disks/a"
ours "$C" monitor OCF_CHECK_LEVEL=10
# Growth is the seed's own workflow (lvextend, then apply): pending until reload, never a failure
# that would make Pacemaker restart the whole service.
check "identity: grown backing file: depth-10 monitor succeeds, the change pending" 0 "$RC"
check_match "identity: grown backing file: the warning names the sizes" "pending: .*size is 16 MiB, backing device is now 32 MiB" "$OUT"
restore "grown backing file"
tgt --op delete --mode target --tid 3
new_target 4 $PFX:vol1 "$T_TMP/disks/a"
ours "$C" monitor
check "identity: same name under another tid: monitor fails" 1 "$RC"
check_match "identity: another tid: the reason names the tid" "tid 4[^;]*tid 3" "$OUT"
ours "$C" stop
check "identity: stop" 0 "$RC"

# 7. "Stop loops retry every second with no bound": with a wedged tgtd (SIGSTOP) the stock stop
# never returns; iet-target's monitor and stop end within the operation timeout, as failures.
start_tgtd
C=$(conf wedged "target vol1" "  lun 1 $T_TMP/disks/a scsi_sn=SNA")
ours "$C" start
check "wedged tgtd: iet-target start" 0 "$RC"
check "wedged tgtd: the test's pid is tgtd itself" tgtd "$(cat /proc/"$TGTD"/comm)"
kill -STOP "$TGTD"
on_exit "kill -CONT $TGTD"
ms_since() { local t=$EPOCHREALTIME; echo $(((${t/./} - ${1/./}) / 1000)); }
t0=$EPOCHREALTIME
timeout 4 ip netns exec "$NS" env TGT_IPC_SOCKET="$SOCK" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=stock \
  HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_implementation=tgt OCF_RESKEY_iqn=$PFX:vol1 OCF_RESKEY_tid=1 \
  OCF_RESKEY_CRM_meta_timeout=2000 "$STOCK/iSCSITarget" stop >/dev/null 2>&1
rc=$?
check "control: the stock stop with a wedged tgtd is still running after 4 s (the defect)" "124 yes" \
  "$rc $([ "$(ms_since "$t0")" -ge 4000 ] && echo yes || echo no)"
t0=$EPOCHREALTIME
ours "$C" monitor OCF_RESKEY_CRM_meta_timeout=2000
ms=$(ms_since "$t0")
check "wedged tgtd: monitor fails (1)" 1 "$RC"
check "wedged tgtd: monitor ends within its 2 s timeout" yes "$([ "$ms" -lt 2000 ] && echo yes || echo "no: $ms ms")"
check_match "wedged tgtd: the reason says tgtadm timed out" "tgtadm did not finish" "$OUT"
t0=$EPOCHREALTIME
ours "$C" stop OCF_RESKEY_CRM_meta_timeout=3000
ms=$(ms_since "$t0")
check "wedged tgtd: stop fails (1) rather than claim success" 1 "$RC"
check "wedged tgtd: stop ends within its 3 s timeout" yes "$([ "$ms" -lt 3000 ] && echo yes || echo "no: $ms ms")"
kill -CONT "$TGTD"
ours "$C" stop
check "wedged tgtd: once tgtd runs again, stop succeeds" 0 "$RC"
check "wedged tgtd: and removed the target" "" "$(show)"

kill -9 "$TGTD" 2>/dev/null
wait "$TGTD" 2>/dev/null
finish
