# shellcheck shell=bash
# Part two of demo.sh (sourced; uses its SP, INI, TMP, PIDS, BUILD and say): a real tgtd on the
# storage processor serves the LUNs of ha-examples/targets.conf through the iet-target agent and
# san-target; the initiator lists them with their serials (VPD 0x80/0x83), sees a backing file grown
# live after one reconcile, and sees a LUN dropped from the file disappear. Sets TARGET_RESULT to
# 0 only if every step behaved as told.
EXAMPLE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/targets.conf
CONF=$TMP/targets.conf
SOCK=$TMP/tgtd.sock
STATE=$TMP/target-state
PORTAL=192.0.2.1
INAME=iqn.1991-05.com.microsoft:fileserver1  # the initiator name targets.conf admits to vol0
TARGET_RESULT=0
unexpected() { echo "  → UNEXPECTED: $*"; TARGET_RESULT=1; }

# Output as the administrator would see it on a real SP: the sandbox's paths shown as in the example.
shown() { sed -e "s#$TMP/disks##g" -e "s#$CONF#/etc/sanha/targets.conf#g" -e 's/^/      /'; }
# sp SHOWN CMD...: prints SHOWN as an administrator types it on the storage processor, runs CMD
# there, indents its output; returns CMD's exit code.
sp() {
  printf '  sp# %s\n' "$1"
  shift
  ip netns exec "$SP" "$@" >"$TMP/out" 2>&1
  local rc=$?
  shown <"$TMP/out"
  [ "$rc" = 0 ] || echo "      → exit $rc"
  return "$rc"
}
# sp_brief KEEP SHOWN CMD...: like sp, but prints only the output lines matching the regex KEEP
# and how many it left out (the agent logs every step it takes).
sp_brief() {
  local keep=$1
  shift
  printf '  sp# %s\n' "$1"
  shift
  ip netns exec "$SP" "$@" >"$TMP/out" 2>&1
  local rc=$?
  grep -E -- "$keep" "$TMP/out" | shown
  local left
  left=$(grep -cvE -- "$keep" "$TMP/out")
  [ "$left" = 0 ] || echo "      (… $left more log lines)"
  [ "$rc" = 0 ] || echo "      → exit $rc"
  return "$rc"
}
# The agent as pacemaker runs it (resource parameters in the environment) and the CLI, both
# pointed at this sandbox's file, tgtd socket and state directory.
AGENT_RUN=(env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=targets HA_RSCTMP="$TMP"
  OCF_RESKEY_config="$CONF" OCF_RESKEY_tgtd_socket="$SOCK" OCF_RESKEY_state_dir="$STATE"
  OCF_RESKEY_manage_daemon=false OCF_RESKEY_portals="$PORTAL:3260" "$BUILD/iet-target")
SAN_TARGET=("$BUILD/san-target" --config "$CONF" --socket "$SOCK" --state-dir "$STATE"
  --portals "$PORTAL:3260")

# ini SHOWN CMD...: the same on the initiator, with the CHAP credentials of targets.conf's vol0.
ini() {
  printf '  initiator$ %s\n' "$1"
  shift
  ip netns exec "$INI" env LIBISCSI_CHAP_USERNAME="$CHAP_USER" LIBISCSI_CHAP_PASSWORD="$CHAP_SECRET" \
    "$@" >"$TMP/out" 2>&1
  local rc=$?
  shown <"$TMP/out"
  [ "$rc" = 0 ] || echo "      → exit $rc"
  return "$rc"
}
# ini_brief KEEP SHOWN CMD...: like ini, printing only the output lines matching the regex KEEP.
ini_brief() {
  local keep=$1
  shift
  ini "$@" >/dev/null
  local rc=$?
  printf '  initiator$ %s\n' "$1"
  grep -E -- "$keep" "$TMP/out" | shown
  [ "$rc" = 0 ] || echo "      → exit $rc"
  return "$rc"
}
# quiet initiator commands whose output the story condenses into a table
ini_q() {
  ip netns exec "$INI" env LIBISCSI_CHAP_USERNAME="$CHAP_USER" LIBISCSI_CHAP_PASSWORD="$CHAP_SECRET" \
    "$@" 2>/dev/null </dev/null
}
url() { echo "iscsi://$PORTAL/$1/$2"; }
serial() { ini_q iscsi-inq -i "$INAME" -e 1 -c 128 "$(url "$1" "$2")" | sed -n 's/^Unit Serial Number:\[ *\(.*\)\]$/\1/p'; }
devid() {  # the T10 vendor designator of VPD 0x83, where tgt puts scsi_id
  ini_q iscsi-inq -i "$INAME" -e 1 -c 131 "$(url "$1" "$2")" |
    awk '/T10_VENDORT_ID/ {t = 1} t && /^Designator:\[/ {sub(/^Designator:\[/, ""); sub(/\]$/, ""); print; exit}'
}
size() { ini_q iscsi-readcapacity16 -i "$INAME" "$(url "$1" "$2")" | sed -n 's/^Total size:\([0-9]*\)$/\1/p'; }

