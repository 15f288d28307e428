#!/bin/bash
# ha-examples/crm/sanha.crm and ha-examples/pcs/sanha.sh must build the same cluster: each is
# applied exactly as a user would (crmsh `crm configure load update`, pcs `-f CIBFILE`) to an empty
# CIB file, both results must pass `crm_verify -x` (fencing configured, nothing invalid), and their
# normalised configurations must be identical. A copy of sanha.crm with one parameter changed must
# then differ: the comparison is not blind. sanha.sh also runs on a live one-node cluster;
# ha-examples/corosync/corosync.conf goes through corosync's own parser (`corosync -t`).
# crm and pcs read each agent's meta-data, so the built agents are made visible at the real paths
# (/usr/lib/ocf/resource.d/sanha, /usr/sbin) by read-only overlay mounts in a private mount
# namespace that ends with this test: nothing is written to the host's system directories.
if [ -z "${SANHA_CLUSTER_CONFIG_NS:-}" ] && [ "$(id -u)" = 0 ]; then
  SANHA_CLUSTER_CONFIG_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
require_root
for p in crm pcs crm_verify cibadmin python3 corosync corosync-keygen corosync-cmapctl pacemakerd; do
  require_program "$p"
done

CRM_FILE=$SANHA_SRC/ha-examples/crm/sanha.crm
PCS_FILE=$SANHA_SRC/ha-examples/pcs/sanha.sh

# Stage the agents and the fence agent, then lay them over the system directories.
stage=$T_TMP/stage
mkdir -p "$stage/ocf/sanha" "$stage/sbin"
for agent in iscsi-firewall iet-target lvm-vg; do
  cp "$SANHA_BUILD/$agent" "$stage/ocf/sanha/" || exit 1
done
cp "$SANHA_BUILD/fence_apc_pdu" "$stage/sbin/" || exit 1
mount -t overlay sanha-ocf -o "lowerdir=$stage/ocf:/usr/lib/ocf/resource.d" /usr/lib/ocf/resource.d ||
  exit 1
on_exit "umount /usr/lib/ocf/resource.d"
mount -t overlay sanha-sbin -o "lowerdir=$stage/sbin:/usr/sbin" /usr/sbin || exit 1
on_exit "umount /usr/sbin"

# normalize CIBFILE: the <configuration> of a CIB as sorted, indented lines, one element each.
# What is removed or rewritten, and why it carries no meaning:
#  - XML comments: crmsh keeps the file's comments in the CIB, pcs has none to keep.
#  - ids of nvpair, op, rule, expression and of instance/meta attribute sets: each tool generates
#    them from its own scheme (crmsh "rsc-options", pcs "rsc_defaults-meta_attributes"); nothing
#    refers to them. Ids of resources, constraints and the cluster property set stay: they are the
#    names administrators and tools use.
#  - interval/timeout durations in milliseconds: crmsh writes interval="0", pcs "0s", Pacemaker
#    reads both as 0 ms.
#  - sibling order, except inside a group (its member order is the start order and stays as is):
#    pcs sorts nvpairs by name, crmsh keeps the file's order; pcs puts a group's meta attributes
#    after the members; Pacemaker does not care about either.
normalize() {
  python3 - "$1" <<'PY'
import re
import sys
import xml.etree.ElementTree as ET

GENERATED_IDS = {"nvpair", "op", "rule", "expression", "instance_attributes", "meta_attributes"}
UNITS = {"": 1000, "s": 1000, "sec": 1000, "ms": 1, "msec": 1, "m": 60000, "min": 60000,
         "h": 3600000, "hr": 3600000}

def duration_ms(text):
    m = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*", text)
    if not m or m.group(2) not in UNITS:
        sys.exit(f"normalize: unreadable duration {text!r}")
    return str(int(m.group(1)) * UNITS[m.group(2)]) + "ms"

def lines(elem, depth):
    attrs = dict(elem.attrib)
    if elem.tag in GENERATED_IDS:
        attrs.pop("id", None)
    for key in ("interval", "timeout"):
        if key in attrs:
            attrs[key] = duration_ms(attrs[key])
    head = "  " * depth + elem.tag + "".join(f" {k}={attrs[k]!r}" for k in sorted(attrs))
    children = [lines(c, depth + 1) for c in elem if isinstance(c.tag, str)]
    if elem.tag == "group":
        # Members keep their order (it is the start order); the attribute sets go first.
        children = sorted(c for c in children if not c[0].lstrip().startswith("primitive")) + \
                   [c for c in children if c[0].lstrip().startswith("primitive")]
    else:
        children.sort()
    return [head] + [line for child in children for line in child]

config = ET.parse(sys.argv[1]).getroot().find("configuration")
if config is None:
    sys.exit("normalize: no <configuration> in " + sys.argv[1])
print("\n".join(lines(config, 0)))
PY
}

