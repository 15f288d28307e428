#!/bin/bash
# Re-captures stonith_history_*.xml: the fencer's history from a real one-node Pacemaker cluster
# (node sp2) that fences sp1 with fence_dummy. Everything runs in private mount, UTS and network
# namespaces with tmpfs state directories, so the host's cluster configuration is untouched; the
# daemons are killed by pid at the end. Run as root: bash tests/data/pacemaker/capture_history.sh
set -u
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
DIR=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" != --inner ]; then
  exec unshare --mount --uts --net --propagation private bash "$0" --inner
fi
WORK=$(mktemp -d /tmp/sanha-pcmkcap.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -n "${KEEP_LOG:-}" ] && cp "$WORK/pacemaker.log" "$KEEP_LOG" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ip link set lo up
hostname sp2
for d in /run /dev/shm /var/lib/pacemaker /var/lib/corosync /var/log/pacemaker /etc/corosync; do
  mount -t tmpfs none "$d"
done
mkdir -p /var/lib/pacemaker/{cib,pengine,blackbox,cores} /run/crm
chown -R hacluster:haclient /var/lib/pacemaker /var/log/pacemaker
chmod 750 /var/lib/pacemaker/cib
cat >/etc/corosync/corosync.conf <<'CONF'
totem {
  version: 2
  cluster_name: sanha
  transport: knet
  token: 1000
}
nodelist {
  node {
    ring0_addr: 127.0.0.1
    name: sp2
    nodeid: 2
  }
}
quorum {
  provider: corosync_votequorum
}
logging {
  to_stderr: no
  to_syslog: no
  to_logfile: no
}
CONF
export PCMK_logfile=$WORK/pacemaker.log PCMK_logfacility=none
# A CIB with a second (absent) node sp1, fencing through fence_dummy, short dc-deadtime.
cat >"$WORK/cib.xml" <<'XML'
<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="true"/>
      <nvpair id="o2" name="dc-deadtime" value="5s"/>
      <nvpair id="o3" name="load-threshold" value="1000%"/>
      <nvpair id="o4" name="startup-fencing" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="sp1"/><node id="2" uname="sp2"/></nodes>
    <resources>
      <primitive id="fence-dummy" class="stonith" type="fence_dummy">
        <instance_attributes id="fd-ia">
          <nvpair id="fd-1" name="pcmk_host_list" value="sp1"/>
          <nvpair id="fd-2" name="mode" value="pass"/>
        </instance_attributes>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>
XML
cp "$WORK/cib.xml" /var/lib/pacemaker/cib/cib.xml
chown hacluster:haclient /var/lib/pacemaker/cib/cib.xml
corosync -f >"$WORK/corosync.out" 2>&1 &
PIDS+=($!)
sleep 2
pacemakerd >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 90); do
  # The fencer registers the device from the CIB (no DC needed).
  stonith_admin --list-registered 2>/dev/null | grep -q fence-dummy && break
  sleep 1
done
stonith_admin --reboot sp1 --timeout 30 >/dev/null 2>&1
echo "fence rc=$?"
stonith_admin --history sp1 --output-as=xml >"$DIR/stonith_history_sp1_rebooted.xml"
stonith_admin --history sp2 --output-as=xml >"$DIR/stonith_history_sp2_never.xml"
# Let pacemakerd stop its children cleanly, then the rest by pid.
kill -TERM "${PIDS[1]}"
for _ in $(seq 30); do kill -0 "${PIDS[1]}" 2>/dev/null || break; sleep 1; done
echo "captured into $DIR"