# inventory: what the initiator sees. SendTargets discovery with the discovery CHAP user, then
# LUNs 1..4 of every target offered, asked directly with the login CHAP user (iscsi-ls -s would
# log in to every target with the discovery user). Prints a table; sets SEEN ("IQN LUN SN ID BYTES"
# per LUN found).
inventory() {
  ini "iscsi-ls -i $INAME iscsi://$DISC_USER%***@$PORTAL/   # discovery" \
    iscsi-ls -i "$INAME" "iscsi://$DISC_USER%$DISC_SECRET@$PORTAL/" || unexpected "discovery failed"
  local targets iqn lun s
  targets=$(sed -n 's/^Target:\([^ ]*\) Portal:.*/\1/p' "$TMP/out" | sort)
  echo "  initiator$ iscsi-inq -i $INAME -e 1 -c 128 iscsi://$PORTAL/TARGET/LUN   # VPD 0x80: unit serial"
  echo "  initiator$ iscsi-inq -i $INAME -e 1 -c 131 iscsi://$PORTAL/TARGET/LUN   # VPD 0x83: device id"
  echo "  initiator$ iscsi-readcapacity16 -i $INAME iscsi://$PORTAL/TARGET/LUN    # for LUN 1..4 of each"
  printf '      %-36s %-4s %-18s %-18s %s\n' target LUN "serial (0x80)" "id (0x83)" size
  SEEN=
  for iqn in $targets; do
    for lun in 1 2 3 4; do
      s=$(serial "$iqn" "$lun")
      [ -n "$s" ] || continue
      local d z
      d=$(devid "$iqn" "$lun") z=$(size "$iqn" "$lun")
      printf '      %-36s %-4s %-18s %-18s %s MiB\n' "$iqn" "$lun" "$s" "$d" "$((${z:-0} / 1048576))"
      SEEN+="$iqn $lun $s $d ${z:-0}"$'\n'
    done
  done
}
luns_seen() { printf '%s' "$SEEN" | awk '{print $1, $2}' | sort; }
luns_wanted() { file_luns | awk '$6 == "yes" {print $1, $2}' | sort; }

# What the example file says, for checking: "IQN LUN PATH SCSI_ID SCSI_SN VISIBLE" per LUN line,
# VISIBLE = the target admits this initiator's address 192.0.2.10 (no allow-address, or listed).
file_luns() {
  awk '{ sub(/#.*/, ""); gsub(/,/, " ") }
    $1 == "iqn-prefix" { pfx = $2 }
    $1 == "target" { t = ($2 ~ /^(iqn|eui)\./) ? $2 : pfx ":" $2; allow[t] = "" }
    $1 == "allow-address" { for (i = 2; i <= NF; i++) allow[t] = allow[t] " " $i }
    $1 == "lun" { id = sn = "-"
      for (i = 4; i <= NF; i++) { split($i, kv, "=")
        if (kv[1] == "scsi_idsn") id = sn = kv[2]; if (kv[1] == "scsi_id") id = kv[2]; if (kv[1] == "scsi_sn") sn = kv[2] }
      n++; lt[n] = t; line[n] = t " " $2 " " $3 " " id " " sn }
    END { for (i = 1; i <= n; i++) print line[i], (allow[lt[i]] == "" || index(allow[lt[i]] " ", " 192.0.2.10 ")) ? "yes" : "no" }' "$CONF"
}

