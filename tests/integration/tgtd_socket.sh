#!/bin/bash
# libsan's tgtd socket client against the real tgtd (in its own network and mount namespace with
# a private control socket): protocol probe, a target with LUNs, ACLs and CHAP accounts created
# with no process per step and the secret in no argv (strace of every execve), listings parsed by
# the existing tgtadm_show parsers, tgtadm's own error text for the same failures, a live
# session closed over the socket, everything deleted, tgtd shut down.
# shellcheck disable=SC1091 # tests/lib.sh, found by path at run time
source "$(dirname "$0")/../lib.sh"
require_root
for p in tgtd tgtadm strace iscsi-inq iscsi-perf; do require_program "$p"; done
SOCK=$SANHA_BUILD/tgtd-sock
new_netns SRV tsock
export TGT_IPC_SOCKET=$T_TMP/sock
bg TGTD ip netns exec "$SRV" unshare -m --propagation private sh -c \
  'mkdir -p /run/tgtd && mount -t tmpfs none /run/tgtd && exec tgtd -f --iscsi portal=127.0.0.1:3260' \
  >"$T_TMP/tgtd.log" 2>&1
on_exit "tgtadm --lld iscsi --op delete --mode system"
for _ in $(seq 100); do
  [ -S "$TGT_IPC_SOCKET.0" ] && tgtadm --lld iscsi --op show --mode system >/dev/null 2>&1 && break
  sleep 0.05
done
IQN=iqn.2024-01.test.sanha:sock
SECRET="sock-Secret-$$-$RANDOM"
truncate -s 64M "$T_TMP/l1.img"
truncate -s 16M "$T_TMP/l2.img"
in_srv() { ip netns exec "$SRV" "$@"; }

check "probe names the protocol" "tgtd socket protocol: tgt 1.0.85 (system/show layout matches)" \
  "$("$SOCK" probe 2>&1)"

# Every change in one process reading its requests (and the secret) from stdin, under strace.
cat >"$T_TMP/setup" <<EOT
--op new --mode target --tid 1 --targetname $IQN
--op new --mode logicalunit --tid 1 --lun 1 --backing-store $T_TMP/l1.img --bstype rdwr
--op update --mode logicalunit --tid 1 --lun 1 --params scsi_id=SOCK-1,scsi_sn=SOCK-SN-1
--op new --mode logicalunit --tid 1 --lun 2 --backing-store $T_TMP/l2.img --bstype aio
--op bind --mode target --tid 1 --initiator-address 127.0.0.1
--op bind --mode target --tid 1 --initiator-name iqn.2024-01.test:client
--op new --mode account --user sock-user --password $SECRET
--op new --mode account --user sock-out --password out-$SECRET
--op bind --mode account --tid 1 --user sock-user
--op bind --mode account --tid 1 --user sock-out --outgoing
--op update --mode target --tid 1 --name MaxRecvDataSegmentLength --value 65536
EOT
# LeakSanitizer cannot run under ptrace (it aborts the sanitizer build's client): leaks are checked
# by every other run of the client in this script.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -e trace=execve -o "$T_TMP/strace" "$SOCK" run <"$T_TMP/setup" >"$T_TMP/setup.out" 2>&1
check "setup exit" 0 "$?"
check "every setup request succeeded" 11 "$(grep -c '^= 0 $' "$T_TMP/setup.out")"
check "one execve: the client itself, no tgtadm" 1 "$(grep -c 'execve(' "$T_TMP/strace")"
check_no_match "the secret is in no argv" "$SECRET" "$(cat "$T_TMP/strace")"
check_match "the account exists for tgtd" "sock-user" "$(tgtadm --lld iscsi --op show --mode account)"

check "state parsed by tgtadm_show" "target 1 $IQN
  lun 0 controller null - sn=beaf10
  lun 1 disk rdwr $T_TMP/l1.img sn=SOCK-SN-1
  lun 2 disk aio $T_TMP/l2.img sn=beaf12
  acl 127.0.0.1
  acl iqn.2024-01.test:client
  in sock-user
  out sock-out
account sock-out
account sock-user" "$("$SOCK" state 2>&1)"
check "20 rounds of the three listings in flight together" 0 \
  "$("$SOCK" listings 20 batch >/dev/null 2>&1; echo $?)"
check "target option set" "MaxRecvDataSegmentLength=65536" \
  "$(tgtadm --lld iscsi --op show --mode target --tid 1 | grep MaxRecvDataSegmentLength)"

