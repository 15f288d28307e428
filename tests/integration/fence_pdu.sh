#!/bin/bash
# End to end: the built fence_apc_pdu against simulated APC PDUs (snmpd + pass_persist handler)
# in a private network namespace. Every action, SNMP v1/v2c/v3, dual feeds verified in the SET log,
# outlet names, and the fault cases: stuck outlet, refused SET, refused power-on during reboot,
# wrong community, dead and slow PDUs, plus pacemaker's stdin form and stonith_admin metadata.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
require_root
require_program snmpd
require_program snmpget
require_program python3
require_program xmllint
# shellcheck source=tests/integration/fence/pdu_lib.sh
source "$(dirname "$0")/fence/pdu_lib.sh"

new_netns NS fence
export PDU_LOG=$T_TMP/set.log
: >"$PDU_LOG"
start_pdu a rpdu 1161 node1-psu1 node2-psu1 db1 db1 spare6 spare7 spare8 spare9
start_pdu b rpdu 1162 node1-psu2 node2-psu2 x3 x4 x5 x6 x7 x8
A=(ip=127.0.0.1:1161 community=private)
# shellcheck disable=SC2054  # the comma is part of one value: both PDUs of a dual feed
AB=(ip=127.0.0.1:1161,127.0.0.1:1162 community=private)
sets() { cat "$PDU_LOG"; }
clear_log() { : >"$PDU_LOG"; }

# --- metadata ---------------------------------------------------------------------------------
RNG=/usr/share/cluster/relaxng/metadata.rng
check "metadata (command line) is valid against fence-agents' metadata.rng" 0 \
  "$("$AGENT" -o metadata | xmllint --noout --relaxng $RNG - >/dev/null 2>&1; echo $?)"
check "metadata (stdin) is the same text" "$("$AGENT" -o metadata)" \
  "$(echo action=metadata | "$AGENT")"

# --- every action, v1 (fence-agents' default version) ---------------------------------------
fence "${A[@]}" snmp_version=1 action=status plug=2
check "status of an on outlet: exit 0" 0 "$RC"
check "...prints Status: ON" "Status: ON" "$OUT"
clear_log
fence "${A[@]}" snmp_version=1 action=off plug=2
check "off: exit 0" 0 "$RC"
check "...Success: Powered OFF" "Success: Powered OFF" "$OUT"
check "...outlet 2 is off" 2 "$(outlet a 2)"
check "...one SET, outlet 2 to off" "a set 2 2" "$(sets)"
fence "${A[@]}" snmp_version=1 action=status plug=2
check "status of an off outlet: exit 2" 2 "$RC"
check "...prints Status: OFF" "Status: OFF" "$OUT"
fence "${A[@]}" action=on plug=2
check "on: exit 0" 0 "$RC"
check "...outlet 2 is on" 1 "$(outlet a 2)"
clear_log
fence "${A[@]}" action=reboot plug=node2-psu1
check "reboot by name: exit 0" 0 "$RC"
check "...Success: Rebooted" "Success: Rebooted" "$OUT"
check "...off then on" "a set 2 2 a set 2 1" "$(sets | tr '\n' ' ' | sed 's/ $//')"
check "...ends on" 1 "$(outlet a 2)"
fence "${A[@]}" action=list
check "list: exit 0" 0 "$RC"
check "...numbers and names" "1,node1-psu1 2,node2-psu1 3,db1" "$(echo "$OUT" | head -3 | tr '\n' ' ' | sed 's/ $//')"
fence "${A[@]}" snmp_version=1 action=list
check "list over v1 (GETNEXT walk ends cleanly)" "8 8,spare9" "$(echo "$OUT" | wc -l) $(echo "$OUT" | tail -1)"
fence "${A[@]}" action=list-status
check_match "list-status shows states" "^2,node2-psu1,ON$" "$OUT"
fence "${A[@]}" action=monitor
check "monitor: exit 0" 0 "$RC"
fence "${A[@]}" action=validate-all plug=1
check "validate-all: exit 0" 0 "$RC"
fence "${A[@]}" action=validate-all plug=1 snmp_version=5
check "validate-all with a bad version: exit 1" 1 "$RC"
check_match "...one line naming the problem" "^Failed: snmp_version=5 is not one of" "$ERR"