say "5. The storage processor serves ha-examples/targets.conf from tgtd"
# The demo's copy: every backing path moved under $TMP/disks (a 64 MiB file instead of an LV).
awk -v d="$TMP/disks" '$1 == "lun" { i = index($0, $3); $0 = substr($0, 1, i - 1) d substr($0, i) } { print }' \
  "$EXAMPLE" >"$CONF"
chmod 600 "$CONF"
while read -r _ _ path _; do mkdir -p "$(dirname "$path")" && truncate -s 64M "$path"; done < <(file_luns)
read -r DISC_USER DISC_SECRET < <(awk '$1 == "target" {exit} $1 == "incoming-user" {print $2, $3; exit}' "$CONF")
read -r CHAP_USER CHAP_SECRET < <(awk '$1 == "target" {t = $2} t == "vol0" && $1 == "incoming-user" {print $2, $3; exit}' "$CONF")
echo "  (the example with its backing devices replaced by 64 MiB files under $TMP/disks;"
echo "   every sp# command below also gets this sandbox's --config/--socket/--state-dir)"
echo "  sp# grep -E '^ *(iqn-prefix|target|allow|lun) ' /etc/sanha/targets.conf"
grep -E '^ *(iqn-prefix|target|allow|lun) ' "$CONF" | sed -e "s#$TMP/disks##" -e 's/ *#.*//' -e 's/^/      /'
echo "  sp# tgtd -f --iscsi portal=$PORTAL:3260 &"
# tgtd with a private control socket, in a mount namespace with a tmpfs over /run of its own.
ip netns exec "$SP" unshare --mount --propagation private sh -c \
  'mount -t tmpfs sanha-demo /run && mkdir /run/tgtd && exec env TGT_IPC_SOCKET="$0" tgtd -f --iscsi portal="$1":3260' \
  "$SOCK" "$PORTAL" >"$TMP/tgtd.log" 2>&1 &
TGTD=$!
PIDS+=("$TGTD")
for _ in $(seq 1 100); do
  ip netns exec "$SP" env TGT_IPC_SOCKET="$SOCK" tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && break
  sleep 0.05
done
sp "san-target plan" "${SAN_TARGET[@]}" plan
[ $? = 2 ] || unexpected "plan should list the steps to create the file's targets (exit 2)"
sp_brief 'started:|ERROR|exit-reason' \
  "iet-target start      # what pacemaker runs for ocf:sanha:iet-target config=/etc/sanha/targets.conf" \
  "${AGENT_RUN[@]}" start || unexpected "iet-target start failed"
sp "iet-target monitor" "${AGENT_RUN[@]}" monitor || unexpected "monitor does not report running"
sp "san-target status     # per LUN: VPD 0x83 id, 0x80 serial, size; sessions" "${SAN_TARGET[@]}" status ||
  unexpected "status failed"
grep -q "^in sync" "$TMP/out" || unexpected "status should say the daemon is in sync with the file"

say "6. The initiator ($INAME at 192.0.2.10) lists the targets, LUNs and serials"
echo "  initiator$ export LIBISCSI_CHAP_USERNAME=$CHAP_USER LIBISCSI_CHAP_PASSWORD=***   # vol0's login CHAP user"
inventory
[ "$(luns_seen)" = "$(luns_wanted)" ] || unexpected "the initiator should see exactly: $(luns_wanted | tr '\n' ' ')"
file_luns | awk '$6 == "no" {print "  (" $1 " admits only its allow-address networks: not offered to 192.0.2.10)"}' | sort -u
while read -r iqn lun _ id sn vis; do
  [ "$vis" = yes ] || continue
  printf '%s' "$SEEN" | grep -qx "$iqn $lun $sn $id 67108864" ||
    unexpected "$iqn LUN $lun should carry serial $sn and id $id and 64 MiB"
done < <(file_luns)

read -r R_IQN R_LUN R_PATH R_ID R_SN _ < <(file_luns | awk '$6 == "yes"' | head -1)
say "7. Live resize: $R_IQN LUN $R_LUN grows from 64 to 96 MiB, tgtd keeps running"
sp "lvextend -L 96M ${R_PATH#"$TMP"/disks}      # here: truncate -s 96M on its backing file" \
  truncate -s 96M "$R_PATH"
