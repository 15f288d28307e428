# shellcheck shell=bash disable=SC2034  # sourced: PDU_PID, RC, OUT, ERR, MS are for the caller
# Simulated APC PDUs for the fence tests (sourced after tests/lib.sh): one snmpd per PDU in the
# test's own network namespace $NS, answering PowerNet OIDs through pdu_sim.py with state files,
# a SET log and fault switches. Communities: private (rw), public (ro); SNMPv3 users below.
PDU_SIM=$SANHA_SRC/tests/integration/fence/pdu_sim.py
AGENT=$SANHA_BUILD/fence_apc_pdu
declare -A PDU_PID PDU_DIR

# in_ns CMD...: runs CMD in $NS, or right here when NS is empty (already inside a namespace).
in_ns() {
  if [ -n "${NS:-}" ]; then ip netns exec "$NS" "$@"; else "$@"; fi
}

# pdu_oid MODEL: the sysObjectID the model reports.
pdu_oid() {
  case $1 in
    rpdu) echo .1.3.6.1.4.1.318.1.3.4.5 ;;
    ms6) echo .1.3.6.1.4.1.318.1.3.4.6 ;;
    msp) echo .1.3.6.1.4.1.318.1.3.4.4 ;;
    ms) echo .1.3.6.1.4.1.318.1.3.4.2 ;;
  esac
}

# start_pdu NAME MODEL PORT OUTLET_NAME...: outlets 1..N named as given, all on. With $PDU_LOG
# set, SETs go to that shared file (to see the order across PDUs); else to $PDU_DIR[NAME]/set.log.
start_pdu() {
  local name=$1 model=$2 port=$3
  shift 3
  local dir=$T_TMP/pdu-$name i=1 n
  mkdir -p "$dir/persist"
  : >"$dir/names"
  for n in "$@"; do
    echo "$i $n" >>"$dir/names"
    i=$((i + 1))
  done
  if [ -n "${PDU_LOG:-}" ]; then echo "$PDU_LOG" >"$dir/log"; fi
  cat >"$dir/snmpd.conf" <<CONF
rwcommunity private 127.0.0.1
rocommunity public 127.0.0.1
sysObjectID $(pdu_oid "$model")
createUser v3md5 MD5 authpass123 DES privpass123
createUser v3sha SHA authpass123 AES privpass123
createUser v3sha256 SHA-256 authpass123 AES privpass123
createUser v3sha512 SHA-512 authpass123 AES-256 privpass123
createUser v3auth SHA authpass123
rwuser v3md5 priv
rwuser v3sha priv
rwuser v3sha256 priv
rwuser v3sha512 priv
rwuser v3auth auth
pass_persist .1.3.6.1.4.1.318 $PDU_SIM $name $model $dir
CONF
  local snmpd_pid
  # Not through in_ns: a function would run in a subshell, and the recorded pid must be snmpd's
  # own (ip netns exec execs it) so the tests can freeze and kill exactly that process.
  local cmd=(snmpd -f -Lo -C -c "$dir/snmpd.conf" "udp:127.0.0.1:$port")
  if [ -n "${NS:-}" ]; then cmd=(ip netns exec "$NS" "${cmd[@]}"); fi
  SNMP_PERSISTENT_DIR="$dir/persist" MIBS='' bg snmpd_pid "${cmd[@]}" >"$dir/snmpd.log" 2>&1
  PDU_PID[$name]=$snmpd_pid
  PDU_DIR[$name]=$dir
  for _ in $(seq 1 100); do
    if snmp_get "$port" .1.3.6.1.2.1.1.2.0 >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  echo "FATAL: snmpd for $name did not start: $(tail -3 "$dir/snmpd.log")" >&2
  exit 1
}

# snmp_get PORT OID: the value as net-snmp's snmpget prints it (-Oqv), read-only community.
snmp_get() {
  SNMP_PERSISTENT_DIR=$T_TMP MIBS='' in_ns snmpget -v2c -c public -r0 -t0.5 -Oqv \
    "127.0.0.1:$1" "$2" 2>/dev/null
}

# outlet NAME N: 1 (on) or 2 (off), from the simulated PDU's state file.
outlet() { cat "${PDU_DIR[$1]}/outlet.$2" 2>/dev/null || echo 1; }
# set_all_on NAME: resets every outlet to on and clears faults.
reset_pdu() {
  local dir=${PDU_DIR[$1]}
  rm -f "$dir"/outlet.* "$dir"/pending.* "$dir"/stuck.* "$dir"/refuse_set "$dir"/refuse_on \
    "$dir"/slow "$dir"/delay
}
fault() { echo "${3:-1}" >"${PDU_DIR[$1]}/$2"; }

# fence [key=value ...]: runs the agent in $NS with key=value lines on stdin (pacemaker's form);
# sets RC, OUT, ERR and MS (wall time in milliseconds). A watchdog (FENCE_WATCHDOG seconds,
# default 300) kills an agent that hangs, so a broken bound fails the test (RC 137) instead of
# hanging it.
fence() {
  local t0 t1
  local cmd=(timeout -s KILL "${FENCE_WATCHDOG:-300}" "$AGENT")
  if [ -n "${NS:-}" ]; then cmd=(timeout -s KILL "${FENCE_WATCHDOG:-300}" ip netns exec "$NS" "$AGENT"); fi
  t0=$(date +%s%N)
  OUT=$(printf '%s\n' "$@" | "${cmd[@]}" 2>"$T_TMP/err")
  RC=$?
  t1=$(date +%s%N)
  ERR=$(cat "$T_TMP/err")
  MS=$(((t1 - t0) / 1000000))
}
