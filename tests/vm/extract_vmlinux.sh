#!/bin/bash
# Extracts the uncompressed ELF vmlinux from a bzImage (the technique of the kernel's
# scripts/extract-vmlinux): find each compression magic in the image, try to decompress from
# that offset, keep the first result that is an ELF file. qemu boots the ELF directly via its
# PVH note, which skips the in-guest decompression (~3 s under TCG).
# usage: extract_vmlinux.sh BZIMAGE OUT
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 BZIMAGE OUT" >&2
  exit 2
fi
IMG=$1
OUT=$2
TMP=$(mktemp "$OUT.XXXXXX") || exit 1
trap 'rm -f "$TMP"' EXIT

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; }

try() { # try MAGIC(grep -P) DECOMPRESSOR...
  local magic=$1 pos
  shift
  for pos in $(LC_ALL=C grep -obUaP "$magic" "$IMG" | cut -d: -f1); do
    tail -c +$((pos + 1)) "$IMG" | "$@" >"$TMP" 2>/dev/null
    if [ -s "$TMP" ] && is_elf "$TMP"; then
      mv "$TMP" "$OUT"
      return 0
    fi
  done
  return 1
}

try '\xfd7zXZ\x00' xz -dc && exit 0
try '\x28\xb5\x2f\xfd' zstd -dc && exit 0
try '\x1f\x8b\x08' gzip -dc && exit 0
try 'BZh' bzip2 -dc && exit 0
try '\x89\x4c\x5a' lzop -dc && exit 0
try '\x02\x21\x4c\x18' lz4 -dc && exit 0
echo "extract_vmlinux: no compressed ELF kernel found in $IMG" >&2
exit 1
