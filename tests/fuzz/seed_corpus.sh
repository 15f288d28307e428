#!/bin/bash
# Refreshes the seed inputs of tests/data/fuzz/<target>/ that come from the real outputs captured
# under tests/data/ (seed-*: copies, named after their source); hand-written seeds (hand-*) and
# minimized crashers (crash-*) are kept as they are. Usage: tests/fuzz/seed_corpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
data=tests/data
out=$data/fuzz

# seed TARGET FILE...: copies each FILE as seed-<dir>-<name>.
seed() {
  local target=$1 f
  shift
  mkdir -p "$out/$target"
  for f in "$@"; do
    cp "$f" "$out/$target/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
  done
}

find "$out" -name "seed-*" ! -path "*/checksum_header/*" -delete
seed target_file ha-examples/targets.conf
seed tgtadm_show "$data"/tgtadm/show_*.txt "$data"/tgtadm/err_*.txt
seed lvm_report "$data"/lvm/*.json
seed firewall_listing "$data"/nft/*.txt "$data"/iptables/*.txt
# crm_mon: the first line names the node asked about.
mkdir -p "$out/crm_mon"
for f in "$data"/pacemaker/*.xml; do
  node=sp1
  case $f in *sp2*) node=sp2 ;; esac
  { echo "$node"; cat "$f"; } >"$out/crm_mon/seed-pacemaker-$(basename "$f")"
done
# address: every address and CIDR the captured firewall listings hold, one per seed.
mkdir -p "$out/address"
grep -ohE '([0-9]{1,3}\.){3}[0-9]{1,3}(/[0-9]+)?|[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}(/[0-9]+)?' \
  "$data"/nft/*.txt "$data"/iptables/*.txt | sort -u | while read -r a; do
  printf '%s' "$a" >"$out/address/seed-listing-$(tr ':/' '_-' <<<"$a")"
done
if [ -n "${1:-}" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  ck=$out/checksum_header
  mkdir -p "$ck"
  rm -f "$ck"/seed-*
  head -c 100000 /dev/urandom >"$tmp/src"
  "$1/ddless" -s "$tmp/src" -c "$tmp/copy.ck" -t "$tmp/dst"
  "$1/ddless" -s "$tmp/src" -c "$tmp/only.ck"
  head -c 1000 /dev/urandom | dd of="$tmp/src" conv=notrunc bs=1 seek=50000 status=none
  "$1/ddless" -s "$tmp/src" -c "$tmp/copy.ck" -t "$tmp/dst" -m 0.00001 || true
  "$1/ddless" -s "$tmp/src" -c "$tmp/partial.ck" -t "$tmp/dst2" -m 0.00001 || true
  for f in copy only partial; do
    for slot in 0 1; do
      dd if="$tmp/$f.ck" of="$ck/seed-ddless-$f-slot$slot" bs=4096 skip=$slot count=1 status=none
      dd if="$tmp/$f.ck" bs=1 skip=$((slot * 4096 + 8)) count=4080 status=none \
        >"$ck/seed-ddless-$f-slot$slot-fields"
    done
  done
fi
echo "seeds: $(find "$out" -name 'seed-*' | wc -l) files in $out"
