#!/bin/bash
# Hostile input against a real tgtd, with the real programs around it:
#  - the offline config (san-target apply --offline) loaded by tgt's own boot tool (tgt-admin -e)
#    with values that are hostile but allowed: the running state equals the file, CHAP logins
#    work with the exact secret, pinned tids survive; disallowed characters are refused with
#    file:line and nothing is written; the output is 0600, replaces a planted symlink and never
#    keeps an old file's mode;
#  - libiscsi initiators whose InitiatorName carries newlines and forged "Target N:" lines, logged
#    in while san-target status/apply and the iet-target agent's monitor and stop run;
#  - a FIFO, /dev/zero, a missing and an empty target file, one disk under two paths, tid 07,
#    a bad --firewall: each refused at once, nothing changed.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../support/tgtd_testbed.sh"
require_program tgt-admin
AGENT=$SANHA_BUILD/iet-target
start_tgtd
T() { tgtadm --lld iscsi "$@"; }
show() { T --op show --mode target; }
# agent CONFIG ACTION [VAR=VALUE...]: iet-target as pacemaker runs it; sets RC and OUT.
agent() {
  local conf=$1 action=$2
  shift 2
  OUT=$(ip netns exec "$SRV" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=hostile \
    HA_RSCTMP="$T_TMP/rsc" OCF_RESKEY_config="$conf" OCF_RESKEY_tgtd_socket="$TGT_IPC_SOCKET" \
    OCF_RESKEY_state_dir="$STATE" OCF_RESKEY_manage_daemon=false OCF_RESKEY_firewall=none \
    OCF_RESKEY_portals=192.0.2.1:3260 "$@" "$AGENT" "$action" 2>&1)
  RC=$?
}
mkdir -p "$T_TMP/rsc" "$T_TMP/out"
empty_daemon() {
  local tid
  for tid in $(show | sed -n 's/^Target \([0-9]*\):.*/\1/p'); do
    T --op delete --mode target --force --tid "$tid" >/dev/null 2>&1
  done
  for u in $(T --op show --mode account | sed -n 's/^    //p'); do
    T --op delete --mode account --user "$u" >/dev/null 2>&1
  done
}

# ---- 1. the offline config through tgt-admin --------------------------------------------------
SECRET='a%b+c=d,e:f@g/h.i_j-k'
IMG="$T_TMP/a%b+c@d:e_f-g.img"
truncate -s 8M "$IMG" "$T_TMP/b1.img"
cat >"$CONF" <<CONF
iqn-prefix $IQN
target alpha
  incoming-user al.ph@a:1 $SECRET
  lun 1 $IMG scsi_idsn=ID-A.1:x
target beta
  tid 5
  allow-address 192.0.2.2
  lun 1 $T_TMP/b1.img scsi_idsn=ID-B1
