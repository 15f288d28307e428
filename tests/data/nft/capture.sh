#!/bin/bash
# Re-captures the nft outputs in this directory from the real program, each state built in a fresh
# private network namespace (nothing touches the host's ruleset). Run as root:
#   bash tests/data/nft/capture.sh
# Captured with nftables v1.0.6 on Debian 12. The batches below are the ones NftBackend sends
# (the unit tests assert them), so the listings are what it reads back.
set -eu
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
  exec unshare -n bash "$0" --inner "$(cd "$(dirname "$0")" && pwd)"
fi
DIR=$2
C=sanha-iscsi
HEAD="add table inet sanha
add chain inet sanha $C { type filter hook input priority filter - 1; policy accept; }"
K1='sanha ipv4 tcp 3260 s=any d=192.0.2.1/32'
R1="ip daddr 192.0.2.1 tcp dport 3260 drop comment \"$K1\""

reset() { nft flush ruleset; }
chain() { nft -a list chain inet sanha "${2:-$C}" >"$DIR/$1"; }
table() { nft -a list table inet sanha >"$DIR/$1"; }
expect() {  # expect CODE FILE COMMAND...: stderr to FILE
  local code=$1 file=$2 rc=0
  shift 2
  "$@" 2>"$DIR/$file" || rc=$?
  [ "$rc" = "$code" ] || { echo "$*: exit $rc, expected $code" >&2; exit 1; }
}

reset
expect 1 err_no_table.txt nft -a list chain inet sanha $C
expect 1 err_no_table_list_table.txt nft -a list table inet sanha

# Block {ip=192.0.2.1, port=3260}.
nft -f - <<<"$HEAD
add rule inet sanha $C $R1"
chain blocked.txt
table blocked_table.txt
expect 1 err_no_chain.txt nft -a list chain inet sanha other
# A second spec's chain in the same table.
nft -f - <<<"add chain inet sanha other { type filter hook input priority filter - 1; policy accept; }
add rule inet sanha other meta nfproto ipv4 tcp dport 3261 drop comment \"sanha ipv4 tcp 3261 s=any d=any\""
table two_chains_table.txt

# Block {} (any address, both families), port 3260.
reset
nft -f - <<<"$HEAD
add rule inet sanha $C meta nfproto ipv4 tcp dport 3260 drop comment \"sanha ipv4 tcp 3260 s=any d=any\"
add rule inet sanha $C meta nfproto ipv6 tcp dport 3260 drop comment \"sanha ipv6 tcp 3260 s=any d=any\""
chain any_both.txt

# Block {ip="192.0.2.1,2001:db8::1", source="10.0.0.0/8,2001:db8:1::/48", port="3260,3300-3310",
#        protocol=udp}.
reset
{
  echo "$HEAD"
  for p in 3260 3300-3310; do
    echo "add rule inet sanha $C ip saddr 10.0.0.0/8 ip daddr 192.0.2.1 udp dport $p drop comment \"sanha ipv4 udp $p s=10.0.0.0/8 d=192.0.2.1/32\""
  done
  for p in 3260 3300-3310; do
    echo "add rule inet sanha $C ip6 saddr 2001:db8:1::/48 ip6 daddr 2001:db8::1 udp dport $p drop comment \"sanha ipv6 udp $p s=2001:db8:1::/48 d=2001:db8::1/128\""
  done
} | nft -f -
chain mixed.txt

# Our rule twice, a rule with our comment but an altered body, a foreign rule without comment.
reset
nft -f - <<<"$HEAD
add rule inet sanha $C $R1
add rule inet sanha $C ip saddr 198.51.100.7 tcp dport 3260 accept
add rule inet sanha $C $R1
add rule inet sanha $C ip daddr 192.0.2.1 tcp dport 3260 accept comment \"$K1\""
chain tampered.txt
table tampered_table.txt

# Our chain exists, but as a regular chain (no hook): its rules block nothing.
reset
nft -f - <<<"add table inet sanha
add chain inet sanha $C
add rule inet sanha $C $R1"
chain unhooked.txt
expect 1 err_chain_hook_differs.txt nft -f - <<<"$HEAD"

# Our table also holds a set (not ours alone).
reset
nft -f - <<<"$HEAD
add set inet sanha allowed { type ipv4_addr; }
add rule inet sanha $C $R1"
table with_set_table.txt

expect 1 err_not_root.txt setpriv --reuid 65534 --regid 65534 --clear-groups nft -a list chain inet sanha $C

# A chain name nft reads as a keyword.
expect 1 err_keyword_chain.txt nft -a list chain inet sanha log
reset
echo "captured into $DIR"
