#!/bin/bash
# Regenerates v1_copy.ck: a checksum file of format version 1 (written before the header recorded
# the target's identity), made by the real ddless of that version copying /tmp/v1cap/src (seq
# 1..12000, 60894 bytes, 4 segments) to /tmp/v1cap/dst. Usage: capture_v1.sh OLD_DDLESS, where
# OLD_DDLESS was built from a commit whose `ddless -p` says checksum_format: 1.
set -euo pipefail
old=${1:?usage: $0 OLD_DDLESS}
"$old" -p | grep -qx 'checksum_format: 1' || { echo "$old does not write format 1" >&2; exit 1; }
mkdir -p /tmp/v1cap
cd /tmp/v1cap
rm -f src dst v1.ck
seq 1 12000 >src
"$old" -s src -c v1.ck -t dst
cp v1.ck "$(dirname "$(readlink -f "$0")")/v1_copy.ck"
rm -rf /tmp/v1cap