# Loads a crm file into a fresh empty CIB file.
load_crm() {
  cibadmin --empty >"$2" || return 1
  CIB_file=$2 crm configure load update "$1"
}

start=$(date +%s%N)
load_crm "$CRM_FILE" "$T_TMP/crm.xml" >"$T_TMP/crm.out" 2>&1
check "crm configure load update sanha.crm succeeds" 0 "$?"
cibadmin --empty >"$T_TMP/pcs.xml"
sh "$PCS_FILE" -f "$T_TMP/pcs.xml" >"$T_TMP/pcs.out" 2>&1
check "sanha.sh -f CIBFILE succeeds" 0 "$?"
check_no_match "crm printed no error" "ERROR" "$(cat "$T_TMP/crm.out")"
check_no_match "pcs printed no error" "Error" "$(cat "$T_TMP/pcs.out")"

for tool in crm pcs; do
  out=$(crm_verify -V -x "$T_TMP/$tool.xml" 2>&1)
  check "crm_verify -x accepts the $tool result" 0 "$?"
  check_no_match "crm_verify finds nothing to complain about in the $tool result" \
    "error|warning" "$out"
done

normalize "$T_TMP/crm.xml" >"$T_TMP/crm.norm" || exit 1
normalize "$T_TMP/pcs.xml" >"$T_TMP/pcs.norm" || exit 1
if diff -u "$T_TMP/crm.norm" "$T_TMP/pcs.norm" >"$T_TMP/norm.diff"; then
  ok "crm and pcs produce the same resources, constraints and properties"
else
  not_ok "crm and pcs configurations differ (- crm, + pcs):"
  sed 's/^/    | /' "$T_TMP/norm.diff"
fi

# What the comparison covered, so an empty CIB on both sides cannot pass.
norm=$(cat "$T_TMP/crm.norm")
members=$(awk '/^    group /{g=1; next} /^    [a-z]/{g=0} g && /^      primitive /' "$T_TMP/crm.norm" |
  grep -o "id='[^']*'" | tr '\n' ' ')
check "the group starts block, VIP, target, unblock in this order" \
  "id='iscsi-block' id='iscsi-ip' id='iscsi-target' id='iscsi-unblock' " "$members"
check_match "fencing: fence_apc_pdu on both PDUs with a host map" \
  "name='ip' value='192.0.2.21,192.0.2.22'" "$norm"
check_match "stonith-action=off" "name='stonith-action' value='off'" "$norm"
check_match "priority-fencing-delay set" "name='priority-fencing-delay'" "$norm"
check_match "the group carries a priority" "name='priority' value='10'" "$norm"
check_match "resource-stickiness set" "name='resource-stickiness' value='100'" "$norm"
check_match "a depth-10 monitor of the target" "name='OCF_CHECK_LEVEL' value='10'" "$norm"
check_match "the ping clone" "clone id='gw-ping-clone'" "$norm"
check_match "the ping location rule" "rule score-attribute='pingd'" "$norm"

# sanha.sh on a live cluster: a one-node corosync + pacemaker in namespaces of its own (mount,
# UTS, network, PID: everything it starts dies with its PID namespace), with its own /run,
# /dev/shm and state directories; the script runs without -f against the running CIB. The
# live configuration must equal the file-built one, apart from the node entry the cluster adds.
cat >"$T_TMP/live-node.sh" <<'NODE'
set -e
d=$1
hostname node1
ip link set lo up
mount -t tmpfs none /run
mount -t tmpfs none /dev/shm
mkdir -p "$d"/pcmk/cib "$d"/pcmk/pengine "$d"/pcmk/blackbox "$d"/pcmk/cores "$d"/coro "$d"/pcmk-log \
  "$d"/etc
chown -R hacluster:haclient "$d"/pcmk "$d"/pcmk-log
mount --bind "$d"/pcmk /var/lib/pacemaker
mount --bind "$d"/coro /var/lib/corosync
mount --bind "$d"/pcmk-log /var/log/pacemaker
mount --bind "$d"/etc /etc/corosync
printf '%s\n' 'totem {' ' version: 2' ' cluster_name: live' ' transport: knet' '}' \
  'nodelist {' ' node {' '  name: node1' '  nodeid: 1' '  ring0_addr: 127.0.0.1' ' }' '}' \
  'quorum {' ' provider: corosync_votequorum' '}' >/etc/corosync/corosync.conf
