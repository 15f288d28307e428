#!/bin/sh
# The same group with pcs (run once on one node).
pcs resource create iscsi-block ocf:sanha:iscsi-firewall action=block ip=192.0.2.100 \
    op monitor interval=10s timeout=10s --group iscsi-service
pcs resource create iscsi-ip ocf:heartbeat:IPaddr2 ip=192.0.2.100 cidr_netmask=24 \
    op monitor interval=10s --group iscsi-service
pcs resource create iscsi-unblock ocf:sanha:iscsi-firewall action=unblock ip=192.0.2.100 \
    op monitor interval=10s timeout=10s --group iscsi-service