# --- command line (Boost.Program_options) = stdin --------------------------------------------
OUT=$(ip netns exec "$NS" "$AGENT" --ip 127.0.0.1:1161 -c private --plug 3 --action status 2>&1)
check "command-line status" "Status: ON" "$OUT"
OUT=$(ip netns exec "$NS" "$AGENT" --ip 127.0.0.1:1161 --bogus 2>&1)
check "unknown option: exit 1" 1 "$?"

# --- SNMPv2c and v3 -----------------------------------------------------------------------------
fence ip=127.0.0.1:1161 community=private snmp_version=2c action=status plug=1
check "v2c status" 0 "$RC"
for user in "v3md5 MD5 DES" "v3sha SHA AES" "v3sha256 SHA256 AES" "v3sha512 SHA512 AES256"; do
  read -r u auth priv <<<"$user"
  fence ip=127.0.0.1:1161 snmp_version=3 username="$u" password=authpass123 snmp_auth_prot="$auth" \
    snmp_priv_prot="$priv" snmp_priv_passwd=privpass123 snmp_sec_level=authPriv action=off plug=7
  check "v3 $auth/$priv off" "0 2" "$RC $(outlet a 7)"
  fence ip=127.0.0.1:1161 snmp_version=3 username="$u" password=authpass123 snmp_auth_prot="$auth" \
    snmp_priv_prot="$priv" snmp_priv_passwd=privpass123 action=on plug=7
  check "v3 $auth/$priv on (security level from the passwords)" "0 1" "$RC $(outlet a 7)"
done
fence ip=127.0.0.1:1161 snmp_version=3 username=v3auth password=authpass123 snmp_auth_prot=SHA \
  snmp_sec_level=authNoPriv action=status plug=1
check "v3 authNoPriv status" 0 "$RC"
fence ip=127.0.0.1:1161 snmp_version=3 username=v3sha password=wrongpass123 snmp_auth_prot=SHA \
  snmp_priv_prot=AES snmp_priv_passwd=privpass123 action=off plug=7
check "v3 wrong password: exit 1" 1 "$RC"
check_match "...says authentication failed" "Authentication failure" "$ERR"
check "...outlet untouched" 1 "$(outlet a 7)"
echo authpass123 >"$T_TMP/authpw"
fence ip=127.0.0.1:1161 snmp_version=3 username=v3sha "password_script=/bin/cat $T_TMP/authpw" \
  snmp_priv_prot=AES snmp_priv_passwd=privpass123 action=status plug=1
check "v3 password from password_script" 0 "$RC"

# No snmpset/snmpget is forked and no secret reaches an argv.
printf '%s\n' ip=127.0.0.1:1161 snmp_version=3 username=v3sha password=authpass123 \
  snmp_priv_prot=AES snmp_priv_passwd=privpass123 action=reboot plug=8 |
  ip netns exec "$NS" strace -f -qq -e trace=execve -o "$T_TMP/strace" "$AGENT" >/dev/null 2>&1
check "reboot execs nothing but the agent itself" 1 "$(grep -c execve "$T_TMP/strace")"
check_no_match "...and no secret is in any argv" "authpass|privpass" "$(cat "$T_TMP/strace")"

