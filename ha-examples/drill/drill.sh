#!/bin/bash
# The failover drill: two storage processors under real Corosync 3 + Pacemaker 2.1 (sandbox.sh),
# configured from ha-examples/ as an administrator would, fenced through two simulated APC PDUs by
# sanha's fence_apc_pdu, tgtd managed by iet-target behind a virtual IP, and an iSCSI initiator
# writer whose every acknowledged write is verified after each scenario. docs/drill.md explains it.
# Usage: drill.sh [--token MS] [--runs N] [--tickle] [--json] [--scenarios LIST] [--logs DIR] [BUILD_DIR]
#   LIST: comma-separated, from death,standby,resize,fencefail,partition,steady (default: all)
#   --runs N: node deaths (power cuts) to run, for the medians (default 5)
#   --tickle: the unblock resource records connections in a shared tickle_dir (tickle ACKs)
#   --logs DIR: keep every log of the run (pacemaker, corosync, SET logs, writer) in DIR
# Root only. Removes everything it creates, also on failure or Ctrl-C. Exit 0 only if all pass.
# Functions run through wait_for and the EXIT trap look unreachable to shellcheck:
# shellcheck disable=SC2317
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
TOKEN=""
RUNS=5
JSON=0
TICKLE=0
LOGS=""
SCENARIOS=death,standby,resize,fencefail,partition,steady
usage() { sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --token) TOKEN=${2:-}; shift 2 || usage ;;
    --runs) RUNS=${2:-}; shift 2 || usage ;;
    --json) JSON=1; shift ;;
    --tickle) TICKLE=1; shift ;;
    --scenarios) SCENARIOS=${2:-}; shift 2 || usage ;;
    --logs) LOGS=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    -*) echo "drill: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
BUILD=$(cd "${1:-$SRC/build}" 2>/dev/null && pwd) || { echo "drill: no build directory ${1:-$SRC/build}" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || { echo "drill: --runs wants 1..99, got '$RUNS'" >&2; exit 2; }
[ -z "$TOKEN" ] || [[ $TOKEN =~ ^[1-9][0-9]{2,5}$ ]] || { echo "drill: --token wants milliseconds (100..999999), got '$TOKEN'" >&2; exit 2; }
for s in ${SCENARIOS//,/ }; do
  case $s in death | standby | resize | fencefail | partition | steady) ;; *) echo "drill: unknown scenario '$s'" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "drill: run as root (it creates namespaces and mounts)" >&2; exit 1; }
WRITER=$BUILD/sanha-drill-writer
[ -x "$WRITER" ] || { echo "drill: $WRITER not built" >&2; exit 1; }
for p in corosync pacemakerd crm crm_mon crm_resource cibadmin crm_attribute snmpd snmpset tgtd \
  tgtadm iptables nft unshare nsenter python3; do
  command -v "$p" >/dev/null || { echo "drill: $p missing: run scripts/install-deps" >&2; exit 1; }
done