CONF
OFF=$T_TMP/out/sanha.conf
echo old >"$OFF"
chmod 0644 "$OFF"
st apply --offline --output "$OFF"
check "apply --offline with hostile but allowed values" 0 "$RC"
check "the offline file is 0600, not the old file's 0644" 600 "$(stat -c %a "$OFF")"
check_match "the pinned tid is in the offline file" "controller_tid 5" "$(cat "$OFF")"
echo keep >"$T_TMP/victim"
chmod 0666 "$T_TMP/victim"
rm -f "$OFF"
ln -s "$T_TMP/victim" "$OFF"
st apply --offline --output "$OFF"
check "apply --offline over a planted symlink" 0 "$RC"
check "...replaces the link with a regular file" "regular file" "$(stat -c %F "$OFF")"
check "...and never writes through it" keep "$(cat "$T_TMP/victim")"
touch "$T_TMP/out/sanha.conf.tmp.deadbeef"
st apply --offline --output "$OFF"
check "a temporary left by a killed run is removed" no "$(compgen -G "$T_TMP/out/*.tmp.*" >/dev/null && echo yes || echo no)"

ip netns exec "$SRV" env TGT_IPC_SOCKET="$TGT_IPC_SOCKET" tgt-admin -e -c "$OFF" >"$T_TMP/tgt-admin.log" 2>&1
check "tgt-admin -e loads the offline file" 0 "$?"
S=$(show)
check_match "tgt-admin: alpha got tid 1" "^Target 1: $IQN:alpha$" "$S"
check_match "tgt-admin: the pinned tid 5 of beta survived" "^Target 5: $IQN:beta$" "$S"
check "tgt-admin: the backing path is exact" yes \
  "$(printf '%s\n' "$S" | grep -qxF "            Backing store path: $IMG" && echo yes)"
check_match "tgt-admin: the identity is exact" "SCSI ID: ID-A.1:x" "$S"
check_match "tgt-admin: beta's ACL" "^        192.0.2.2$" "$S"
CAP=$(in_cli env LIBISCSI_CHAP_USERNAME=al.ph@a:1 LIBISCSI_CHAP_PASSWORD="$SECRET" \
  iscsi-readcapacity16 -i iqn.2024-01.test:client "$(url alpha/1)" 2>&1 | sed -n 's/^Total size://p')
check "CHAP login with the exact secret (no '#' cut, no shell expansion)" 8388608 "$CAP"
CAP=$(in_cli env LIBISCSI_CHAP_USERNAME=al.ph@a:1 LIBISCSI_CHAP_PASSWORD=wrong-secret-12 \
  iscsi-readcapacity16 -i iqn.2024-01.test:client "$(url alpha/1)" 2>&1 | sed -n 's/^Total size://p')
check "...and refused with another secret" "" "$CAP"
check "no command ran from a value at boot" "" "$(ls /tmp/sanha-pwned* 2>/dev/null)"
empty_daemon

# Disallowed characters: refused with file:line, nothing written.
n=0
# shellcheck disable=SC2016  # the values are meant literally
for bad in '#' '$(touch /tmp/sanha-pwned)' '`touch /tmp/sanha-pwned`' ';touch /tmp/sanha-pwned' \
  '&touch /tmp/sanha-pwned' '|touch /tmp/sanha-pwned' '>/tmp/sanha-pwned' '<x>' '\x' '"x' "'x" '*' '?' '~' '!' '{a,b}' '[x]' '^'; do
  printf 'target %s:a\n  incoming-user u abcdefghijkl%s\n  lun 1 %s\n' "$IQN" "$bad" "$T_TMP/b1.img" >"$T_TMP/bad.conf"
  rm -f "$T_TMP/out/bad.conf"
  OUT2=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$T_TMP/bad.conf" apply --offline --output "$T_TMP/out/bad.conf" 2>&1)
  rc=$?
  if [ "$rc" = 1 ] && [[ $OUT2 == *"bad.conf:2: "* ]] && [ ! -e "$T_TMP/out/bad.conf" ] && [[ $OUT2 != *abcdefghijkl* ]]; then
    n=$((n + 1))
  else
    not_ok "secret with '$bad' (rc $rc): $OUT2"
  fi
  printf 'target %s:a\n  lun 1 %s/x%s\n' "$IQN" "$T_TMP" "$bad" >"$T_TMP/bad.conf"
  OUT2=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$T_TMP/bad.conf" apply --offline --output "$T_TMP/out/bad.conf" 2>&1)
  rc=$?
  if [ "$rc" = 1 ] && [[ $OUT2 == *"bad.conf:2: "* ]] && [ ! -e "$T_TMP/out/bad.conf" ]; then
    n=$((n + 1))
  else
    not_ok "path with '$bad' (rc $rc): $OUT2"
  fi
done
check "every disallowed character refused with file:line, nothing written ($n cases)" 36 "$n"
check "no command ran" "" "$(ls /tmp/sanha-pwned* 2>/dev/null)"

# ---- 2. hostile initiator names ---------------------------------------------------------------
truncate -s 8M "$T_TMP/a1.img" "$T_TMP/c1.img"
cat >"$CONF" <<CONF
iqn-prefix $IQN
target alpha
  lun 1 $T_TMP/a1.img scsi_idsn=ID-A1
target gamma
  tid 3
  lun 1 $T_TMP/c1.img scsi_idsn=ID-C1
CONF
st --firewall none apply
check "apply alpha and gamma" 0 "$RC"
NL=$'\n'
HDR="    System information:${NL}        Driver: iscsi${NL}        State: ready${NL}    I_T nexus information:"
FORGED="iqn.2024-01.evil:a${NL}Target 2: $IQN:ghost${NL}$HDR${NL}        I_T nexus: 77${NL}            Initiator: iqn.2024-01.evil:b"
GARBAGE="not an iqn; rm -rf /${NL}	Target: ???${NL}  odd indent"
bg P1 ip netns exec "$CLI" iscsi-perf -i "$FORGED" "$(url alpha/1)"
bg P2 ip netns exec "$CLI" iscsi-perf -i "$GARBAGE" "$(url alpha/1)"
for _ in $(seq 100); do [ "$(show | grep -c 'I_T nexus: [0-9]')" -ge 3 ] && break; sleep 0.1; done
check_match "tgtd prints the forged target line verbatim" "^Target 2: $IQN:ghost" "$(show)"

st --firewall none status
check "status with hostile initiators logged in" 0 "$RC"
check_match "...reports the anomalies" "anomaly: .*target 2 does not exist" "$OUT"
check_match "...and stays in sync (gamma keeps its LUN)" "in sync with" "$OUT"
check_no_match "...never lists the ghost as a target" "^target .*ghost" "$OUT"
st --firewall none status --json
check "status --json is valid JSON with the anomalies" yes "$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("yes" if d["anomalies"] and not any("ghost" in t["name"] for t in d["targets"]) else "no")')"

# An apply that would delete gamma is refused while the listing has anomalies.
sed '/^target gamma/,$d' "$CONF" >"$T_TMP/alpha-only.conf"
OUT=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$T_TMP/alpha-only.conf" --state-dir "$STATE" \
  --firewall none apply 2>&1)
check "apply that deletes is refused with a forged listing" 1 "$?"
check_match "...saying why" "refusing to .*forged" "$OUT"
check_match "...and gamma is still there" "^Target 3: $IQN:gamma$" "$(show)"

agent "$CONF" monitor OCF_CHECK_LEVEL=0
check "agent monitor (depth 0) with hostile initiators" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT"
agent "$CONF" monitor OCF_CHECK_LEVEL=10
check "agent monitor (depth 10) with hostile initiators" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT"
agent "$CONF" stop
check "agent stop with hostile initiators" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT"
check "...removed both targets" "" "$(show | grep '^Target')"
kill -9 "$P1" "$P2" 2>/dev/null
wait "$P1" "$P2" 2>/dev/null

# ---- 3. target files that are not files, or say nothing ---------------------------------------
st --firewall none apply
mkfifo "$T_TMP/fifo.conf"
OUT=$(ip netns exec "$SRV" timeout -s KILL 20 "$SAN_TARGET" --config "$T_TMP/fifo.conf" --state-dir "$STATE" status 2>&1)
check "a FIFO target file is refused at once (no hang)" 1 "$?"
check_match "...saying so" "not a regular file" "$OUT"
OUT=$(ip netns exec "$SRV" timeout -s KILL 20 "$SAN_TARGET" --config /dev/zero --state-dir "$STATE" apply 2>&1)
check "/dev/zero as target file is refused at once" 1 "$?"
agent "$T_TMP/fifo.conf" monitor
check "agent monitor on a FIFO target file: not configured (6)" 6 "$RC"
agent "$T_TMP/missing.conf" start
check "agent start with a missing target file: not installed (5)" 5 "$RC"
mkdir "$T_TMP/dir.conf"
agent "$T_TMP/dir.conf" start
check "agent start with a directory as target file: not installed (5)" 5 "$RC"
: >"$T_TMP/empty.conf"
OUT=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$T_TMP/empty.conf" --state-dir "$STATE" --firewall none apply 2>&1)
check "an empty target file is refused" 1 "$?"
check_match "...naming the marker" "no-targets yes" "$OUT"
check "...and no target was removed" 2 "$(show | grep -c '^Target')"

ln -s "$T_TMP/a1.img" "$T_TMP/alias.img"
printf 'iqn-prefix %s\ntarget alpha\n lun 1 %s\ntarget gamma\n tid 3\n lun 1 %s\n' \
  "$IQN" "$T_TMP/a1.img" "$T_TMP/alias.img" >"$T_TMP/dup.conf"
OUT=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$T_TMP/dup.conf" --state-dir "$STATE" --firewall none apply 2>&1)
check "one image under two paths (symlink) is refused" 1 "$?"
check_match "...naming both" "dup.conf:6: lun 1: backing path .*alias.img is the same device as" "$OUT"
check_match "...gamma keeps its own image" "Backing store path: $T_TMP/c1.img" "$(show)"
printf 'iqn-prefix %s\ntarget alpha\n tid 7\n lun 1 %s\ntarget gamma\n tid 07\n lun 1 %s\n' \
  "$IQN" "$T_TMP/a1.img" "$T_TMP/c1.img" >"$T_TMP/tid.conf"
OUT=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$T_TMP/tid.conf" --state-dir "$STATE" --firewall none apply 2>&1)
check "tid 7 and tid 07 are one tid" 1 "$?"
check "...and nothing changed" "1 3" "$(show | sed -n 's/^Target \([0-9]*\):.*/\1/p' | xargs)"

OUT=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$CONF" --state-dir "$STATE" --firewall bogus apply 2>&1)
check "--firewall bogus is refused" 1 "$?"
check_match "...as the agent refuses it" "--firewall: 'bogus' is not auto, nft, iptables or none" "$OUT"
OUT=$(ip netns exec "$SRV" "$SAN_TARGET" --config "$CONF" --state-dir "$STATE" --firewall-chain 'x;y' apply 2>&1)
check "--firewall-chain with a bad name is refused" 1 "$?"
check "...and no journal was written" no "$([ -e "$STATE/journal" ] && echo yes || echo no)"
check "state files are private" "700 600 600" "$(stat -c %a "$STATE" "$STATE/key" "$STATE/records" | xargs)"
finish
