# shellcheck shell=sh
# Guest-side helpers for vm tier scenarios (POSIX sh, sourced as . /usr/lib/sanha/lib.sh).
# The same check/ok/not_ok/finish vocabulary as tests/lib.sh; the output goes to the host's
# output file, the exit code of the scenario is the result.
T_PASSED=0
T_FAILED=0

ok() {
  T_PASSED=$((T_PASSED + 1))
  echo "ok   - $*"
}
not_ok() {
  T_FAILED=$((T_FAILED + 1))
  echo "FAIL - $*"
}
# check DESCRIPTION EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# check_match DESCRIPTION PATTERN TEXT (grep -E on TEXT)
check_match() {
  if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1 (no '$2' in: $3)"; fi
}
check_no_match() {
  if printf '%s' "$3" | grep -Eq -- "$2"; then not_ok "$1 ('$2' found in: $3)"; else ok "$1"; fi
}
# Prints the closing line and exits non-zero on any failure.
finish() {
  echo "$T_PASSED passed, $T_FAILED failed"
  [ "$T_FAILED" -eq 0 ]
  exit $?
}

# load_modules GROUP (fw, lio): loads a module group the image builder saved in dependency order.
load_modules() {
  while read -r ko; do
    name=$(basename "$ko" .ko | tr - _)
    grep -q "^$name " /proc/modules || insmod "$ko" || return 1
  done <"/etc/sanha/modules/$1"
}

# Host handshake over the 9p share (boot with a share): the guest announces NAME in its output
# and waits (bounded, seconds) for the host to create /mnt/share/NAME.
signal_host() { echo "SANHA-VM-SIGNAL $1"; }
wait_host() {
  n=0
  while [ ! -e "/mnt/share/$1" ]; do
    n=$((n + 1))
    [ $n -le $((${2:-60} * 10)) ] || return 1
    sleep 0.1
  done
}

# ocf AGENT ACTION [NAME=VALUE...]: runs an OCF agent of ours with OCF_RESKEY_NAME=VALUE as
# Pacemaker would (also OCF_RESKEY_CRM_meta_on_node = this host's name unless set), prints its
# stderr and stdout, returns its exit code.
ocf() {
  agent=$1
  action=$2
  shift 2
  for kv in "$@"; do export "OCF_RESKEY_$kv"; done
  OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=${OCF_RESOURCE_INSTANCE:-rsc} \
    OCF_RESKEY_CRM_meta_on_node=${OCF_RESKEY_CRM_meta_on_node:-$(hostname)} \
    "/usr/lib/ocf/resource.d/sanha/$agent" "$action" 2>&1
  rc=$?
  for kv in "$@"; do unset "OCF_RESKEY_${kv%%=*}"; done
  return $rc
}

# lvm_json_field CMD FIELD: FIELD of the first object lvm's JSON report lists, e.g.
#   lvm_json_field "lvs vg0/lv0" lv_attr
lvm_json_field() {
  # shellcheck disable=SC2086 # CMD is a word list on purpose
  lvm $1 --reportformat json -o "$2" 2>/dev/null |
    sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" | head -1
}
# lv_active VG/LV: "a" when the LV is active, "-" when not (the 5th lv_attr character).
lv_active() { lvm_json_field "lvs $1" lv_attr | cut -c5; }
# system_id_from_hostname: this guest's LVM system ID becomes its host name
# (global/system_id_source = "uname"), as on a storage processor using the system_id method.
system_id_from_hostname() {
  sed -i 's/^global {/global {\n  system_id_source = "uname"/' /etc/lvm/lvm.conf
}

# pacemaker_view SP1STATE SP2STATE: Pacemaker's view of the two storage processors for the
# agents' fencing checks, as a CIB file the real crm_mon reads (CIB_file, exported). A state is
# online, down (fenced or shut down cleanly: what the DC records after fencing) or unclean (lost,
# not fenced yet). The DC is the first online node.
pacemaker_view() {
  CIB_file=/run/cib.xml
  export CIB_file
  dc=""
  states=""
  id=0
  for st in "$1" "$2"; do
    id=$((id + 1))
    case $st in
      online) a='in_ccm="true" crmd="online" join="member" expected="member"'
        [ -n "$dc" ] || dc=$id ;;
      down) a='in_ccm="false" crmd="offline" join="down" expected="down"' ;;
      unclean) a='in_ccm="false" crmd="offline" join="down" expected="member"' ;;
      *) echo "pacemaker_view: unknown state $st" >&2; return 2 ;;
    esac
    states="$states<node_state id=\"$id\" uname=\"sp$id\" $a crm-debug-origin=\"vm\"/>"
  done
  cat >"$CIB_file" <<CIB
<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="$dc">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="opts-stonith" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="sp1"/><node id="2" uname="sp2"/></nodes>
    <resources/>
    <constraints/>
  </configuration>
  <status>$states</status>
</cib>
CIB
}
