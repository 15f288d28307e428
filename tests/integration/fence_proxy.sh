#!/bin/bash
# The SSH stonith proxy end to end: sshd on loopback in a private namespace with forced-command
# keys running `fence_apc_pdu --proxy`, two simulated PDUs behind it, and the agent as client
# (libssh2, host key checked against a known_hosts file, key authentication). Allowed requests
# fence; a node fencing itself, an unknown key, a wrong host key and arbitrary commands are refused.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
require_root
require_program snmpd
require_program python3
require_program /usr/sbin/sshd
require_program ssh-keygen
# shellcheck source=tests/integration/fence/pdu_lib.sh
source "$(dirname "$0")/fence/pdu_lib.sh"

new_netns NS proxy
export PDU_LOG=$T_TMP/set.log
: >"$PDU_LOG"
start_pdu a rpdu 1161 node1-psu1 node2-psu1 spare
start_pdu b rpdu 1162 node1-psu2 node2-psu2 spare

S=$T_TMP/sshd
mkdir -p "$S"
for k in host node1 node2 intruder other_host hang trickle; do
  ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$S/${k}_key"
done
cat >"$S/proxy.conf" <<CONF
# node NAME: its fence device; allow KEY NODE...: who may fence whom
node node1 ip=127.0.0.1:1161,127.0.0.1:1162 plug=pdu1:1,pdu2:1 community=private power_timeout=3
node node2 ip=127.0.0.1:1161,127.0.0.1:1162 plug=pdu1:node2-psu1,pdu2:node2-psu2 community=private
allow node1 node2
allow node2 node1
log $S/proxy.log
CONF
for n in node1 node2; do
  echo "command=\"$AGENT --proxy --proxy-config=$S/proxy.conf --proxy-key=$n\",restrict $(cat "$S/${n}_key.pub")"
done >"$S/authorized_keys"
# Peers that authenticate and then never answer, or answer one byte at a time (each read then
# succeeds within the per-read timeout, forever). Both end when the client disconnects.
echo "command=\"cat\",restrict $(cat "$S/hang_key.pub")" >>"$S/authorized_keys"
echo "command=\"while printf .; do sleep 0.3; done\",restrict $(cat "$S/trickle_key.pub")" >>"$S/authorized_keys"
cat >"$S/sshd_config" <<CONF
Port 2222
ListenAddress 127.0.0.1
HostKey $S/host_key
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin forced-commands-only
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
LogLevel VERBOSE
CONF
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$S/host_key.pub")" >"$S/known_hosts"
echo "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$S/other_host_key.pub")" >"$S/wrong_known_hosts"
: >"$S/empty_known_hosts"
# sshd needs /run/sshd: a private tmpfs /run in its own mount namespace leaves the host alone.
bg SSHD ip netns exec "$NS" unshare -m sh -c \
  "mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec /usr/sbin/sshd -D -e -f $S/sshd_config" \
  2>"$S/sshd.log"
for _ in $(seq 1 100); do
  ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/2222' 2>/dev/null && break
  sleep 0.05
done

via() {  # via KEY KNOWN_HOSTS key=value...: the agent as a cluster node calls it
  local key=$1 kh=$2
  shift 2
  fence ssh_proxy=127.0.0.1:2222 ssh_user=root ssh_identity="$S/${key}_key" ssh_known_hosts="$S/$kh" "$@"
}
sets() { cat "$PDU_LOG"; }

via node1 known_hosts action=off plug=node2
check "node1 fences node2 through the proxy: exit 0" 0 "$RC"
check "...Success: Powered OFF" "Success: Powered OFF" "$OUT"
check "...both of node2's outlets off, node1's on" "2 2 1 1" "$(outlet a 2) $(outlet b 2) $(outlet a 1) $(outlet b 1)"
check "...the proxy logged it" 1 "$(grep -c 'key node1 off node2: exit 0' "$S/proxy.log")"
via node1 known_hosts action=status plug=node2
check "status through the proxy: exit 2 when off" "2 Status: OFF" "$RC $OUT"
via node1 known_hosts action=on plug=node2
check "on through the proxy" "0 1 1" "$RC $(outlet a 2) $(outlet b 2)"
: >"$PDU_LOG"
via node1 known_hosts action=reboot plug=node2
check "reboot through the proxy" "0 Success: Rebooted" "$RC $OUT"
check "...off-all then on-all on the PDUs" "a set 2 2 b set 2 2 a set 2 1 b set 2 1" "$(sets | paste -sd' ')"
via node1 known_hosts action=monitor
check "monitor through the proxy checks the PDUs of the key's targets" 0 "$RC"
via node2 known_hosts action=list
check "list names what the key may fence" "node1,node1" "$OUT"
OUT=$(printf 'action=off\nport=node1\nnodename=node1\nssh_proxy=127.0.0.1:2222\nssh_user=root\nssh_identity=%s\nssh_known_hosts=%s\n' \
  "$S/node2_key" "$S/known_hosts" | ip netns exec "$NS" "$AGENT" 2>/dev/null)
