#!/bin/bash
# Pacemaker's fencer runs fence_apc_pdu for real: a one-node cluster (corosync + pacemakerd) in
# its own network, mount, UTS and PID namespaces, the agent added to /usr/sbin by an overlay in
# that mount namespace only, one fence device for two simulated PDUs mapping node2 to its outlets
# with pcmk_host_map (pdu1/2,pdu2/2). `stonith_admin --fence/--unfence/--reboot node2` must switch
# both feeds, verified in the PDUs' SET log.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
require_root
for p in snmpd python3 corosync pacemakerd cibadmin stonith_admin crm_mon unshare nsenter; do
  require_program "$p"
done
# shellcheck source=tests/integration/fence/pdu_lib.sh
source "$(dirname "$0")/fence/pdu_lib.sh"

new_netns NS pcmk
export PDU_LOG=$T_TMP/set.log
: >"$PDU_LOG"
start_pdu a rpdu 1161 node1-psu1 node2-psu1 spare
start_pdu b rpdu 1162 node1-psu2 node2-psu2 spare

N=$T_TMP/node1
mkdir -p "$N"/{pacemaker/cib,pacemaker/pengine,pacemaker/blackbox,pacemaker/cores,corosync,log,etc,sbin}
cp "$AGENT" "$N/sbin/fence_apc_pdu"
cat >"$N/etc/corosync.conf" <<CONF
totem {
  version: 2
  cluster_name: sanha-fence
  transport: knet
  crypto_cipher: none
  crypto_hash: none
  token: 1000
}
nodelist {
  node {
    ring0_addr: 127.0.0.1
    name: node1
    nodeid: 1
  }
}
quorum {
  provider: corosync_votequorum
}
logging {
  to_logfile: yes
  logfile: $N/log/corosync.log
  to_syslog: no
  to_stderr: no
}
CONF
# Seed CIB: short DC wait, and the fence device (one device, both PDUs, node2's outlets).
export CIB_file=$N/pacemaker/cib/cib.xml
cibadmin --empty >"$CIB_file"
crm_attribute -t crm_config -n dc-deadtime -v 5s >/dev/null
crm_attribute -t crm_config -n stonith-enabled -v true >/dev/null
cibadmin -C -o resources --xml-text '<primitive id="fence-pdus" class="stonith" type="fence_apc_pdu">
  <instance_attributes id="fence-pdus-ia">
    <nvpair id="fence-pdus-ip" name="ip" value="127.0.0.1:1161,127.0.0.1:1162"/>
    <nvpair id="fence-pdus-community" name="community" value="private"/>
    <nvpair id="fence-pdus-version" name="snmp_version" value="2c"/>
    <nvpair id="fence-pdus-map" name="pcmk_host_map" value="node2:pdu1/2,pdu2/2"/>
    <nvpair id="fence-pdus-off-timeout" name="pcmk_off_timeout" value="40s"/>
    <nvpair id="fence-pdus-verbose" name="verbose" value="1"/>
  </instance_attributes>
</primitive>'
unset CIB_file
chown -R hacluster:haclient "$N/pacemaker" "$N/log"

# The node: private mounts (tmpfs /run and /dev/shm, its own pacemaker/corosync state, our agent
# in /usr/sbin), hostname node1, and a PID namespace whose init takes every daemon with it.
cat >"$N/boot.sh" <<BOOT
hostname node1
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mount --bind $N/pacemaker /var/lib/pacemaker
mount --bind $N/corosync /var/lib/corosync
mount --bind $N/log /var/log/pacemaker
mount --bind $N/etc /etc/corosync
mount -t overlay overlay -o lowerdir=$N/sbin:/usr/sbin /usr/sbin
export PCMK_logfile=$N/log/pacemaker.log PCMK_logfacility=none
corosync -f &
sleep 1
pacemakerd &
wait
BOOT
bg HOLDER ip netns exec "$NS" unshare --mount --uts --pid --fork --kill-child --mount-proc bash "$N/boot.sh"
sleep 0.5
INIT=$(awk '{print $1}' /proc/"$HOLDER"/task/"$HOLDER"/children)
node() { nsenter -t "$INIT" -m -u -n -p "$@"; }

DC=""
for _ in $(seq 1 120); do
  if node crm_mon -1 2>/dev/null | grep -q 'Current DC: node1'; then DC=yes; break; fi
  sleep 0.5
done
check "one-node cluster has a DC" yes "$DC"
for _ in $(seq 1 40); do
  node stonith_admin --list-registered 2>/dev/null | grep -q fence-pdus && break
  sleep 0.5
done
check_match "the fencer registered our device" "fence-pdus" "$(node stonith_admin --list-registered 2>&1)"
check_match "...which can fence node2" "fence-pdus" "$(node stonith_admin --list node2 2>&1)"

node stonith_admin --fence node2 --timeout 60 >/dev/null 2>&1
check "stonith_admin --fence node2 (off)" 0 "$?"
check "...switched off both of node2's outlets (pcmk_host_map pdu1/2,pdu2/2)" "2 2" "$(outlet a 2) $(outlet b 2)"
check "...and nothing else" "1 1" "$(outlet a 1) $(outlet b 1)"
node stonith_admin --unfence node2 --timeout 60 >/dev/null 2>&1
check "stonith_admin --unfence node2 (on)" "0 1 1" "$? $(outlet a 2) $(outlet b 2)"
: >"$PDU_LOG"
node stonith_admin --reboot node2 --timeout 60 >/dev/null 2>&1
check "stonith_admin --reboot node2" 0 "$?"
check "...off on both feeds before either is back on" "a set 2 2 b set 2 2 a set 2 1 b set 2 1" \
  "$(paste -sd' ' "$PDU_LOG")"
# What the fencer tells a fence agent: key=value lines on stdin (our agent logs their names with
# verbose=1, pacemaker logs an agent's stderr). No timeout among them, not even the configured
# pcmk_off_timeout (pcmk_* and CRM_meta_* are filtered): the agent bounds itself (operation_timeout).
KEYS=$(grep -o 'stdin keys: .*' "$N/log/pacemaker.log" | head -1)
check_match "the fencer passes action, nodename, the port and the device's parameters" \
  "^stdin keys: action community ip nodename plug snmp_version verbose( \]|$)" "$KEYS"
check_no_match "...and no timeout of any kind" "timeout" "$KEYS"
check_match "fence history records the success" "node2.*(successful|rebooted)" \
  "$(node stonith_admin --history node2 2>&1)"

# A dead PDU makes the fencer report failure (and the device is never trusted blindly).
kill -STOP "${PDU_PID[b]}"
FAILED=0
node stonith_admin --fence node2 --timeout 30 >/dev/null 2>&1 || FAILED=1
check "dead pdu2: stonith_admin --fence fails" 1 "$FAILED"
kill -CONT "${PDU_PID[b]}"
check_match "...the fencer logged our reason" "Failed: pdu2 \(127.0.0.1:1162\): no answer" "$(grep fence_apc_pdu "$N/log/pacemaker.log")"

finish
