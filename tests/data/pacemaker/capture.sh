#!/bin/bash
# Re-captures crm_mon's XML in this directory from the real crm_mon reading a CIB file (CIB_file:
# no cluster needed): a three-node cluster where this node (sp2) is online, sp1 was fenced
# (offline, clean: the state Pacemaker records after fencing) and sp3 was lost and not fenced yet
# (unclean); then the same cluster with sp1 online, and with sp1 online and sp2 fenced. Also
# stonith_admin's answer when no fencer runs (capture_history.sh captures a real fencing's
# history). Captured with pacemaker 2.1.5 on Debian 12. Run: bash tests/data/pacemaker/capture.sh
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/sanha-cibcap.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cib() { # SP1_STATE [SP2_STATE]: node_state attributes of sp1 and sp2
  cat <<XML
<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="5" num_updates="0"
     admin_epoch="0" have-quorum="1" dc-uuid="2">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="true"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="sp1"/><node id="2" uname="sp2"/><node id="3" uname="sp3"/></nodes>
    <resources/><constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="sp1" $1/>
    <node_state id="2" uname="sp2" ${2:-$ONLINE}/>
    <node_state id="3" uname="sp3" in_ccm="false" crmd="offline" join="member" expected="member"/>
  </status>
</cib>
XML
}
# After fencing, the DC records the victim as down and expected down (send_stonith_update).
FENCED='in_ccm="false" crmd="offline" join="down" expected="down"'
ONLINE='in_ccm="true" crmd="online" join="member" expected="member"'
cib "$FENCED" >"$WORK/fenced.xml"
cib "$ONLINE" >"$WORK/online.xml"
cib "$ONLINE" "$FENCED" >"$WORK/sp2fenced.xml"
CIB_file=$WORK/fenced.xml crm_mon --one-shot --output-as=xml >"$DIR/crm_mon_sp1_fenced.xml"
CIB_file=$WORK/online.xml crm_mon --one-shot --output-as=xml >"$DIR/crm_mon_sp1_online.xml"
CIB_file=$WORK/sp2fenced.xml crm_mon --one-shot --output-as=xml >"$DIR/crm_mon_sp2_fenced.xml"
# No fencer reachable (exit 102).
unshare -m bash -c 'mount -t tmpfs none /dev/shm; stonith_admin --history sp1 --output-as=xml' \
  >"$DIR/stonith_history_not_connected.xml" || true
echo "captured into $DIR"
