#!/bin/bash
# ha-examples/crm/sanha.crm and ha-examples/pcs/sanha.sh must build the same cluster: each is
# applied exactly as a user would (crmsh `crm configure load update`, pcs `-f CIBFILE`) to an empty
# CIB file, both results must pass `crm_verify -x` (fencing configured, nothing invalid), and their
# normalised configurations must be identical. A copy of sanha.crm with one parameter changed must
# then differ: the comparison is not blind.
# crm and pcs read each agent's meta-data, so the built agents are made visible at the real paths
# (/usr/lib/ocf/resource.d/sanha, /usr/sbin) by read-only overlay mounts in a private mount
# namespace that ends with this test: nothing is written to the host's system directories.
if [ -z "${SANHA_CLUSTER_CONFIG_NS:-}" ] && [ "$(id -u)" = 0 ]; then
  SANHA_CLUSTER_CONFIG_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
require_root
for p in crm pcs crm_verify cibadmin python3; do require_program "$p"; done

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

# The comparison must see a changed parameter: manage_daemon=false in a copy of sanha.crm.
sed 's/manage_daemon=true/manage_daemon=false/' "$CRM_FILE" >"$T_TMP/changed.crm"
check "the changed copy differs from sanha.crm" 1 "$(cmp -s "$CRM_FILE" "$T_TMP/changed.crm"; echo $?)"
load_crm "$T_TMP/changed.crm" "$T_TMP/changed.xml" >"$T_TMP/changed.out" 2>&1
check "the changed copy loads" 0 "$?"
normalize "$T_TMP/changed.xml" >"$T_TMP/changed.norm" || exit 1
changed=$(diff "$T_TMP/changed.norm" "$T_TMP/pcs.norm" | grep -c '^[<>]')
check "one changed parameter shows as one line on each side of the diff" 2 "$changed"

elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "# crm load (twice), pcs -f, crm_verify and the comparison took ${elapsed_ms} ms"
[ "$T_FAILED" = 0 ] || sed 's/^/    crm | /' "$T_TMP/crm.out"
[ "$T_FAILED" = 0 ] || sed 's/^/    pcs | /' "$T_TMP/pcs.out"
finish
