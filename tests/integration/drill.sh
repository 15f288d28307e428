#!/bin/bash
# The failover drill as CI runs it: ha-examples/drill/drill.sh with every scenario and three node
# deaths (power cuts) against this build. Passes only if the drill passes (every acknowledged
# write intact, fencing before takeover, no rule left behind...), its JSON agrees, and it left
# nothing behind: no namespace, no temp directory, no process of its nodes, no host mount.
. "$(dirname "$0")/../lib.sh"
require_root
for p in corosync pacemakerd crm snmpd snmpset tgtd iptables nft python3; do require_program "$p"; done

DRILL=$SANHA_SRC/ha-examples/drill/drill.sh
j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$T_TMP/drill.json" "$1" 2>/dev/null; }
run_drill() {
  rm -rf "$T_TMP/logs"
  bash "$DRILL" --runs 3 --json --logs "$T_TMP/logs" "$SANHA_BUILD" >"$T_TMP/drill.json" 2>"$T_TMP/drill.err" &
  drill_pid=$!
  wait "$drill_pid"
  rc=$?
}
run_drill
# Known intermittent (about one run in three while the machine is loaded, cause not found yet):
# the sandbox's two-node cluster does not come up before any scenario ran ("setup" is the only
# record). That is retried once, loudly; a failure of any scenario never is.
if [ "$rc" != 0 ] && [ "$(j '[r["scenario"] for r in d["scenarios"]]')" = "['setup']" ]; then
  echo "drill: the sandbox cluster did not come up ($(j 'd["scenarios"][0].get("note", "")')); retrying once"
  sed 's/^/    first try | /' "$T_TMP/drill.err"
  [ -s "$T_TMP/logs/not-ready.out" ] && sed 's/^/    first try not-ready | /' "$T_TMP/logs/not-ready.out"
  run_drill
fi
check "drill.sh exits 0 (every scenario passed)" 0 "$rc"
check "its JSON says pass" True "$(j 'd["pass"]')"
check "three death runs" 3 "$(j 'len([s for s in d["scenarios"] if s["scenario"] == "death"])')"
for s in death standby resize fencefail partition steady; do
  check "scenario $s ran and passed" PASS "$(j "min(r['result'] for r in d['scenarios'] if r['scenario'] == '$s')")"
done
check "no acknowledged write lost in any scenario" 0 \
  "$(j 'sum(r["values"].get("lost", 0) for r in d["scenarios"])')"
check "no write error surfaced in any scenario" 0 \
  "$(j 'sum(r["values"].get("errors", 0) for r in d["scenarios"])')"
check_match "median death → first acknowledged write measured" '^[0-9]+\.[0-9]+$' "$(j 'd["death_median_s"]["first_ack"]')"

# Leftovers: namespaces are named sanha-drill-*-PID, the sandbox lives in /tmp/sanha-drill.*.
check "no namespace of the drill left" 0 "$(ip netns list | grep -c -- "-$drill_pid\b")"
sandbox=$(grep -ho '/tmp/sanha-drill\.[A-Za-z0-9]*' "$T_TMP/logs/drill.log" "$T_TMP/drill.err" 2>/dev/null | head -1)
check_match "the drill logged its sandbox directory" '^/tmp/sanha-drill\.' "$sandbox"
[ -z "$sandbox" ] || check "sandbox directory removed" no "$([ -e "$sandbox" ] && echo yes || echo no)"
check "no corosync/pacemakerd/tgtd of the drill left" 0 \
  "$(grep -las "/tmp/[s]anha-drill\\." /proc/[0-9]*/cmdline 2>/dev/null | wc -l)"
check "no mount of the drill left on this machine" 0 "$(grep -c 'sanha-drill' /proc/self/mounts)"

if [ "$T_FAILED" != 0 ]; then
  sed 's/^/    | /' "$T_TMP/drill.err"
  sed 's/^/    | /' "$T_TMP/drill.json"
  tail -n 40 "$T_TMP/logs/drill.log" 2>/dev/null | sed 's/^/    log | /'
  for f in "$T_TMP"/logs/not-ready.out "$T_TMP"/logs/node*/log-corosync/corosync.log "$T_TMP"/logs/node*/boot.out; do
    [ -s "$f" ] && tail -n 5 "$f" | sed "s|^|    ${f#"$T_TMP"/logs/} | |"
  done
fi
finish
