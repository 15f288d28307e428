#!/bin/bash
# Re-records tgtadm's conversations with a real tgtd (tgt 1.0.85 on Debian 12) on its management
# socket: tgtadm talks to build/tgtd-record, a relay that passes each request to tgtd and writes
# the exchange down. tgtd runs in a private network and mount namespace with its own socket.
# Run as root after building:  bash tests/data/tgtd_socket/capture.sh [BUILD_DIR]
# Output, conversation.txt, one block per tgtadm call:
#   $ ARGS          the tgtadm arguments (after --lld iscsi)
#   > HEX           the request bytes tgtadm sent
#   < HEX           tgtd's reply bytes
#   = EXIT          tgtadm's exit code
#   ! TEXT          tgtadm's first stderr line (when any)
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  here=$(cd "$(dirname "$0")" && pwd)
  build=$(cd "${1:-$here/../../../build}" && pwd)
  exec unshare -n -m --propagation private bash "$0" --inner "$here" "$build"
fi
DIR=$2
BUILD=$3
# A fixed work directory: backing paths appear in the replies, and the unit tests use them.
WORK=/tmp/sanha-tgtd-socket-capture
rm -rf "$WORK" && mkdir -m 700 "$WORK"  # the record holds test CHAP secrets
ip link set lo up
mkdir -p /run/tgtd && mount -t tmpfs none /run/tgtd
TGT_IPC_SOCKET=$WORK/sock tgtd -f --iscsi portal=127.0.0.1:3260 >"$WORK/tgtd.log" 2>&1 &
TGTD=$!
RELAY=
PERF=
cleanup() {
  [ -n "$PERF" ] && kill -9 "$PERF" 2>/dev/null
  [ -n "$RELAY" ] && kill -9 "$RELAY" 2>/dev/null
  kill -9 $TGTD 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 50); do
  TGT_IPC_SOCKET=$WORK/sock tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && break
  sleep 0.1
done
"$BUILD/tgtd-record" "$WORK/relay.0" "$WORK/sock.0" "$WORK/conv" &
RELAY=$!
for _ in $(seq 50); do [ -S "$WORK/relay.0" ] && break; sleep 0.1; done
OUT=$DIR/conversation.txt
(umask 077 && : >"$WORK/conv")
# T args...: one tgtadm call through the relay, recorded with its exit code and stderr.
T() {
  echo "\$ $*" >>"$WORK/conv"
  set +e
  TGT_IPC_SOCKET=$WORK/relay tgtadm --lld iscsi "$@" >"$WORK/out" 2>"$WORK/err"
  echo "= $?" >>"$WORK/conv"
  set -e
  if [ -s "$WORK/err" ]; then echo "! $(head -n1 "$WORK/err")" >>"$WORK/conv"; fi
}

T --op show --mode system
T --op show --mode target
T --op show --mode account
truncate -s 64M "$WORK/a1.img"
truncate -s 32M "$WORK/a2.img"
T --op new --mode target --tid 1 --targetname iqn.2024-01.test.sanha:alpha
T --op update --mode target --tid 1 --name MaxRecvDataSegmentLength --value 65536
T --op bind --mode target --tid 1 --initiator-address 127.0.0.1
T --op bind --mode target --tid 1 --initiator-name iqn.2024-01.test:client
T --op new --mode account --user alpha-user --password alpha-secret-12
T --op new --mode account --user alpha-out --password alpha-out,secret
T --op bind --mode account --tid 1 --user alpha-user
T --op bind --mode account --tid 1 --user alpha-out --outgoing
T --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$WORK/a1.img" --bstype rdwr
T --op update --mode logicalunit --tid 1 --lun 1 --params \
  scsi_id=AMHDSK-240101-01,scsi_sn=AMHDSK-240101-01,vendor_id=SANHA,product_id=TESTDISK
T --op new --mode logicalunit --tid 1 --lun 2 --backing-store "$WORK/a2.img" --bstype aio
T --op update --mode logicalunit --tid 1 --lun 2 --params scsi_id=ID-A2,scsi_sn=SN-A2,readonly=1
T --op new --mode account --user disc-user --password disc-secret-123
T --op bind --mode account --user disc-user
T --op show --mode target
T --op show --mode account
T --op show --mode system
T --op show --mode target --tid 1
T --op new --mode portal --param portal=127.0.0.2:3261

# A live session from libiscsi's initiator (iscsi-perf keeps I/O in flight until killed).
iscsi-perf -i iqn.2024-01.test:client \
  "iscsi://alpha-user%alpha-secret-12@127.0.0.1/iqn.2024-01.test.sanha:alpha/1" >/dev/null 2>&1 &
PERF=$!
SID=
for _ in $(seq 50); do
  SID=$(TGT_IPC_SOCKET=$WORK/sock tgtadm --lld iscsi --op show --mode target |
    sed -n 's/^ *I_T nexus: \([0-9]*\)$/\1/p' | head -n1)
  [ -n "$SID" ] && break
  sleep 0.1
done
[ -n "$SID" ] || { echo "no session came up" >&2; exit 1; }
T --op show --mode target
T --op delete --mode logicalunit --tid 1 --lun 1
T --op delete --mode conn --tid 1 --sid "$SID" --cid 0
kill -9 $PERF
wait $PERF 2>/dev/null || true
PERF=

T --op new --mode target --tid 1 --targetname iqn.2024-01.test.sanha:x
T --op new --mode logicalunit --tid 1 --lun 1 --backing-store "$WORK/a1.img"
T --op delete --mode target --tid 9
T --op delete --mode logicalunit --tid 1 --lun 9
T --op delete --mode conn --tid 1 --sid 99 --cid 0
T --op delete --mode account --user nobody
T --op unbind --mode target --tid 1 --initiator-address 10.9.9.9
T --op bind --mode target --tid 1 --initiator-address 127.0.0.1
T --op new --mode account --user alpha-user --password alpha-secret-12
T --op bind --mode account --tid 1 --user disc-user --outgoing
T --op update --mode target --tid 1 --name Bogus --value 1
T --op new --mode logicalunit --tid 1 --lun 5 --backing-store /nonexistent
T --op delete --mode system

T --op unbind --mode account --user disc-user
T --op unbind --mode account --tid 1 --user alpha-out --outgoing
T --op unbind --mode account --tid 1 --user alpha-user
T --op delete --mode account --user disc-user
T --op unbind --mode target --tid 1 --initiator-name iqn.2024-01.test:client
T --op unbind --mode target --tid 1 --initiator-address 127.0.0.1
T --op delete --mode logicalunit --tid 1 --lun 2
T --op delete --mode target --tid 1
T --op delete --mode target --force --tid 1
T --op show --mode target
cp "$WORK/conv" "$OUT"
echo "recorded $(grep -c '^\$' "$OUT") tgtadm calls into $OUT"
