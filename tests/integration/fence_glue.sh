#!/bin/bash
# heartbeat v1 / cluster-glue: the agent installed as the external/sanha_apc_pdu stonith plugin
# (only inside this test's mount namespace), driven by cluster-glue's own `stonith` tool with a
# heartbeat v1 `stonith_host` parameter line and with name=value parameters, against two
# simulated PDUs.
source "$(dirname "$0")/../lib.sh"
require_root
require_program snmpd
require_program python3
require_program stonith
source "$(dirname "$0")/fence/pdu_lib.sh"

new_netns NS glue
export PDU_LOG=$T_TMP/set.log
: >"$PDU_LOG"
start_pdu a rpdu 1161 node1-psu1 node2-psu1
start_pdu b rpdu 1162 node1-psu2 node2-psu2
mkdir -p "$T_TMP/external"
ln -s "$AGENT" "$T_TMP/external/sanha_apc_pdu"

# glue ARGS...: `stonith ARGS` with our plugin directory mounted over cluster-glue's.
glue() {
  OUT=$(ip netns exec "$NS" unshare -m sh -c \
    "mount --bind $T_TMP/external /usr/lib/stonith/plugins/external && exec stonith \"\$@\"" \
    glue "$@" 2>"$T_TMP/glue.err")
  RC=$?
  ERR=$(cat "$T_TMP/glue.err")
}
T=(-t external/sanha_apc_pdu)
# heartbeat v1: stonith_host node1 external/sanha_apc_pdu node2 127.0.0.1:1161,127.0.0.1:1162 ...
LINE="node2 127.0.0.1:1161,127.0.0.1:1162 pdu1:2,pdu2:2 private"

glue "${T[@]}" -n
check "config names, in stonith_host order" "hostname ip plug community" "$(echo $OUT)"
glue "${T[@]}" -m
check_match "meta-data from getinfo-xml" '<parameter name="plug"' "$OUT"
glue "${T[@]}" -p "$LINE" -l
check "hosts of this device" "node2" "$OUT"
glue "${T[@]}" -p "$LINE" -S
check "device status: reachable" 0 "$RC"
glue "${T[@]}" -p "$LINE" -T off node2
check "off node2 from a stonith_host line" "0 2 2" "$RC $(outlet a 2) $(outlet b 2)"
check "...node1 untouched" "1 1" "$(outlet a 1) $(outlet b 1)"
glue "${T[@]}" -p "$LINE" -T on node2
check "on node2" "0 1 1" "$RC $(outlet a 2) $(outlet b 2)"
: >"$PDU_LOG"
glue "${T[@]}" -p "$LINE" -T reset node2
check "reset node2" 0 "$RC"
check "...is off-all then on-all" "a set 2 2 b set 2 2 a set 2 1 b set 2 1" "$(paste -sd' ' "$PDU_LOG")"
: >"$PDU_LOG"
glue "${T[@]}" -p "$LINE" -T off node1
check "a host this device does not power: refused" 1 "$([ "$RC" -ne 0 ] && echo 1)"
check_match "...the plugin says why" "powers node2, not node1" "$ERR"
check "...nothing switched" "" "$(cat "$PDU_LOG")"
glue "${T[@]}" hostname=node2 ip=127.0.0.1:1161 plug=node2-psu1 community=private power_timeout=5 -T off node2
check "name=value parameters, outlet by name" "0 2" "$RC $(outlet a 2)"
glue "${T[@]}" hostname=node2 ip=127.0.0.1:1161 plug=node2-psu1 community=private -T on node2
kill -STOP "${PDU_PID[b]}"
glue "${T[@]}" -p "$LINE" -S
check "device status with a dead PDU fails" 1 "$([ "$RC" -ne 0 ] && echo 1)"
kill -CONT "${PDU_PID[b]}"

finish