# --- dual feeds, several outlets ---------------------------------------------------------------
clear_log
fence "${AB[@]}" action=off plug=pdu1:3,pdu2:3,pdu1:4
check "off on two PDUs, three outlets: exit 0" 0 "$RC"
check "...exactly these SETs" "a set 3 2,a set 4 2,b set 3 2" "$(sets | sort | paste -sd,)"
check "...all read back off" "2 2 2" "$(outlet a 3) $(outlet a 4) $(outlet b 3)"
check "...nothing else switched" "1 1" "$(outlet b 4) $(outlet a 2)"
fence "${AB[@]}" action=status plug=pdu1:3,pdu2:3
check "status of the dual-fed node: off (2)" 2 "$RC"
fence "${AB[@]}" action=on plug=pdu1:3,pdu2:3,pdu1:4
clear_log
fence "${AB[@]}" action=off plug=1,2
check "plug=1,2 on two PDUs switches four outlets" "a set 1 2,a set 2 2,b set 1 2,b set 2 2" \
  "$(sets | sort | paste -sd,)"
fence "${AB[@]}" action=on plug=1,2
clear_log
fence "${AB[@]}" action=reboot plug=pdu1:node2-psu1,pdu2:node2-psu2
check "dual-feed reboot: exit 0" 0 "$RC"
check "...both feeds off before either comes back on" "a set 2 2 b set 2 2 a set 2 1 b set 2 1" \
  "$(sets | tr '\n' ' ' | sed 's/ $//')"
fence "${AB[@]}" action=list
check_match "list of two PDUs prefixes the PDU" "^pdu2:2,node2-psu2$" "$OUT"

# --- names --------------------------------------------------------------------------------------
clear_log
fence "${A[@]}" action=off plug=db1
check "ambiguous outlet name: exit 1" 1 "$RC"
check_match "...names both outlets" "ambiguous.*outlets 3, 4" "$ERR"
check "...and switches nothing" "" "$(sets)"
fence "${A[@]}" action=off plug=nosuch
check_match "unknown outlet name is an error" "no outlet named nosuch" "$ERR"

# --- faults ---------------------------------------------------------------------------------------
fault a stuck.5
clear_log
fence "${A[@]}" action=off plug=5 power_timeout=2
check "stuck outlet: exit 1" 1 "$RC"
check_match "...names the outlet and the timeout" "outlet\(s\) 5 not read back off within 2 s" "$ERR"
check "...after power_timeout, not before" 1 "$([ "$MS" -ge 2000 ] && [ "$MS" -lt 4000 ] && echo 1)"
check "...the SET was sent" "a set 5 2" "$(sets)"
reset_pdu a

fault b refuse_on
clear_log
fence "${AB[@]}" action=reboot plug=pdu1:6,pdu2:6
check "reboot with power-on refused on pdu2: exit 0 (the node is off)" 0 "$RC"
check_match "...never claims a reboot" "Powered OFF \(verified\); power ON FAILED" "$OUT"
check_no_match "...no 'Rebooted'" "Rebooted" "$OUT"
check_match "...says what failed where" "power-on failed: .*pdu2" "$ERR"
check "...both outlets were read back off" "a set 6 2 b set 6 2" "$(sets | head -2 | tr '\n' ' ' | sed 's/ $//')"
reset_pdu a
reset_pdu b

fault a refuse_set
fence "${A[@]}" action=off plug=1
check "refused SET: exit 1" 1 "$RC"
check_match "...says so" "refused SET.*notWritable|notWritable" "$ERR"
reset_pdu a

fence ip=127.0.0.1:1161 community=wrong action=status plug=1
check "wrong community: exit 1" 1 "$RC"
check_match "...names the PDU and the likely cause" "PDU 127.0.0.1:1161.*wrong community" "$ERR"
check "...within 3 s with the defaults" 1 "$([ "$MS" -le 3000 ] && echo 1)"

