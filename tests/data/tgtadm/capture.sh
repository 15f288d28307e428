#!/bin/bash
# Re-captures the tgtadm outputs in this directory from a real tgtd (tgt 1.0.85 on Debian 12),
# run in a private network and mount namespace with its own control socket, so nothing touches a
# tgtd of the host. Run as root:  bash tests/data/tgtadm/capture.sh
# The commands are the ones TgtBackend runs; the states are those the unit tests reason about.
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  exec unshare -n -m --propagation private bash "$0" --inner "$(cd "$(dirname "$0")" && pwd)"
fi
DIR=$2
# A fixed work directory: backing paths appear in the outputs, and the unit tests use them.
# shellcheck source=tests/data/tgtadm/capture_lib.sh
. "$(dirname "$0")/capture_lib.sh"
capture_start /tmp/sanha-tgtadm-capture
# err NAME args...: captures the stderr (and exit code as the file's first line) of a failing call.
err() {
  local name=$1
  shift
  set +e
  T "$@" >/dev/null 2>"$WORK/err"
  echo "exit $?" >"$DIR/$name"
  set -e
  cat "$WORK/err" >>"$DIR/$name"
}

T --op show --mode target >"$DIR/show_target_empty.txt"
T --op show --mode account >"$DIR/show_account_empty.txt"
T --op show --mode system >"$DIR/show_system.txt"

truncate -s 64M "$WORK/a1.img"
truncate -s 33554432 "$WORK/a2.img"
truncate -s 1500000 "$WORK/b1.img"
T --op new --mode target --tid 1 --targetname iqn.2024-01.test.sanha:alpha
T --op update --mode target --tid 1 --name MaxRecvDataSegmentLength --value 65536
T --op bind --mode target --tid 1 --initiator-address 127.0.0.1
T --op bind --mode target --tid 1 --initiator-address 192.0.2.0/24
T --op bind --mode target --tid 1 --initiator-name iqn.2024-01.test:client
T --op new --mode account --user alpha-user --password alpha-secret-12
T --op new --mode account --user alpha-out --password alpha-out-secret
T --op bind --mode account --tid 1 --user alpha-user
T --op bind --mode account --tid 1 --user alpha-out --outgoing
T --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$WORK/a1.img" --bstype rdwr
T --op update --mode logicalunit --tid 1 --lun 1 --params \
  scsi_id=AMHDSK-240101-01,scsi_sn=AMHDSK-240101-01,vendor_id=SANHA,product_id=TESTDISK
T --op new --mode logicalunit --tid 1 --lun 2 --backing-store "$WORK/a2.img" --bstype aio
T --op update --mode logicalunit --tid 1 --lun 2 --params scsi_id=ID-A2,scsi_sn=SN-A2
T --op new --mode target --tid 2 --targetname iqn.2024-01.test.sanha:beta
T --op bind --mode target --tid 2 --initiator-address ALL
T --op new --mode logicalunit --tid 2 --lun 1 --backing-store "$WORK/b1.img" --bstype rdwr
T --op update --mode logicalunit --tid 2 --lun 1 --params scsi_id=B1,scsi_sn=B1,readonly=1
T --op new --mode target --tid 3 --targetname iqn.2024-01.test.sanha:alpha2
T --op new --mode account --user disc-user --password disc-secret-123
T --op new --mode account --user disc-out --password disc-out-secret1
T --op bind --mode account --user disc-user
T --op bind --mode account --user disc-out --outgoing
T --op show --mode target >"$DIR/show_target_three.txt"
T --op show --mode account >"$DIR/show_account.txt"
T --op show --mode system >"$DIR/show_system_discovery.txt"
T --op show --mode target --tid 1 >"$DIR/show_target_params.txt"

# A live session from libiscsi's initiator (iscsi-perf keeps I/O in flight until killed).
iscsi-perf -i iqn.2024-01.test:client \
  "iscsi://alpha-user%alpha-secret-12@127.0.0.1/iqn.2024-01.test.sanha:alpha/1" >/dev/null 2>&1 &
PERF=$!
for _ in $(seq 50); do T --op show --mode target | grep -q "I_T nexus:" && break; sleep 0.1; done
T --op show --mode target >"$DIR/show_target_session.txt"
err err_lun_active.txt --op delete --mode logicalunit --tid 1 --lun 1
kill -9 $PERF
wait $PERF 2>/dev/null || true
PERF=

err err_target_exists.txt --op new --mode target --tid 1 --targetname iqn.2024-01.test.sanha:x
err err_lun_exists.txt --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$WORK/a1.img"
err err_no_target.txt --op delete --mode target --tid 9
err err_no_lun.txt --op delete --mode logicalunit --tid 1 --lun 9
err err_no_session.txt --op delete --mode conn --tid 1 --sid 99 --cid 0
err err_no_account.txt --op delete --mode account --user nobody
err err_acl_absent.txt --op unbind --mode target --tid 1 --initiator-address 10.9.9.9
err err_acl_exists.txt --op bind --mode target --tid 1 --initiator-address 127.0.0.1
err err_account_exists.txt --op new --mode account --user alpha-user --password alpha-secret-12
err err_outgoing_exists.txt --op bind --mode account --tid 1 --user disc-out --outgoing
err err_invalid_option.txt --op update --mode target --tid 1 --name Bogus --value 1
err err_bad_path.txt --op new --mode logicalunit --tid 1 --lun 5 --backing-store /nonexistent
# tgtd refuses to exit while it has targets.
err err_system_busy.txt --op delete --mode system
for tid in 1 2 3; do T --op delete --mode target --tid $tid; done
T --op delete --mode system
for _ in $(seq 50); do kill -0 $TGTD 2>/dev/null || break; sleep 0.1; done
err err_daemon_down.txt --op show --mode target
echo "captured into $DIR"
