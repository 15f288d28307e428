#!/bin/bash
# Objects ddless must refuse at once, with one line and nothing changed: FIFOs anywhere (opening
# one used to wait for a writer for ever), /dev/zero and /dev/null, a checksum file or its
# temporary name planted as a symlink (the temporary one used to be followed and truncated), and
# source and target that are one object under two names: hard link, loop device and its backing
# file, two loop devices over one file.
source "$(dirname "$0")/../lib.sh"
source "$SANHA_SRC/tests/data/ddless/lib.bash"
require_root
require_program losetup
cd "$T_TMP" || exit 1

random_file src 4
"$DDLESS" -s src -c ck -t dst || not_ok "first copy failed"
mkfifo fifo

# refused DESCRIPTION PATTERN ARGS...: exit 1 within 20 s (not 124: no hang), PATTERN on stderr.
refused() {
  local what=$1 pattern=$2 err rc
  shift 2
  err=$(timeout 20 "$DDLESS" "$@" 2>&1 >/dev/null)
  rc=$?
  check "$what: exit 1 at once" 1 "$rc"
  check_match "$what: says why" "$pattern" "$err"
}

refused "FIFO as source" "fifo: neither a regular file nor a block device" -s fifo -c fck -t fdst
check "FIFO as source: nothing created" "" "$(ls fck fdst 2>/dev/null)"
refused "FIFO as target" "fifo: neither a regular file nor a block device" -s src -c fck -t fifo
refused "FIFO as verify target" "fifo: neither a regular file nor a block device" \
  -c ck -t fifo --verify
refused "FIFO as checksum file (verify)" "fifo: not a regular file" -c fifo -t dst --verify
refused "FIFO as checksum file (copy)" "fifo: not a regular file" -s src -c fifo -t dst
refused "FIFO as checksum file (checksum-only)" "fifo: not a regular file" -s src -c fifo
refused "FIFO in zones mode" "neither a regular file nor a block device" -s fifo
refused "/dev/zero as source" "/dev/zero: neither a regular file nor a block device" \
  -s /dev/zero -c zck -t zdst
refused "/dev/null as target" "/dev/null: neither a regular file nor a block device" \
  -s src -c nck -t /dev/null
refused "/dev/zero as target" "/dev/zero: neither a regular file nor a block device" \
  -s src -c nck -t /dev/zero
check "nothing created for refused devices" "" "$(ls zck zdst nck 2>/dev/null)"

# Checksum files are never reached through a symlink.
printf 'precious\n' >victim
ln -s victim link.ck
refused "checksum file is a symlink" "link.ck: is a symbolic link" -s src -c link.ck -t dst
refused "checksum file is a symlink (verify)" "link.ck: is a symbolic link" \
  -c link.ck -t dst --verify
ln -s victim new.ck.ddless-new
refused "planted temporary checksum symlink" "new.ck.ddless-new: is a symbolic link" \
  -s src -c new.ck -t dst
check "the symlink's target was not truncated" "precious" "$(cat victim)"
check "no checksum file appeared" "" "$(ls new.ck 2>/dev/null)"

# A dangling symlink as target: nothing is created where it points.
ln -s "$T_TMP/elsewhere" dangling
refused "dangling symlink as target" "dangling" -s src -c dck -t dangling
check "nothing created behind the dangling symlink" "" "$(ls elsewhere dck 2>/dev/null)"

# One object under two names.
ln src hard
refused "hard link of the source as target" "are the same device or file" -s src -c hck -t hard
new_loop LOOP src || { not_ok "losetup"; finish; }
new_loop LOOP2 src || { not_ok "losetup"; finish; }
refused "loop device of the source file as target" "are the same device or file" \
  -s src -c lck -t "$LOOP"
refused "the backing file of the source loop device as target" "are the same device or file" \
  -s "$LOOP" -c lck -t src
refused "two loop devices over one file" "are the same device or file" \
  -s "$LOOP" -c lck -t "$LOOP2"
refused "checksum file is the loop device's backing file" "not a ddless checksum file|file of its own" \
  -s "$LOOP" -c src -t dst
check "the source is intact" "" "$(cmp src dst 2>&1)"
finish