kill -STOP "${PDU_PID[b]}"
fence "${AB[@]}" action=off plug=pdu1:8,pdu2:8
check "dead pdu2 (frozen snmpd): exit 1" 1 "$RC"
check_match "...names pdu2" "pdu2 \(127.0.0.1:1162\).*no answer" "$ERR"
check "...within 3 s with the defaults" 1 "$([ "$MS" -le 3000 ] && echo 1)"
echo "     dead-PDU detection took ${MS} ms"
kill -CONT "${PDU_PID[b]}"
reset_pdu a
# --- bounds: every wait has a ceiling, and the whole action operation_timeout ------------------
clear_log
for bad in snmp_timeout=1000 snmp_timeout=0 snmp_retries=1000000 snmp_retries=-1 \
  power_timeout=100000 power_wait=3600 operation_timeout=0 operation_timeout=99999999999999 \
  snmp_timeout=99999999999999.5 "delay=10 operation_timeout=5"; do
  # shellcheck disable=SC2086  # "delay=10 operation_timeout=5" is two options
  fence "${A[@]}" action=off plug=1 $bad
  check "$bad is refused: exit 1" 1 "$RC"
  check_match "...with a one-line reason naming it" "^Failed: (${bad%%=*}=.* is out of range|.*'.*' is not|delay=.* leaves no time)" "$ERR"
done
check "...and nothing was switched" "" "$(sets)"
check "...outlet 1 still on" 1 "$(outlet a 1)"
ERR=$(head -c 2000000 /dev/zero | tr '\0' a | "$AGENT" 2>&1 >/dev/null)
check_match "more than 1 MiB on stdin is refused, not read without bound" \
  "^Failed: stdin is longer than 1 MiB" "$ERR"
# An empty value means the default (pacemaker sends "key=" for an attribute set to "").
fence "${A[@]}" action=status plug=1 snmp_timeout= snmp_retries= ipport= power_timeout= \
  operation_timeout= delay= snmp_version= community=
check "empty options take their defaults: status works" "0 Status: ON" "$RC $OUT"

# Regression: an off against a silent PDU ran for more than 10 minutes (snmp_timeout and retries
# unbounded, no overall bound). Now the largest waits allowed end at operation_timeout.
# The watchdog only keeps a broken agent from hanging the test (124 would mean it had to fire).
kill -STOP "${PDU_PID[a]}"
for args in "action=off" "action=reboot power_wait=60" "action=status"; do
  t0=$(date +%s%N)
  # shellcheck disable=SC2086  # $args holds several options
  OUT=$(printf '%s\n' "${A[@]}" plug=1 $args snmp_timeout=30 snmp_retries=10 power_timeout=300 \
    operation_timeout=2 | timeout -s KILL 120 ip netns exec "$NS" "$AGENT" 2>"$T_TMP/err")
  RC=$?
  MS=$((($(date +%s%N) - t0) / 1000000))
  ERR=$(cat "$T_TMP/err")
  check "silent PDU, snmp_timeout=30 snmp_retries=10, $args: exit 1 by itself" 1 "$RC"
  check_match "...the reason says the operation_timeout was reached and where" \
    "^Failed: operation_timeout \(2 s\) reached: PDU 127.0.0.1:1161: no answer" "$ERR"
  echo "     $args against a silent PDU ended after ${MS} ms (operation_timeout=2)"
done
kill -CONT "${PDU_PID[a]}"
# A relay that never moves: the read-back ends at operation_timeout, before power_timeout.
fault a stuck.3
fence "${A[@]}" action=off plug=3 power_timeout=300 operation_timeout=2
check "stuck outlet with power_timeout=300, operation_timeout=2: exit 1" 1 "$RC"
check_match "...read-back cut at the operation deadline" \
  "operation_timeout \(2 s\) reached: outlet\(s\) 3 not read back off within the operation deadline" "$ERR"
reset_pdu a
fence "${A[@]}" action=on plug=3

fence ip=127.0.0.1:1169 action=status plug=1 snmp_timeout=0.3 snmp_retries=2
check "closed port: exit 1" 1 "$RC"
check "...after timeout x (retries+1), configurable" 1 "$([ "$MS" -ge 850 ] && [ "$MS" -le 2000 ] && echo 1)"

