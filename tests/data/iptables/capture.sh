#!/bin/bash
# Re-captures the iptables/ip6tables outputs in this directory from the real programs, each state
# built in a fresh private network namespace (nothing touches the host's rules). Run as root:
#   bash tests/data/iptables/capture.sh [iptables|iptables-legacy]
# Captured with iptables v1.8.9 (nf_tables) on Debian 12. The rule commands below are the ones
# IptablesBackend runs (the unit tests assert them), so the listings are what it reads back.
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  exec unshare -n bash "$0" --inner "$(cd "$(dirname "$0")" && pwd)" "${1:-iptables}"
fi
DIR=$2
V4=$3
V6=${V4/iptables/ip6tables}
C=sanha-iscsi
R3260="-p tcp -m tcp --dport 3260 -j DROP"

reset() {
  for t in $V4 $V6; do
    $t -w -F
    $t -w -X
  done
}
save() { $V4 -w -S >"$DIR/$1"; }
save6() { $V6 -w -S >"$DIR/$1"; }

reset
save empty_v4.txt
save6 empty_v6.txt

# Block {ip=192.0.2.1, port=3260}.
$V4 -w -N $C
$V4 -w -I INPUT 1 -j $C
$V4 -w -A $C -d 192.0.2.1/32 $R3260
save blocked_v4.txt
# ... and a foreign rule of the administrator's plus another spec's rule in our chain.
$V4 -w -A $C -s 198.51.100.7/32 -p tcp -m tcp --dport 3260 -j ACCEPT
$V4 -w -A $C -d 192.0.2.2/32 $R3260
save foreign_v4.txt

# Duplicates made by hand (our rule twice, the jump twice) on a host with other rules.
reset
$V4 -w -A INPUT -i lo -j ACCEPT
$V4 -w -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
$V4 -w -N f2b-sshd
$V4 -w -A f2b-sshd -s 203.0.113.9/32 -j REJECT --reject-with icmp-port-unreachable
$V4 -w -A f2b-sshd -j RETURN
$V4 -w -N $C
$V4 -w -I INPUT 1 -j $C
$V4 -w -I INPUT 1 -j $C
$V4 -w -A $C -d 192.0.2.1/32 $R3260
$V4 -w -A $C -d 192.0.2.1/32 $R3260
save duplicates_v4.txt

# Our chain and rule, but INPUT does not jump to it (removed by hand).
reset
$V4 -w -N $C
$V4 -w -A $C -d 192.0.2.1/32 $R3260
save nojump_v4.txt
# Chain and jump, rules flushed by hand (iptables -F sanha-iscsi).
$V4 -w -I INPUT 1 -j $C
$V4 -w -F $C
save emptychain_v4.txt
# Another chain jumps to ours as well.
$V4 -w -A FORWARD -j $C
save otherref_v4.txt

# Block {ip="192.0.2.1,2001:db8::1", source="10.0.0.0/8,198.51.100.7,2001:db8:1::/48",
#        port="3260,3300:3310", protocol=udp}.
reset
for t in $V4 $V6; do
  $t -w -N $C
  $t -w -I INPUT 1 -j $C
done
for s in 10.0.0.0/8 198.51.100.7/32; do
  for p in 3260 3300:3310; do $V4 -w -A $C -s $s -d 192.0.2.1/32 -p udp -m udp --dport $p -j DROP; done
done
for p in 3260 3300:3310; do
  $V6 -w -A $C -s 2001:db8:1::/48 -d 2001:db8::1/128 -p udp -m udp --dport $p -j DROP
done
save mixed_v4.txt
save6 mixed_v6.txt

# Error texts (stderr) and their exit codes.
reset
expect() {  # expect CODE FILE COMMAND...
  local code=$1 file=$2 rc=0
  shift 2
  "$@" 2>"$DIR/$file" || rc=$?
  [ "$rc" = "$code" ] || { echo "$*: exit $rc, expected $code" >&2; exit 1; }
}
expect 1 err_bad_rule.txt $V4 -w -C INPUT $R3260
expect 2 err_bad_protocol.txt $V4 -w -A INPUT -p icmpx -j DROP
$V4 -w -N $C
expect 1 err_chain_exists.txt $V4 -w -N $C
expect 4 err_not_root.txt setpriv --reuid 65534 --regid 65534 --clear-groups $V4 -w -S
reset
echo "captured into $DIR"