ini_brief '^Total size' "iscsi-readcapacity16 -i $INAME $(url "$R_IQN" "$R_LUN")   # still the old size" \
  iscsi-readcapacity16 -i "$INAME" "$(url "$R_IQN" "$R_LUN")"
grep -qx 'Total size:67108864' "$TMP/out" || unexpected "before the reconcile tgt should still present 64 MiB"
# A grown device is a pending change, not drift: the monitor succeeds (Pacemaker must not restart
# the service) and says what an apply or reload would do.
sp "OCF_CHECK_LEVEL=10 iet-target monitor   # pending, not drift: success with a warning" \
  env OCF_CHECK_LEVEL=10 "${AGENT_RUN[@]}" monitor || unexpected "a grown device must not fail the monitor"
grep -qi pending "$TMP/out" || unexpected "the monitor should report the grown device as pending"
sp "san-target plan" "${SAN_TARGET[@]}" plan
[ $? = 2 ] || unexpected "plan should list the re-presentation (exit 2)"
sp "san-target apply" "${SAN_TARGET[@]}" apply || unexpected "apply failed"
ini_brief '^Total size' "iscsi-readcapacity16 -i $INAME $(url "$R_IQN" "$R_LUN")" \
  iscsi-readcapacity16 -i "$INAME" "$(url "$R_IQN" "$R_LUN")"
grep -qx 'Total size:100663296' "$TMP/out" || unexpected "after apply the initiator should read 96 MiB"
kill -0 "$TGTD" 2>/dev/null || unexpected "tgtd should have kept running through the resize"
[ "$(serial "$R_IQN" "$R_LUN")" = "$R_SN" ] && [ "$(devid "$R_IQN" "$R_LUN")" = "$R_ID" ] &&
  echo "  → same serial $R_SN and id $R_ID after the re-presentation: the initiator sees the same disk, larger" ||
  unexpected "the re-presented LUN lost its serial/id"

read -r D_IQN D_LUN D_PATH _ < <(file_luns | awk '$6 == "yes"' | sed -n 2p)
say "8. LUN $D_LUN of $D_IQN is dropped from the file"
D_SHOWN=${D_PATH#"$TMP"/disks}
sp "sed -i '\\#$D_SHOWN#d' /etc/sanha/targets.conf" sed -i "\\#$D_PATH#d" "$CONF"
sp "san-target plan" "${SAN_TARGET[@]}" plan
[ $? = 2 ] || unexpected "plan should list the removal (exit 2)"
sp_brief 'INFO: (hold|close|delete|release) |held for|reloaded|ERROR|exit-reason' \
  "iet-target reload     # what pacemaker runs after the file changed" "${AGENT_RUN[@]}" reload ||
  unexpected "reload failed"
inventory
if [ "$(luns_seen)" = "$(luns_wanted)" ] && ! luns_seen | grep -qx "$D_IQN $D_LUN"; then
  echo "  → $D_IQN LUN $D_LUN is gone; the other LUNs are untouched"
else
  unexpected "the initiator should now see exactly: $(luns_wanted | tr '\n' ' ')"
fi
sp "iet-target monitor" "${AGENT_RUN[@]}" monitor || unexpected "monitor after reload does not report running"

say "9. Pacemaker stops the resource: the file's targets are removed"
sp_brief 'held for|delete (target|account)|ERROR|exit-reason' "iet-target stop" "${AGENT_RUN[@]}" stop || unexpected "stop failed"
sp "tgtadm --lld iscsi --op show --mode target" env TGT_IPC_SOCKET="$SOCK" tgtadm --lld iscsi --op show --mode target
[ -s "$TMP/out" ] && unexpected "targets left in tgtd after stop"
sp "iet-target monitor" "${AGENT_RUN[@]}" monitor
[ $? = 7 ] || unexpected "monitor after stop should say not running (7)"
left=$( (ip netns exec "$SP" iptables -S; ip netns exec "$SP" nft list ruleset) | grep -c sanha-target)
[ "$left" = 0 ] || unexpected "$left firewall rules of sanha-target left behind"
kill -9 "$TGTD" 2>/dev/null
wait "$TGTD" 2>/dev/null
[ "$TARGET_RESULT" = 0 ] && echo "  → every step behaved: LUNs with their serials, a live resize, a dropped LUN gone."