fault a slow 0.3
fence "${A[@]}" action=off plug=1
check "slow PDU (0.3 s per answer) still fences" "0 2" "$RC $(outlet a 1)"
fault a slow 1.5
fence "${A[@]}" action=on plug=1 snmp_timeout=0.5 snmp_retries=0
check "too slow for snmp_timeout=0.5: exit 1" 1 "$RC"
check_match "...no answer within the timeout" "no answer .* within 500 ms x 1 tries" "$ERR"
sleep 1.6  # let the stale answer drain
reset_pdu a

fault a delay 0.4
fence "${A[@]}" action=off plug=2
check "relay that takes 0.4 s is polled until off" "0 2" "$RC $(outlet a 2)"
check "...took at least the relay's time" 1 "$([ "$MS" -ge 400 ] && echo 1)"
reset_pdu a

# --- pacemaker's calling convention -----------------------------------------------------------
clear_log
OUT=$(printf 'action=off\nport=pdu1:6,pdu2:6\nnodename=node2\nip=127.0.0.1:1161,127.0.0.1:1162\ncommunity=private\npcmk_host_list=node2\n' |
  ip netns exec "$NS" "$AGENT" 2>/dev/null)
check "pacemaker stdin form (action, port, nodename): exit 0" "0 2 2" "$? $(outlet a 6) $(outlet b 6)"
ERR=$(printf 'action=status\nport=pdu1:6\nnodename=node2\nip=127.0.0.1:1161,127.0.0.1:1162\ncomunity=private\n' |
  ip netns exec "$NS" "$AGENT" 2>&1 >/dev/null)
check_match "a misspelt parameter is named in a warning" "ignoring unknown parameter\(s\): comunity$" "$ERR"
check_no_match "...but pacemaker's nodename is not" "nodename" "$ERR"
OUT=$(printf 'action=on\nplug=pdu1:6,pdu2:6\nip=127.0.0.1:1161,127.0.0.1:1162\ncommunity=private\n' |
  ip netns exec "$NS" "$AGENT" 2>/dev/null)
check "...and back on" "0 1 1" "$? $(outlet a 6) $(outlet b 6)"

# stonith_admin finds agents in /usr/sbin: add ours there in a private mount namespace only.
if command -v stonith_admin >/dev/null; then
  mkdir -p "$T_TMP/sbin" "$T_TMP/upper" "$T_TMP/work"
  cp "$AGENT" "$T_TMP/sbin/fence_apc_pdu"
  META=$(unshare -m bash -c "mount -t overlay overlay -o lowerdir=$T_TMP/sbin:/usr/sbin /usr/sbin &&
    stonith_admin --metadata --agent fence_apc_pdu" 2>&1)
  check_match "stonith_admin --metadata reads our metadata" '<resource-agent name="fence_apc_pdu"' "$META"
  check_match "...with our parameters" '<parameter name="snmp_priv_passwd"' "$META"
fi

# --- other models ---------------------------------------------------------------------------------
unset PDU_LOG
start_pdu m6 ms6 1163 m1 m2 m3
start_pdu mp msp 1164 p1 p2 p3
start_pdu mo ms 1165 o1 o2 o3
for spec in "m6 1163 2" "mp 1164 1.2" "mo 1165 2"; do
  read -r name port plug <<<"$spec"
  fence ip=127.0.0.1:"$port" community=private action=off plug="$plug"
  check "$name: off detected the model and switched" "0 2" "$RC $(outlet "$name" 2)"
  fence ip=127.0.0.1:"$port" community=private action=status plug="$plug"
  check "$name: status off" 2 "$RC"
  fence ip=127.0.0.1:"$port" community=private action=on plug="$plug"
  check "$name: on" "0 1" "$RC $(outlet "$name" 2)"
done
check "MasterSwitch plus switched off with 3" "mp set 2 3" "$(head -1 "${PDU_DIR[mp]}/set.log")"
fence ip=127.0.0.1:1164 community=private action=list
check "MasterSwitch plus list shows unit.outlet" "1.1,p1 1.2,p2 1.3,p3" "$(paste -sd' ' <<<"$OUT")"

finish
