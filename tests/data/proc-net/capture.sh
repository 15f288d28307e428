#!/bin/bash
# Re-captures /proc/net/tcp and /proc/net/tcp6 listings in a private network namespace (nothing
# of the host is listed): a listener on 192.0.2.1:3260 and 2001:db8::1:3260, two established
# IPv4 connections, one IPv6 and one IPv4-mapped (an IPv6 socket reached over IPv4). Run as root:
#   bash tests/data/proc-net/capture.sh
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  exec unshare -n bash "$0" --inner "$(cd "$(dirname "$0")" && pwd)"
fi
DIR=$2
ip link set lo up
ip link add d0 type veth peer name d1
ip addr add 192.0.2.1/24 dev d0
ip addr add 192.0.2.2/24 dev d0
ip addr add 2001:db8::1/64 dev d0 nodad
ip addr add 2001:db8::2/64 dev d0 nodad
ip link set d0 up
nc -lk 192.0.2.1 3260 >/dev/null &
L4=$!
nc -6 -lk 2001:db8::1 3260 >/dev/null &
L6=$!
nc -lk :: 3261 >/dev/null &  # dual-stack listener: IPv4 peers appear as ::ffff:a.b.c.d
LM=$!
trap 'kill $L4 $L6 $LM 2>/dev/null' EXIT
sleep 0.3
exec 3<>/dev/tcp/192.0.2.1/3260
exec 4<>/dev/tcp/192.0.2.1/3260
exec 5<>/dev/tcp/2001:db8::1/3260
exec 6<>/dev/tcp/192.0.2.2/3261
sleep 0.3
cat /proc/net/tcp >"$DIR/tcp_established.txt"
cat /proc/net/tcp6 >"$DIR/tcp6_established.txt"
