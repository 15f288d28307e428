#!/bin/bash
# The vm tier tests itself: the guest's exit code comes back; the host reaches the guest's 3260
# through the port forward and exchanges files over the 9p share; a kernel panic fails the boot
# (125) and a guest that never finishes is killed at its deadline (124) — so a broken scenario
# cannot pass by accident.
source "$(dirname "$0")/../vm.sh"
vm_require
SHARE=$T_TMP/share
mkdir -p "$SHARE"
echo "from-the-host" >"$SHARE/hello"
vm_free_port PORT

vm_start sp1 --share "$SHARE" --fwd "$PORT" <<'GUEST'
. /usr/lib/sanha/lib.sh
check "9p share readable" from-the-host "$(cat /mnt/share/hello)"
echo from-the-guest >/mnt/share/reply
MISSING=$(for ko in $(cat /etc/sanha/modules/base /etc/sanha/modules/lvm); do
  grep -q "^$(basename "$ko" .ko | tr - _) " /proc/modules || echo "$ko"
done)
check "every base and LVM module loaded" "" "$MISSING"
check "firewall modules load on demand" 0 "$(load_modules fw; echo $?)"
iptables -A INPUT -p tcp --dport 9999 -j REJECT --reject-with tcp-reset
check "iptables (nf_tables) works in the guest" 0 "$(iptables -C INPUT -p tcp --dport 9999 \
  -j REJECT --reject-with tcp-reset; echo $?)"
echo from-guest-3260 | nc -l -p 3260 &
NC=$!
signal_host listening
wait_host connected 60
check "host connected through the forward" 0 $?
kill $NC 2>/dev/null
[ "$T_FAILED" -eq 0 ] && exit 3
finish
GUEST
if vm_wait_signal sp1 listening; then
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    GOT=$(timeout 5 nc -q 1 127.0.0.1 "$PORT" </dev/null 2>/dev/null) && [ -n "$GOT" ] && break
    sleep 0.5
  done
  check "host reads the guest's 3260 through hostfwd" from-guest-3260 "$GOT"
  touch "$SHARE/connected"
else
  not_ok "guest never listened"
fi
vm_wait sp1
check "guest exit code is returned" 3 $?
check "guest wrote to the 9p share" from-the-guest "$(cat "$SHARE/reply" 2>/dev/null)"

vm_run crash <<'GUEST'
echo c >/proc/sysrq-trigger
GUEST
check "a kernel panic fails the boot" 125 $?

vm_run hang --timeout 20 <<'GUEST'
sleep 600
GUEST
check "a guest that never ends is killed at its deadline" 124 $?
check "no qemu left running" "" "$(for p in "${VM_PID[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done)"
finish