check "pacemaker stdin form through the proxy (node2 fences node1)" "0 2 2" "$? $(outlet a 1) $(outlet b 1)"
via node2 known_hosts action=on plug=node1

# Refusals: nothing is switched.
: >"$PDU_LOG"
via node1 known_hosts action=off plug=node1
check "node1 may not fence itself: exit 1" 1 "$RC"
check_match "...the proxy says why" "stonith proxy refused: key node1 may not fence node1" "$ERR"
check "...logged as refused" 1 "$(grep -c 'REFUSED key node1 request "off node1"' "$S/proxy.log")"
via node1 known_hosts action=off plug=node3
check "unknown node: exit 1" 1 "$RC"
via intruder known_hosts action=off plug=node2
check "a key not in authorized_keys: exit 1" 1 "$RC"
check_match "...authentication refused" "refused for user root" "$ERR"
via node1 wrong_known_hosts action=off plug=node2
check "a host key that differs: exit 1" 1 "$RC"
check_match "...MISMATCH" "HOST KEY MISMATCH" "$ERR"
via node1 empty_known_hosts action=off plug=node2
check "a host key not listed: exit 1" 1 "$RC"
check_match "...not listed" "not listed" "$ERR"
touch "$T_TMP/canary"
ip netns exec "$NS" ssh -q -i "$S/node1_key" -p 2222 -o UserKnownHostsFile="$S/known_hosts" \
  -o BatchMode=yes root@127.0.0.1 "rm -f $T_TMP/canary; off node2" >/dev/null 2>&1
check "an arbitrary command from a real ssh client is refused" 1 "$?"
check "...and not run" 1 "$([ -e "$T_TMP/canary" ] && echo 1)"
check_match "...logged" "REFUSED key node1" "$(tail -1 "$S/proxy.log")"
check "no SET reached a PDU during the refusals" "" "$(sets)"

# A proxy that accepts TCP but never speaks SSH: given up after ssh_connect_timeout.
bg MUTE ip netns exec "$NS" nc -lk 127.0.0.1 2223
sleep 0.2
fence ssh_proxy=127.0.0.1:2223 ssh_user=root ssh_identity="$S/node1_key" ssh_known_hosts="$S/known_hosts" \
  ssh_connect_timeout=1 action=off plug=node2
check "a mute proxy: exit 1" 1 "$RC"
check_match "...the handshake failed" "handshake failed" "$ERR"
check "...within ssh_connect_timeout" 1 "$([ "$MS" -ge 900 ] && [ "$MS" -lt 3000 ] && echo 1)"
fence ssh_proxy=127.0.0.1:2224 ssh_user=root ssh_identity="$S/node1_key" ssh_known_hosts="$S/known_hosts" \
  action=off plug=node2
check_match "a closed proxy port is refused at once" "cannot connect to stonith proxy 127.0.0.1:2224" "$ERR"

# Regression: the exec channel read had no overall bound (a peer trickling bytes held the fencing
# forever, a silent one for 2 x power_timeout + 10 s). Now everything ends at operation_timeout.
for k in hang trickle; do
  FENCE_WATCHDOG=120 via "$k" known_hosts action=off plug=node2 operation_timeout=2
  check "a $k proxy: exit 1 by itself (not the watchdog)" 1 "$RC"
  check_match "...at operation_timeout, naming the proxy" \
    "^Failed: operation_timeout \(2 s\) reached: stonith proxy 127.0.0.1" "$ERR"
  echo "     a $k proxy was given up after ${MS} ms (operation_timeout=2)"
done
# ...and a mute one (TCP accepted, no SSH banner) at operation_timeout when that comes first.
FENCE_WATCHDOG=120 fence ssh_proxy=127.0.0.1:2223 ssh_user=root ssh_identity="$S/node1_key" \
  ssh_known_hosts="$S/known_hosts" ssh_connect_timeout=60 operation_timeout=1 action=off plug=node2
check "a mute proxy with ssh_connect_timeout=60, operation_timeout=1: exit 1" 1 "$RC"
check_match "...at operation_timeout" "^Failed: operation_timeout \(1 s\) reached" "$ERR"
fence ssh_proxy=127.0.0.1:2223 ssh_user=root ssh_identity="$S/node1_key" \
  ssh_known_hosts="$S/known_hosts" ssh_connect_timeout=3600 action=off plug=node2
check_match "ssh_connect_timeout above its ceiling is refused" \
  "^Failed: ssh_connect_timeout=3600 is out of range: 0.01 s to 60 s" "$ERR"

# A dead PDU behind the proxy is named in the client's error.
kill -STOP "${PDU_PID[b]}"
via node1 known_hosts action=off plug=node2
check "dead pdu2 behind the proxy: exit 1" 1 "$RC"
check_match "...named" "pdu2 \(127.0.0.1:1162\).*no answer" "$ERR"
via node1 known_hosts action=monitor
check "monitor through the proxy fails with a dead PDU" 1 "$RC"
kill -CONT "${PDU_PID[b]}"

finish
