#!/bin/sh
# The sanha iSCSI storage-processor pair for Pacemaker, built with pcs: the same configuration as
# ha-examples/crm/sanha.crm (tests/integration/cluster_config.sh proves it). Run once, on one node:
#     sh ha-examples/pcs/sanha.sh              # the live cluster
#     sh ha-examples/pcs/sanha.sh -f CIBFILE   # a CIB file (cibadmin --query > CIBFILE), then
#                                              # pcs cluster cib-push CIBFILE --config
# docs/cluster.md explains every choice. Placeholders (TEST-NET-1 addresses, documentation only)
# to replace with your own:
#     node1, node2     node names (= `uname -n`, = the names in corosync.conf)
#     192.0.2.100/24   the iSCSI portal's virtual IP (VIP) that initiators log in to
#     192.0.2.1        the iSCSI network's gateway (pinged: connectivity guard)
#     192.0.2.21/.22   PDU A and PDU B; each node has PSU 1 on PDU A and PSU 2 on PDU B,
#                      node1 on outlet 1 and node2 on outlet 2 of both
#     private          the PDUs' SNMP write community
set -eu

if [ $# -eq 2 ] && [ "$1" = -f ]; then
  set -- -f "$2"
elif [ $# -ne 0 ]; then
  echo "usage: $0 [-f CIBFILE]" >&2
  exit 2
fi
# "$@" is empty (the live cluster) or "-f CIBFILE" from here on.

# == Fencing: one device drives both PDUs
# fence_apc_pdu switches all of a node's outlets on both feeds in one call and reports success only
# after each one read back off (reboot = off on all, verified, then on on all). pcmk_host_map
# names each node's outlets ('/' between PDU and outlet: ':' separates node from value there).
pcs "$@" stonith create fence-pdus fence_apc_pdu \
  ip=192.0.2.21,192.0.2.22 community=private snmp_version=2c \
  pcmk_host_map="node1:pdu1/1,pdu2/1;node2:pdu1/2,pdu2/2" \
  op monitor interval=60s timeout=20s

# == Connectivity guard (heartbeat's ping + ipfail)
# Every node pings the iSCSI gateway and publishes "pingd" = 1000 when it answers, 0 when not.
pcs "$@" resource create gw-ping ocf:pacemaker:ping \
  host_list=192.0.2.1 multiplier=1000 dampen=5s \
  op monitor interval=10s timeout=60s \
  --no-default-ops clone gw-ping-clone interleave=true

# == The iSCSI service, started in this order and stopped in reverse
# Hold iSCSI traffic to the VIP (initiators' packets are dropped: they stall and retransmit).
pcs "$@" resource create iscsi-block ocf:sanha:iscsi-firewall \
  action=block ip=192.0.2.100 port=3260 \
  op start timeout=20s op stop timeout=20s \
  op monitor interval=10s timeout=10s \
  --no-default-ops --group iscsi-service
# The portal address.
pcs "$@" resource create iscsi-ip ocf:heartbeat:IPaddr2 \
  ip=192.0.2.100 cidr_netmask=24 \
  op start timeout=20s op stop timeout=20s \
  op monitor interval=10s timeout=20s \
  --no-default-ops --group iscsi-service
# With real shared disks (LVM on FC/SAS LUNs) the volume group comes here, after the VIP and
# before the target that exports its LVs, as heartbeat's haresources line had it
# (IPaddr2 amherst_lvm iscsi-target). Needs device-mapper; uncomment to use it.
# pcs "$@" resource create iscsi-vg ocf:sanha:lvm-vg \
#   vgname=vg_diskset0 activation_budget=40s \
#   op start timeout=90s op stop timeout=90s \
#   op monitor interval=10s timeout=30s \
#   op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10 \
#   --no-default-ops --group iscsi-service
# The targets and LUNs of /etc/sanha/targets.conf, served by tgtd on the VIP only.
pcs "$@" resource create iscsi-target ocf:sanha:iet-target \
  config=/etc/sanha/targets.conf portals=192.0.2.100:3260 manage_daemon=true \
  op start timeout=60s op stop timeout=60s \
  op monitor interval=10s timeout=20s \
  op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10 \
  --no-default-ops --group iscsi-service
# Release the hold: initiators reach the target on this node.
pcs "$@" resource create iscsi-unblock ocf:sanha:iscsi-firewall \
  action=unblock ip=192.0.2.100 port=3260 \
  op start timeout=20s op stop timeout=20s \
  op monitor interval=10s timeout=10s \
  --no-default-ops --group iscsi-service
# The node running the service wins a fencing race (priority-fencing-delay below).
pcs "$@" resource meta iscsi-service priority=10

# Prefer the node that reaches the gateway (score = its pingd value, 1000 or 0). When both lose
# the gateway the scores tie and stickiness keeps the service where it is.
pcs "$@" constraint location iscsi-service rule constraint-id=iscsi-service-connected \
  score-attribute=pingd defined pingd

# == Cluster-wide
pcs "$@" property set stonith-enabled=true stonith-action=off priority-fencing-delay=2s
# heartbeat's auto_failback off: a recovered node does not take the service back.
pcs "$@" resource defaults update resource-stickiness=100