# The CHAP secret sent over the socket is the one tgtd checks.
URL="iscsi://sock-user%$SECRET@127.0.0.1/$IQN/1"
check_match "login with the secret" "SOCK-SN-1" \
  "$(in_srv iscsi-inq -i iqn.2024-01.test:client -e 1 -c 128 "$URL" 2>&1)"
check_no_match "login with a wrong secret fails" "SOCK-SN-1" \
  "$(in_srv iscsi-inq -i iqn.2024-01.test:client -e 1 -c 128 \
    "iscsi://sock-user%wrong-secret@127.0.0.1/$IQN/1" 2>&1)"

# Failures: the socket's answer is tgtadm's exit code and message for the same request.
for req in "--op new --mode target --tid 1 --targetname $IQN" \
  "--op delete --mode target --tid 9" \
  "--op delete --mode logicalunit --tid 1 --lun 7" \
  "--op bind --mode target --tid 1 --initiator-address 127.0.0.1" \
  "--op unbind --mode target --tid 1 --initiator-name iqn.2024-01.test:nobody" \
  "--op delete --mode account --user nobody" \
  "--op new --mode account --user sock-user --password x" \
  "--op update --mode target --tid 1 --name Bogus --value 1"; do
  # shellcheck disable=SC2086 # the request is words
  err=$(tgtadm --lld iscsi $req 2>&1 >/dev/null)
  rc=$?
  check "same answer as tgtadm: $req" "= $rc $err" "$(printf '%s\n' "$req" | "$SOCK" run 2>&1)"
done

# A live session: its LU is busy; closing the connection over the socket ends the session.
bg PERF ip netns exec "$SRV" iscsi-perf -m 128 -b 256 -i iqn.2024-01.test:client "$URL"
SID=
for _ in $(seq 100); do
  SID=$(tgtadm --lld iscsi --op show --mode target | sed -n 's/^ *I_T nexus: \([0-9]*\)$/\1/p')
  [ -n "$SID" ] && break
  sleep 0.05
done
check_match "a session is up" "^[0-9]+$" "$SID"
# tgt calls a LU busy only while commands are queued on it: 128 reads of 128 KiB kept in flight
# keep its queue full; the session is listed as soon as the login ends, before the first READ, so
# wait until the reads flow.
sleep 1
check "busy LU" "= 22 tgtadm: this logical unit is still active" \
  "$(echo "--op delete --mode logicalunit --tid 1 --lun 1" | "$SOCK" run 2>&1)"
check "close the session over the socket" "= 0 " \
  "$(echo "--op delete --mode conn --tid 1 --sid ${SID:-0} --cid 0" | "$SOCK" run 2>&1)"
kill -9 "$PERF"
wait "$PERF" 2>/dev/null

cat >"$T_TMP/teardown" <<EOT
--op unbind --mode account --tid 1 --user sock-out --outgoing
--op unbind --mode account --tid 1 --user sock-user
--op delete --mode account --user sock-user
--op delete --mode account --user sock-out
--op unbind --mode target --tid 1 --initiator-address 127.0.0.1
--op unbind --mode target --tid 1 --initiator-name iqn.2024-01.test:client
--op delete --mode logicalunit --tid 1 --lun 2
EOT
"$SOCK" run <"$T_TMP/teardown" >"$T_TMP/teardown.out" 2>&1
check "every teardown request succeeded" 7 "$(grep -c '^= 0 $' "$T_TMP/teardown.out")"
# The session may linger a moment after its connection closed: tgt says busy until then.
for _ in $(seq 100); do
  out=$(echo "--op delete --mode logicalunit --tid 1 --lun 1" | "$SOCK" run 2>&1)
  [ "$out" != "= 22 tgtadm: this logical unit is still active" ] && break
  sleep 0.05
done
check "LU 1 deleted once the session is gone" "= 0 " "$out"
check "target deleted" "= 0 " "$(echo "--op delete --mode target --tid 1" | "$SOCK" run 2>&1)"
check "nothing left" "" "$("$SOCK" state 2>&1)"
check "tgtadm sees nothing left" "" "$(tgtadm --lld iscsi --op show --mode target)"
check "tgtd stops on system delete over the socket" "= 0 " \
  "$(echo "--op delete --mode system" | "$SOCK" run 2>&1)"
for _ in $(seq 100); do kill -0 "$TGTD" 2>/dev/null || break; sleep 0.05; done
check "tgtd is gone" 1 "$(kill -0 "$TGTD" 2>/dev/null && echo 0 || echo 1)"
check_match "no daemon: tgtadm's daemon-down answer" "^= 107 tgtadm: can't connect to tgt daemon" \
  "$(echo "--op show --mode target" | "$SOCK" run 2>&1)"
finish