# shellcheck source=ha-examples/drill/sandbox.sh
source "$HERE/sandbox.sh"
SB=""
SB_WRITER_PID=""
cleanup() {
  if [ -n "$LOGS" ] && [ -n "$SB" ]; then
    mkdir -p "$LOGS" && (cd "$SB" && find . -path ./stage -prune -o -path ./shared -prune -o \
      \( -name '*.log' -o -name '*.out' -o -name '*.err' \) -print | cpio -pdm --quiet "$LOGS")
  fi
  sb_destroy
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

IQN=iqn.2026-12.org.sanha:drill
LUN_URL=iscsi://$SB_VIP/$IQN/1
GROUP=""          # the service group's name and members, read from the CIB once configured
MEMBERS=()
RESULTS=()        # "scenario|run|PASS/FAIL|key=value ...|note" rows for the table and --json
FAILED=0
progress() { [ "$JSON" = 1 ] || printf '  %s\n' "$*" >&2; sb_log "$*"; }

# ---- cluster configuration, from ha-examples/ as a user applies it ------------------------------
# corosync.conf and the crm file are used unmodified except for addresses: the examples' own
# addresses already are the sandbox's (TEST-NET-1, docs/drill.md), so the sed below only changes
# the token when --token is given, and the log file's directory is per node anyway.
cluster_files() {
  local n d
  # knet's key (crypto_cipher in corosync.conf): made once, copied to both nodes (docs/cluster.md).
  corosync-keygen -k "$SB/authkey" >/dev/null 2>&1 || { echo "drill: corosync-keygen failed" >&2; return 1; }
  for n in "${SB_NODES[@]}"; do
    d=$SB/$n
    if [ -n "$TOKEN" ]; then
      sed -E "s/^([[:space:]]*token:).*/\1 $TOKEN/" "$SRC/ha-examples/corosync/corosync.conf" >"$d/etc/corosync/corosync.conf"
    else
      cp "$SRC/ha-examples/corosync/corosync.conf" "$d/etc/corosync/corosync.conf"
    fi
    install -m 400 "$SB/authkey" "$d/etc/corosync/authkey"
    # A first DC election waits dc-deadtime (20 s by default): seed it shorter, as test
    # labs do; the crm file sets the rest. Both nodes read one load average: without a high
    # load-threshold pacemaker throttles itself on a busy host.
    CIB_file=$d/pacemaker/cib/cib.xml cibadmin --empty >"$d/pacemaker/cib/cib.xml"
    CIB_file=$d/pacemaker/cib/cib.xml crm_attribute -t crm_config -n dc-deadtime -v 5s >/dev/null
    CIB_file=$d/pacemaker/cib/cib.xml crm_attribute -t crm_config -n load-threshold -v 1000% >/dev/null
    chown -R hacluster:haclient "$d/pacemaker"
    cat >"$d/etc/sanha/targets.conf" <<CONF
# /etc/sanha/targets.conf of the drill: one LUN on the shared backing file, for the writer only.
iqn-prefix iqn.2026-12.org.sanha
target drill
  allow-address $SB_INI_ADDR
  lun 1 $SB/shared/lun1.img scsi_idsn=SANHA-DRILL-01
CONF
    chmod 600 "$d/etc/sanha/targets.conf"
  done
  truncate -s 64M "$SB/shared/lun1.img"
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s; 0 once it succeeds, 1 after SECONDS.
wait_for() {
  local end=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt $end ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

online() { sb_in "$1" crm_mon -1 2>/dev/null | grep -q "Online: \[ node1 node2 \]"; }
# where NODE: the node the group's last member runs on, as NODE's cluster sees it.
where() {
  sb_in "$1" crm_resource --locate -r "${MEMBERS[-1]}" 2>/dev/null | sed -n 's/.*is running on: \([a-z0-9]*\).*/\1/p' | head -1
}
other() { [ "$1" = node1 ] && echo node2 || echo node1; }
# active: the node running the group (asked of any live node).
active() {
  local n
  for n in "${SB_NODES[@]}"; do sb_alive "$n" && { where "$n"; return; }; done
}
idle() { sb_in "$1" crm_resource --wait --timeout=20; }

cluster_up() {
  sb_boot node1 && sb_boot node2 || return 1
  wait_for 120 online node1 || { echo "drill: the two nodes did not form a cluster" >&2; return 1; }
  progress "both nodes online; applying ha-examples/crm/sanha.crm"
  sb_in node1 crm configure load update "$SRC/ha-examples/crm/sanha.crm" >"$SB/crm-load.out" 2>&1 ||
    { echo "drill: crm configure load failed: $(tail -1 "$SB/crm-load.out")" >&2; return 1; }
  GROUP=$(sb_in node1 cibadmin -Q -o resources | grep -o '<group id="[^"]*"' | head -1 | cut -d'"' -f2)
  mapfile -t MEMBERS < <(sb_in node1 cibadmin -Q -o resources | sed -n "/<group id=\"$GROUP\"/,/<\/group>/p" |
    grep -o '<primitive id="[^"]*"' | cut -d'"' -f2)
  if [ -z "$GROUP" ] || [ "${#MEMBERS[@]}" = 0 ]; then
    echo "drill: no group in the configuration" >&2
    return 1
  fi
  if ! wait_for 180 ready; then
    # What the cluster looked like, for --logs: which part of "ready" did not hold.
    {
      sb_in node1 crm_mon -1 -r
      echo "node1 sees it on '$(where node1)', node2 on '$(where node2)'"
      sb_in node1 crm_resource --wait --timeout=10 2>&1
      echo "crm_resource --wait: $?"
    } >"$SB/not-ready.out" 2>&1
    echo "drill: the group did not start: $(tail -2 "$SB/not-ready.out" | paste -sd' ')" >&2
    return 1
  fi
  progress "group $GROUP (${MEMBERS[*]}) running on $(active)"
}
# tickle_setup: --tickle: the unblock resource (the group's last member) records established
# connections in a directory both nodes see; its start on the survivor tickles them.
tickle_setup() {
  [ "$TICKLE" = 1 ] || return 0
  mkdir -p "$SB/shared/tickle"
  sb_in node1 crm resource param "${MEMBERS[-1]}" set tickle_dir "$SB/shared/tickle" >/dev/null 2>&1 ||
    { echo "drill: cannot set tickle_dir on ${MEMBERS[-1]}" >&2; return 1; }
  sleep 2
  wait_for 60 ready
}
# tickle_recorded NODE: with --tickle, waits until NODE's tickle file lists the writer's current
# connection (the unblock monitor records every 10 s); without, true at once.
tickle_recorded() {
  [ "$TICKLE" = 1 ] || return 0
  local port
  port=$(ip netns exec "$SB_NS_INI" ss -tnH state established dst "$SB_VIP" dport = 3260 |
    awk '{ sub(/.*:/, "", $3); print $3; exit }')
  [ -n "$port" ] || return 1
  wait_for 30 grep -qs " $SB_INI_ADDR $port\$" "$SB/shared/tickle/"*".$1"
}
# ready: both nodes online, the group running, the cluster idle.
ready() {
  local a
  online node1 && online node2 || return 1
  a=$(where node1)
  [ -n "$a" ] && [ "$a" = "$(where node2)" ] && idle node1
}

# ---- the writer ---------------------------------------------------------------------------------
# writer_start LOG: the initiator writes sequence-numbered blocks through the VIP until stopped.
writer_start() {
  ip netns exec "$SB_NS_INI" "$WRITER" write --url "$LUN_URL" --log "$1" --region-blocks 1024 \
    --interval-ms 10 --initiator-name iqn.2026-12.org.sanha:writer >"$1.out" 2>&1 &
  SB_WRITER_PID=$!
  wait_for 30 acked_after "$1" 0 || { echo "drill: the writer got no acknowledged write: $(tail -2 "$1.out")" >&2; return 1; }
}
# acked_after LOG T: true when LOG has a write acknowledged after time T.
acked_after() { awk -v t="$2" '$5 == "ok" && $4 > t { found = 1; exit } END { exit !found }' "$1"; }
first_ack_after() { awk -v t="$2" '$5 == "ok" && $4 > t { print $4; exit }' "$1"; }
# writer_stop LOG: stops the writer and verifies every acknowledged write against the backing
# file; sets VERIFY (the writer's JSON) and returns the writer's verdict.
writer_stop() {
  [ -n "$SB_WRITER_PID" ] && { kill -TERM "$SB_WRITER_PID" 2>/dev/null; wait "$SB_WRITER_PID" 2>/dev/null; }
  SB_WRITER_PID=""
  VERIFY=$("$WRITER" verify --log "$1" --file "$SB/shared/lun1.img" --json 2>"$1.verify.err")
}
# jget JSON KEY: one number from the writer's JSON summary.
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }
# data_ok LOG: the verdict after a scenario: nothing lost or corrupt, no error surfaced.
data_ok() {
  writer_stop "$1"
  local lost corrupt errors
  lost=$(jget "$VERIFY" lost) corrupt=$(jget "$VERIFY" corrupt) errors=$(jget "$VERIFY" errors)
  DATA="acked=$(jget "$VERIFY" acked) lost=${lost:-?} corrupt=${corrupt:-?} errors=${errors:-?}"
  [ "$lost" = 0 ] && [ "$corrupt" = 0 ] && [ "$errors" = 0 ]
}

# no_rules NODE: nothing of sanha's firewall is left on NODE (iptables -S of both families and
# nft's table inet sanha hold no rule).
no_rules() {
  local n
  n=$({
    sb_in "$1" iptables -S
    sb_in "$1" ip6tables -S
    sb_in "$1" nft list table inet sanha 2>/dev/null
  } | grep -cE '(-A |drop|reject)')
  [ "$n" = 0 ]
}

# ---- timeline, from the survivor's pacemaker log, the SET logs and the writer log ----------------
# pcmk_time LOG PATTERN AFTER: epoch seconds of the first line of LOG matching PATTERN at or after
# epoch AFTER (pacemaker logs local time without a year: this year is assumed).
pcmk_time() {
  local line
  while IFS= read -r line; do
    local t
    t=$(date -d "${line:0:19}" +%s.%N 2>/dev/null) || continue
    if awk -v a="$t" -v b="$3" 'BEGIN { exit !(a >= b - 0.001) }'; then echo "$t"; return 0; fi
  done < <(grep -E -- "$2" "$1")
  return 1
}
# off_time NODE AFTER: when the last of NODE's two outlets was switched off (SET logs).
off_time() {
  local i=${1#node} a b
  a=$(awk -v t="$2" -v o="$i" '$1 > t && $3 == "set" && $4 == o && $5 == 2 { print $1; exit }' "$SB/pdu-a/set.log")
  b=$(awk -v t="$2" -v o="$i" '$1 > t && $3 == "set" && $4 == o && $5 == 2 { print $1; exit }' "$SB/pdu-b/set.log")
  [ -n "$a" ] && [ -n "$b" ] || return 1
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.6f\n", (a > b ? a : b) }'
}
rel() { [ -n "$2" ] && awk -v a="$2" -v b="$1" 'BEGIN { printf "%.2f", a - b }' || echo "-"; }

# power_on NODE: an administrator switches both of NODE's outlets on again (SNMP SET to each PDU);
# the mains watcher then boots it.
power_on() {
  local i=${1#node} addr
  for addr in "$SB_PDU_A" "$SB_PDU_B"; do
    MIBS='' SNMP_PERSISTENT_DIR=$SB/pdu-a/persist ip netns exec "$SB_NS_SW" snmpset -v2c -c private \
      -r1 -t2 "$addr" ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.$i" i 1 >>"$SB/power-on.out" 2>&1 || return 1
  done
}
# rejoin NODE: NODE powered (booting it when no PDU switched it off) and back in the cluster.
rejoin() {
  if [ "$(sb_outlet a "${1#node}")" = 2 ] || [ "$(sb_outlet b "${1#node}")" = 2 ]; then
    power_on "$1" || return 1
    wait_for 60 sb_alive "$1" || return 1  # the mains watcher boots it
  fi
  sb_alive "$1" || sb_boot "$1" || return 1
  wait_for 120 ready
}

record() { RESULTS+=("$1|$2|$3|$4|$5"); [ "$3" = PASS ] || FAILED=1; }

# ---- 1. node death ------------------------------------------------------------------------------
DEATH_ROWS=()  # "membership fence_req outlets_off started first_ack" per run, seconds after death
scenario_death() {
  local run=$1 log=$SB/writer-death-$1.log victim survivor t0 tcut tm tf to ts ta verdict=PASS note=""
  writer_start "$log" || { record death "$run" FAIL "" "writer did not start"; return; }
  victim=$(active)
  survivor=$(other "$victim")
  sleep 2
  tickle_recorded "$victim" || { record death "$run" FAIL "" "no connection recorded in tickle_dir"; return; }
  read -r t0 tcut < <(sb_power_cut "$victim")
  progress "death $run: power cut of $victim (active) at $(date -d "@$t0" +%T.%N | cut -c1-12)"
  # Only an acknowledgement after the cut is complete comes from the survivor.
  if ! wait_for 120 acked_after "$log" "$tcut"; then verdict=FAIL note="no write acknowledged after the death"; fi
  wait_for 30 idle "$survivor"
  local plog=$SB/$survivor/log/pacemaker.log
  tm=$(pcmk_time "$plog" "pacemaker-controld.*Node $victim state is now lost" "$t0")
  tf=$(pcmk_time "$plog" "Requesting fencing \([a-z]+\) of node $victim" "$t0")
  to=$(off_time "$victim" "$t0")
  ts=$(pcmk_time "$plog" "Result of start operation for ${MEMBERS[-1]} on $survivor: ok" "$t0")
  local tfirst
  tfirst=$(pcmk_time "$plog" "Requesting local execution of start operation for ${MEMBERS[0]} on $survivor" "$t0")
  ta=$(first_ack_after "$log" "$tcut")
  if [ -z "$to" ]; then
    verdict=FAIL note="${note:+$note; }the SET logs do not show both of $victim's outlets off"
  elif [ -z "$tfirst" ] || awk -v a="$tfirst" -v b="$to" 'BEGIN { exit !(a < b) }'; then
    verdict=FAIL note="${note:+$note; }a resource started on $survivor before both outlets were off"
  fi
  [ "$(where "$survivor")" = "$survivor" ] || { verdict=FAIL note="${note:+$note; }group not on $survivor"; }
  data_ok "$log" || { verdict=FAIL note="${note:+$note; }writes: $DATA"; }
  if ! rejoin "$victim"; then
    verdict=FAIL note="${note:+$note; }$victim did not rejoin"
  elif ! no_rules "$victim"; then
    verdict=FAIL note="${note:+$note; }firewall rule left on $victim"
  fi
  DEATH_ROWS+=("$(rel "$t0" "$tm") $(rel "$t0" "$tf") $(rel "$t0" "$to") $(rel "$t0" "$ts") $(rel "$t0" "$ta")")
  record death "$run" "$verdict" "membership=$(rel "$t0" "$tm") fencing=$(rel "$t0" "$tf") outlets_off=$(rel "$t0" "$to") started=$(rel "$t0" "$ts") first_ack=$(rel "$t0" "$ta") $DATA" "$victim→$survivor${note:+; $note}"
}

# ---- 2. clean switchover ------------------------------------------------------------------------
scenario_standby() {
  local log=$SB/writer-standby.log from to t0 ta verdict=PASS note=""
  writer_start "$log" || { record standby 1 FAIL "" "writer did not start"; return; }
  from=$(active)
  to=$(other "$from")
  sleep 2
  t0=$(date +%s.%N)
  sb_in "$to" crm node standby "$from" >"$SB/standby.out" 2>&1 || { verdict=FAIL note="crm node standby failed: $(tail -1 "$SB/standby.out")"; }
  wait_for 60 idle "$to"
  [ "$(where "$to")" = "$to" ] || { verdict=FAIL note="${note:+$note; }group not on $to"; }
  wait_for 60 acked_after "$log" "$(date +%s.%N)" || { verdict=FAIL note="${note:+$note; }no write after the switchover"; }
  # the longest time without an acknowledgement across the switchover (from the last ack before)
  ta=$(awk -v t="$t0" '$5 == "ok" { if ($4 > t && p && $4 - p > g) g = $4 - p; p = $4 } END { printf "%.2f", g }' "$log")
  no_rules "$from" || { verdict=FAIL note="${note:+$note; }firewall rule left on $from"; }
  data_ok "$log" || { verdict=FAIL note="${note:+$note; }writes: $DATA"; }
  sb_in "$to" crm node online "$from" >/dev/null 2>&1
  wait_for 60 ready || { verdict=FAIL note="${note:+$note; }cluster not ready after online"; }
  record standby 1 "$verdict" "stall=$ta $DATA" "$from→$to${note:+; $note}"
}

# ---- 3. live resize under I/O --------------------------------------------------------------------
# The shared backing file grows by half; the administrator applies the file on the active node
# (san-target apply, what iet-target's reload runs); the initiator must read the new capacity.
capacity() {
  ip netns exec "$SB_NS_INI" iscsi-readcapacity16 -i iqn.2026-12.org.sanha:check "$LUN_URL" 2>/dev/null |
    sed -n 's/^Total size:\([0-9]*\).*/\1/p'
}
scenario_resize() {
  local log=$SB/writer-resize.log a before after want verdict=PASS note=""
  writer_start "$log" || { record resize 1 FAIL "" "writer did not start"; return; }
  a=$(active)
  before=$(capacity)
  want=$((before + before / 2))
  truncate -s "$want" "$SB/shared/lun1.img"
  sb_in "$a" san-target --portals "$SB_VIP:3260" apply >"$SB/resize-apply.out" 2>&1 ||
    { verdict=FAIL note="san-target apply failed: $(tail -1 "$SB/resize-apply.out")"; }
  after=$(capacity)
  [ "$after" = "$want" ] || { verdict=FAIL note="${note:+$note; }initiator reads $after bytes, want $want"; }
  sleep 12  # one monitor interval of every resource: the grown LUN must not count as a failure
  failures "$a" && { verdict=FAIL note="${note:+$note; }failed actions: $FAILURES"; }
  data_ok "$log" || { verdict=FAIL note="${note:+$note; }writes: $DATA"; }
  record resize 1 "$verdict" "before=$before after=$after $DATA" "on $a${note:+; $note}"
}

# failures NODE: true when the cluster reports a failed action or a fail-count; sets FAILURES.
failures() {
  FAILURES=$(sb_in "$1" crm_mon -1 --output-as=xml 2>/dev/null | grep -o '<failure [^>]*' | grep -o 'op_key="[^"]*"' | tr '\n' ' ')
  local counts
  counts=$(sb_in "$1" cibadmin -Q -o status 2>/dev/null | grep -o 'name="fail-count-[^"]*"' | tr '\n' ' ')
  FAILURES="$FAILURES$counts"
  [ -n "$FAILURES" ]
}

# ---- 4. fencing fails ---------------------------------------------------------------------------
# Both PDUs stop answering (snmpd frozen), then the active node dies. Fencing cannot succeed, so
# the survivor must start nothing: no VIP, no tgtd, no group member. Then the PDUs answer again;
# the cluster's next fencing attempt succeeds and the service comes back on the survivor.
scenario_fencefail() {
  local log=$SB/writer-fencefail.log victim survivor t0 started verdict=PASS note="" attempts tr
  writer_start "$log" || { record fencefail 1 FAIL "" "writer did not start"; return; }
  victim=$(active)
  survivor=$(other "$victim")
  kill -STOP "$(cat "$SB/pdu-a/snmpd.pid")" "$(cat "$SB/pdu-b/snmpd.pid")"
  sleep 1
  read -r t0 _ < <(sb_power_cut "$victim")
  progress "fencefail: PDUs silent, power cut of $victim"
  sleep 40
  local plog=$SB/$survivor/log/pacemaker.log m
  for m in "${MEMBERS[@]}"; do
    if pcmk_time "$plog" "Requesting local execution of start operation for $m on $survivor" "$t0" >/dev/null; then
      verdict=FAIL note="${note:+$note; }$m started on $survivor without fencing"
    fi
  done
  sb_in "$survivor" ip -o addr show | grep -q " $SB_VIP/" && { verdict=FAIL note="${note:+$note; }$survivor holds the VIP"; }
  sb_in "$survivor" pgrep -x tgtd >/dev/null && { verdict=FAIL note="${note:+$note; }tgtd runs on $survivor"; }
  acked_after "$log" "$((${t0%.*} + 1))" && { verdict=FAIL note="${note:+$note; }writes acknowledged while nobody may serve"; }
  attempts=$(grep -cE "Operation 'off' targeting $victim .*(Error|error|failed|Timer expired|No route)" "$plog")
  [ "$attempts" -gt 0 ] || { verdict=FAIL note="${note:+$note; }no failed fencing attempt logged"; }
  progress "fencefail: $attempts failed fencing attempt(s), nothing started; PDUs answer again"
  kill -CONT "$(cat "$SB/pdu-a/snmpd.pid")" "$(cat "$SB/pdu-b/snmpd.pid")"
  tr=$(date +%s.%N)
  if ! wait_for 120 acked_after "$log" "$tr"; then
    # Pacemaker stops retrying after stonith-max-attempts: the administrator's cleanup.
    sb_in "$survivor" crm resource cleanup >/dev/null 2>&1
    wait_for 120 acked_after "$log" "$tr" || { verdict=FAIL note="${note:+$note; }service did not come back after the PDUs did"; }
  fi
  started=$(rel "$tr" "$(first_ack_after "$log" "$tr")")
  data_ok "$log" || { verdict=FAIL note="${note:+$note; }writes: $DATA"; }
  rejoin "$victim" || { verdict=FAIL note="${note:+$note; }$victim did not rejoin"; }
  no_rules "$victim" || { verdict=FAIL note="${note:+$note; }firewall rule left on $victim"; }
  record fencefail 1 "$verdict" "failed_fencing=$attempts served_after_pdus_back=$started $DATA" "$victim dead, nothing started on $survivor until fenced${note:+; $note}"
}

# ---- 5. partition -------------------------------------------------------------------------------
# The cluster link breaks (the switch drops corosync's knet traffic between the nodes; both still
# reach the PDUs, the gateway and the initiator). Both nodes want to fence the other:
# priority-fencing-delay lets the node running the service win. Exactly one node is fenced.
scenario_partition() {
  local log=$SB/writer-partition.log a p t0 verdict=PASS note="" gap
  writer_start "$log" || { record partition 1 FAIL "" "writer did not start"; return; }
  a=$(active)
  p=$(other "$a")
  t0=$(date +%s.%N)
  ip netns exec "$SB_NS_SW" nft -f - <<NFT
table bridge sanha_drill {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr { $(sb_addr node1), $(sb_addr node2) } ip daddr { $(sb_addr node1), $(sb_addr node2) } udp dport 5405 drop
  }
}
NFT
  progress "partition: knet between the nodes dropped ($a runs the service)"
  wait_for 90 test -e "$SB/$p/power-off.time" -a ! -e "$SB/$p/init.pid" || { verdict=FAIL note="$p was not fenced"; }
  sleep 10
  sb_alive "$a" || { verdict=FAIL note="${note:+$note; }$a was fenced too"; }
  [ "$(sb_outlet a "${a#node}")$(sb_outlet b "${a#node}")" = 11 ] || { verdict=FAIL note="${note:+$note; }$a's outlets switched"; }
  [ "$(where "$a")" = "$a" ] || { verdict=FAIL note="${note:+$note; }service not on $a"; }
  wait_for 30 acked_after "$log" "$(date +%s.%N)" || { verdict=FAIL note="${note:+$note; }no write after the partition"; }
  gap=$(awk -v t="$t0" '$5 == "ok" { if ($4 > t && p && $4 - p > g) g = $4 - p; p = $4 } END { printf "%.2f", g }' "$log")
  ip netns exec "$SB_NS_SW" nft delete table bridge sanha_drill
  data_ok "$log" || { verdict=FAIL note="${note:+$note; }writes: $DATA"; }
  rm -f "$SB/$p/power-off.time"
  rejoin "$p" || { verdict=FAIL note="${note:+$note; }$p did not rejoin"; }
  no_rules "$p" || { verdict=FAIL note="${note:+$note; }firewall rule left on $p"; }
  record partition 1 "$verdict" "longest_gap=$gap $DATA" "$p fenced, $a kept the service${note:+; $note}"
}

# ---- 6. steady state ----------------------------------------------------------------------------
# 60 s of every monitor of the documented configuration; then `crm resource refresh` of the group
# (every member re-probed) while the rules of the active node are watched: none may appear under
# the running target; then iet-target parameters changed live must be applied or restart it.
rules_seen() {  # rules_seen NODE SECONDS: counts samples (every 0.1 s) showing a DROP rule
  local end=$((SECONDS + $2)) n=0
  while [ $SECONDS -lt $end ]; do
    sb_in "$1" iptables -S 2>/dev/null | grep -q -- '-j DROP' && n=$((n + 1))
    sb_in "$1" nft list ruleset 2>/dev/null | grep -qw drop && n=$((n + 1))
    sleep 0.1
  done
  echo "$n"
}
# param_change NODE PARAM VALUE CHECK...: sets an iet-target parameter on the running group; the
# change must reach the agent (a reload or a restart of iscsi-target) and CHECK must then succeed.
param_change() {
  local a=$1 name=$2 value=$3 t
  shift 3
  t=$(date +%s.%N)
  sb_in "$a" crm resource param iscsi-target set "$name" "$value" >/dev/null 2>&1 || return 1
  sleep 2
  wait_for 60 idle "$a"
  pcmk_time "$SB/$a/log/pacemaker.log" "Result of (start|reload|reload-agent) operation for iscsi-target on $a: ok" "$t" >/dev/null || return 1
  "$@"
}
portal_has() { sb_in "$1" tgtadm --lld iscsi --op show --mode portal 2>/dev/null | grep -q "Portal: $2,"; }
scenario_steady() {
  local log=$SB/writer-steady.log a verdict=PASS note="" seen changed=""
  writer_start "$log" || { record steady 1 FAIL "" "writer did not start"; return; }
  a=$(active)
  sb_in "$a" crm resource cleanup >/dev/null 2>&1  # earlier scenarios' history is not this one's
  wait_for 30 idle "$a"
  progress "steady: 60 s of monitors on $a"
  sleep 60
  failures "$a" && { verdict=FAIL note="failed actions after 60 s: $FAILURES"; }
  sb_in "$a" crm resource refresh "$GROUP" >/dev/null 2>&1 || { verdict=FAIL note="${note:+$note; }refresh failed"; }
  seen=$(rules_seen "$a" 15)
  [ "$seen" = 0 ] || { verdict=FAIL note="${note:+$note; }a DROP rule appeared under the running target after refresh ($seen samples)"; }
  [ "$(where "$a")" = "$a" ] || { verdict=FAIL note="${note:+$note; }service left $a after refresh"; }
  failures "$a" && { verdict=FAIL note="${note:+$note; }failed actions after refresh: $FAILURES"; }
  if param_change "$a" portals "$SB_VIP:3260,$SB_VIP:3261" portal_has "$a" "$SB_VIP:3261"; then
    changed="portals"
  else
    verdict=FAIL note="${note:+$note; }portals change not applied"
  fi
  if param_change "$a" state_dir /run/sanha/target-drill test -e "/proc/$(cat "$SB/$a/init.pid")/root/run/sanha/target-drill"; then
    changed="$changed,state_dir"
  else
    verdict=FAIL note="${note:+$note; }state_dir change not applied"
  fi
  sb_in "$a" crm resource param iscsi-target set portals "$SB_VIP:3260" >/dev/null 2>&1
  sb_in "$a" crm resource param iscsi-target delete state_dir >/dev/null 2>&1
  sleep 2
  wait_for 60 idle "$a"
  portal_has "$a" "$SB_VIP:3261" && { verdict=FAIL note="${note:+$note; }portal 3261 still served after the change back"; }
  wait_for 30 acked_after "$log" "$(date +%s.%N)" || { verdict=FAIL note="${note:+$note; }no write after the changes"; }
  data_ok "$log" || { verdict=FAIL note="${note:+$note; }writes: $DATA"; }
  record steady 1 "$verdict" "drop_samples_after_refresh=$seen params_applied=${changed:-none} $DATA" "on $a${note:+; $note}"
}

# ---- table and JSON ------------------------------------------------------------------------------
median_col() {  # median_col K: median of column K over DEATH_ROWS ("-" values skipped)
  printf '%s\n' "${DEATH_ROWS[@]}" | awk -v k="$1" '$k != "-" { print $k }' | sort -n |
    awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
report() {
  local med=""
  if [ "${#DEATH_ROWS[@]}" -gt 0 ]; then
    med="membership=$(median_col 1) fencing=$(median_col 2) outlets_off=$(median_col 3) started=$(median_col 4) first_ack=$(median_col 5)"
  fi
  if [ "$JSON" = 1 ]; then
    printf '%s\n' "${RESULTS[@]}" | python3 -c '
import json, sys
token, median, ok = sys.argv[1], sys.argv[2], sys.argv[3] == "0"
def kv(text):
    out = {}
    for item in text.split():
        k, _, v = item.partition("=")
        try:
            out[k] = float(v) if "." in v else int(v)
        except ValueError:
            out[k] = v
    return out
rows = []
for line in sys.stdin.read().splitlines():
    s, run, verdict, values, note = line.split("|", 4)
    rows.append({"scenario": s, "run": int(run), "result": verdict, "values": kv(values), "note": note})
print(json.dumps({"token_ms": int(token) if token else None, "tickle": sys.argv[4] == "1",
                  "death_median_s": kv(median),
                  "scenarios": rows, "pass": ok}, indent=1))' "${TOKEN:-}" "$med" "$FAILED" "$TICKLE"
    return
  fi
  printf '\nsanha failover drill — token %s ms, tickle %s, %s death run(s)\n' "${TOKEN:-$(grep -Eo 'token:[[:space:]]*[0-9]+' "$SRC/ha-examples/corosync/corosync.conf" | grep -Eo '[0-9]+' || echo default)}" "$([ "$TICKLE" = 1 ] && echo on || echo off)" "${#DEATH_ROWS[@]}"
  printf '%-10s %-3s %-4s %s\n' scenario run res "measured (seconds after the event) / checks"
  local r s run verdict values note
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r s run verdict values note <<<"$r"
    printf '%-10s %-3s %-4s %s\n' "$s" "$run" "$verdict" "$values"
    [ -z "$note" ] || printf '%-19s %s\n' "" "$note"
  done
  [ -z "$med" ] || printf '%-10s %-3s %-4s %s\n' median "" "" "$med"
  [ "$FAILED" = 0 ] && echo "ALL PASS" || echo "FAILED"
}

# ---- main ---------------------------------------------------------------------------------------
progress "sandbox: staging sanha from $BUILD"
sb_create "$BUILD" || exit 1
progress "sandbox: $SB"
cluster_files || exit 1
if ! { cluster_up && tickle_setup; }; then
  record setup 1 FAIL "" "cluster did not come up (logs under $SB)"
  report
  exit 1
fi
for s in ${SCENARIOS//,/ }; do
  case $s in
    death) for r in $(seq 1 "$RUNS"); do scenario_death "$r"; done ;;
    standby) scenario_standby ;;
    resize) scenario_resize ;;
    fencefail) scenario_fencefail ;;
    partition) scenario_partition ;;
    steady) scenario_steady ;;
  esac
done
report
exit "$FAILED"