export PCMK_logfile=$d/pacemaker.log PCMK_logfacility=none
corosync -f >"$d"/corosync.out 2>&1 &
for _ in $(seq 100); do corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 && break; sleep 0.1; done
pacemakerd >"$d"/pacemakerd.out 2>&1 &
for _ in $(seq 120); do cibadmin -Q >/dev/null 2>&1 && break; sleep 0.5; done
sh "$2" >"$d"/pcs-live.out 2>&1
echo "pcs-rc=$?"
cibadmin -Q >"$d"/live.xml
NODE
mkdir -p "$T_TMP/live"
live=$(unshare --mount --uts --net --pid --fork --mount-proc --propagation private \
  bash "$T_TMP/live-node.sh" "$T_TMP/live" "$PCS_FILE" 2>&1)
check "sanha.sh on a live one-node cluster succeeds" "pcs-rc=0" "$(echo "$live" | grep -o 'pcs-rc=[0-9]*')"
if normalize "$T_TMP/live/live.xml" 2>/dev/null | grep -v "^    node id='1' uname='node1'$" \
  >"$T_TMP/live.norm" && diff -u "$T_TMP/crm.norm" "$T_TMP/live.norm" >"$T_TMP/live.diff"; then
  ok "...and builds the same configuration as crm and pcs -f"
else
  not_ok "...the live configuration differs (- crm, + live):"
  sed 's/^/    | /' "$T_TMP/live.diff" "$T_TMP/live/pcs-live.out" 2>/dev/null | head -40
fi

# corosync.conf through corosync's own parser (-t), as node1 would read it: in a network namespace
# holding node1's address (corosync must find its own node), with a fresh key bind-mounted over
# /etc/corosync (crypto needs one), both private to this test.
COROSYNC_CONF=$SANHA_SRC/ha-examples/corosync/corosync.conf
mkdir -p "$T_TMP/etc-corosync"
corosync-keygen -k "$T_TMP/etc-corosync/authkey" >/dev/null 2>&1 || exit 1
mount --bind "$T_TMP/etc-corosync" /etc/corosync || exit 1
on_exit "umount /etc/corosync"
corosync_test() {
  # shellcheck disable=SC2016  # $1 is expanded by the inner shell
  unshare --net sh -c 'ip link set lo up && ip link add v0 type veth peer name v1 &&
    ip addr add 192.0.2.11/24 dev v0 && ip link set v0 up && exec corosync -c "$1" -t' _ "$1"
}
out=$(corosync_test "$COROSYNC_CONF" 2>&1)
check "corosync -t accepts corosync.conf on node1" 0 "$?"
[ "$T_FAILED" = 0 ] || echo "$out"
grep -v '^ *two_node' "$COROSYNC_CONF" | sed '0,/^}/s/^}$//' >"$T_TMP/broken.conf"
out=$(corosync_test "$T_TMP/broken.conf" 2>&1)
check_match "...and refuses a copy with a brace missing" "Missing closing brace" "$out"
corosync_conf=$(grep -v '^ *#' "$COROSYNC_CONF")
check_match "corosync.conf: knet" "transport: knet" "$corosync_conf"
check_match "corosync.conf: two_node" "two_node: 1" "$corosync_conf"
check "corosync.conf: two nodes" 2 "$(grep -c 'ring0_addr: 192.0.2.1[12]$' "$COROSYNC_CONF")"

# The comparison must see a changed parameter: manage_daemon=false in a copy of sanha.crm.
sed 's/manage_daemon=true/manage_daemon=false/' "$CRM_FILE" >"$T_TMP/changed.crm"
check "the changed copy differs from sanha.crm" 1 "$(cmp -s "$CRM_FILE" "$T_TMP/changed.crm"; echo $?)"
load_crm "$T_TMP/changed.crm" "$T_TMP/changed.xml" >"$T_TMP/changed.out" 2>&1
check "the changed copy loads" 0 "$?"
normalize "$T_TMP/changed.xml" >"$T_TMP/changed.norm" || exit 1
changed=$(diff "$T_TMP/changed.norm" "$T_TMP/pcs.norm" | grep -c '^[<>]')
check "one changed parameter shows as one line on each side of the diff" 2 "$changed"

elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "# crm load (twice), pcs -f, pcs live, corosync -t, crm_verify and the comparisons took ${elapsed_ms} ms"
[ "$T_FAILED" = 0 ] || sed 's/^/    crm | /' "$T_TMP/crm.out"
[ "$T_FAILED" = 0 ] || sed 's/^/    pcs | /' "$T_TMP/pcs.out"
finish
