#!/bin/bash
# The built lvm-vg with hostile or broken OCF environment values (the front shared by every
# agent): a huge CRM_meta_timeout once put the deadline in the past (stop failed at once), garbage
# in OCF_CHECK_LEVEL and a broken HA_RSCTMP made a stop that had nothing to do fail (a failed stop
# gets the node fenced), and exclusive="" read as false. Runs the real lvm against a volume group
# name that exists nowhere: nothing on the machine is changed.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
require_root
require_program lvm

AGENT=$SANHA_BUILD/lvm-vg
VG=sanha_envtest_novg_$$
RSC=$T_TMP/rsc
mkdir -p "$RSC"
: >"$T_TMP/plainfile"
CASES=0

# run ACTION VAR=VALUE...: the agent with a Pacemaker-like environment plus the given overrides.
run() {
  local action=$1
  shift
  ERR=$(env -i PATH="$PATH" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vgtest \
    OCF_RESKEY_vgname="$VG" OCF_RESKEY_CRM_meta_on_node=sp1 HA_RSCTMP="$RSC" "$@" \
    "$AGENT" "$action" 2>&1 >/dev/null)
  RC=$?
  CASES=$((CASES + 1))
}

for t in 9223372036854775807 99999999999999999999999 -9223372036854775808 -5 0 abc 20s 2min \
  999999999999h " "; do
  run stop OCF_RESKEY_CRM_meta_timeout="$t"
  check "stop with CRM_meta_timeout='$t': exit 0" 0 "$RC"
  check_no_match "...no deadline in the past" "deadline has passed" "$ERR"
done
run monitor OCF_RESKEY_CRM_meta_timeout=9223372036854775807
check "probe with a huge CRM_meta_timeout: not running (7)" 7 "$RC"

for level in garbage -1 10x 99999999999999999999; do
  run stop OCF_CHECK_LEVEL="$level"
  check "stop with OCF_CHECK_LEVEL='$level': exit 0" 0 "$RC"
done
run monitor OCF_CHECK_LEVEL=garbage OCF_RESKEY_CRM_meta_interval=10000
check "recurring monitor with OCF_CHECK_LEVEL=garbage: not configured (6)" 6 "$RC"
check_match "...saying why" "ocf-exit-reason:OCF_CHECK_LEVEL 'garbage' is not 0, 10 or 20" "$ERR"

for dir in "$T_TMP/plainfile" "$T_TMP/missing/dir" relative/dir "" "$RSC/../rsc"; do
  run stop HA_RSCTMP="$dir"
  check "stop with HA_RSCTMP='$dir': exit 0" 0 "$RC"
done
mkdir -p "$RSC/sanha-lvm-vg-vgtest.started"  # a mark that cannot be removed as a file
run stop
check "stop with an unremovable started mark: exit 0" 0 "$RC"
check_match "...logged" "started mark .* stays" "$ERR"
rmdir "$RSC/sanha-lvm-vg-vgtest.started"

# HA_LOGFILE / HA_DEBUGLOG that are FIFOs nobody reads: opening one for writing used to block
# every action forever (stop included). The watchdog only keeps a broken agent from hanging the test.
mkfifo "$T_TMP/logfifo"
for var in HA_LOGFILE HA_DEBUGLOG; do
  ERR=$(env -i PATH="$PATH" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=vgtest \
    OCF_RESKEY_vgname="$VG" OCF_RESKEY_CRM_meta_on_node=sp1 HA_RSCTMP="$RSC" HA_debug=1 \
    "$var=$T_TMP/logfifo" timeout -s KILL 60 "$AGENT" stop 2>&1 >/dev/null)
  RC=$?
  CASES=$((CASES + 1))
  check "stop with $var a FIFO without a reader: exit 0 (not hung)" 0 "$RC"
done

for p in exclusive method tag partial_activation activation_budget; do
  run validate-all OCF_RESKEY_$p=
  check "validate-all with $p='': its default, exit 0" 0 "$RC"
done
run validate-all OCF_RESKEY_exclusive=maybe
check "exclusive=maybe is still refused (6)" 6 "$RC"
run validate-all OCF_RESKEY_vgname=
check "vgname='' is missing (6)" 6 "$RC"
check_match "...saying so" "ocf-exit-reason:required parameter 'vgname' is not set" "$ERR"
run stop OCF_RESKEY_vgname="  "
check "vgname of blanks is missing too (6)" 6 "$RC"

echo "     $CASES hostile-environment runs"
finish
