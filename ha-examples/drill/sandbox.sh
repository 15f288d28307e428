# shellcheck shell=bash
# The failover drill's sandbox (sourced by drill.sh): two storage processors node1/node2, each a
# network namespace plus private mount, UTS and PID namespaces, on a switch namespace with a bridge;
# an initiator namespace on the same bridge; two simulated APC PDUs (snmpd + pdu_sim.py) on the
# switch (addresses: those of ha-examples/, so its files apply unchanged), node N's PSU1 on PDU A outlet N and PSU2 on PDU B outlet N; a power watcher; shared
# backing files. sanha is installed into a staging directory and overlaid, read-only, on
# /usr/lib/ocf/resource.d and /usr/sbin inside each node's mount namespace only.
# Everything is created under $SB (a fresh /tmp directory) and in namespaces named *-$$;
# sb_destroy removes all of it, killing only the pids recorded here.

SB_NET=192.0.2
SB_GW=$SB_NET.1  # the bridge's own address: the "iSCSI VLAN gateway" the ping clone watches
# shellcheck disable=SC2034  # used by drill.sh
SB_VIP=$SB_NET.100
SB_INI_ADDR=$SB_NET.50
SB_PDU_A=$SB_NET.21
SB_PDU_B=$SB_NET.22
SB_NODES=(node1 node2)
SB_NS_SW=sanha-drill-sw-$$
SB_NS_INI=sanha-drill-ini-$$
SB_DIR_PDU=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/integration/fence" && pwd)
SB_PIDS=()  # daemons of ours on the host side (snmpd, watcher), killed by pid in sb_destroy

sb_addr() { echo "$SB_NET.1${1#node}"; }          # node1 → 192.0.2.11
sb_ns() { echo "sanha-drill-${1}-$$"; }           # node1 → sanha-drill-node1-PID
sb_log() { printf '%s %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*" >>"$SB/drill.log"; }

# sb_in NODE CMD...: runs CMD inside NODE (all its namespaces), as an administrator's shell there.
sb_in() {
  local init
  init=$(cat "$SB/$1/init.pid" 2>/dev/null) || return 1
  shift
  nsenter -t "$init" -m -u -n -p -- "$@"
}

# sb_create BUILD: the whole sandbox, nodes powered off (sb_boot starts them).
sb_create() {
  local build=$1 n
  SB=$(mktemp -d /tmp/sanha-drill.XXXXXX)
  mkdir -p "$SB/stage" "$SB/shared"
  # DESTDIR, not --prefix alone: the install also creates links under /usr/lib/stonith and
  # /etc/ha.d, which must land in the staging tree, never on this machine.
  DESTDIR=$SB/stage cmake --install "$build" --prefix /usr >"$SB/install.log" 2>&1 ||
    { echo "drill: cmake --install failed: $(tail -1 "$SB/install.log")" >&2; return 1; }
  [ -x "$SB/stage/usr/lib/ocf/resource.d/sanha/iet-target" ] ||
    { echo "drill: the staging install has no iet-target" >&2; return 1; }

  ip netns add "$SB_NS_SW" && ip -n "$SB_NS_SW" link set lo up || return 1
  # A fixed MAC: a bridge otherwise takes its lowest port's, which changes when a cable is pulled.
  ip -n "$SB_NS_SW" link add br0 address 02:5a:00:00:00:fe type bridge
  ip -n "$SB_NS_SW" addr add "$SB_GW/24" brd + dev br0
  ip -n "$SB_NS_SW" addr add "$SB_PDU_A/24" dev br0
  ip -n "$SB_NS_SW" addr add "$SB_PDU_B/24" dev br0
  ip -n "$SB_NS_SW" link set br0 up
  for n in "${SB_NODES[@]}" ini; do
    local ns addr
    if [ "$n" = ini ]; then ns=$SB_NS_INI addr=$SB_INI_ADDR; else ns=$(sb_ns "$n") addr=$(sb_addr "$n"); fi
    ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
    ip link add eth0 netns "$ns" type veth peer name "p-$n" netns "$SB_NS_SW" || return 1
    ip -n "$SB_NS_SW" link set "p-$n" master br0 up
    ip -n "$ns" addr add "$addr/24" brd + dev eth0
    ip -n "$ns" link set eth0 up
  done
  for n in "${SB_NODES[@]}"; do sb_node_dirs "$n" || return 1; done
  sb_pdu a "$SB_PDU_A" && sb_pdu b "$SB_PDU_B" || return 1
  sb_watch &
  SB_PIDS+=($!)
}

# sb_node_dirs NODE: the node's "disk": pacemaker/corosync state, logs and its own /etc files.
sb_node_dirs() {
  local d=$SB/$1 n
  mkdir -p "$d"/{pacemaker/cib,pacemaker/pengine,pacemaker/blackbox,pacemaker/cores,corosync,log,log-corosync}
  mkdir -p "$d"/etc/{corosync,sanha} "$d/etc-lower/sanha"
  chown -R hacluster:haclient "$d/pacemaker" "$d/log"
  chmod 750 "$d/pacemaker" "$d/log"
  {
    echo "127.0.0.1 localhost"
    for n in "${SB_NODES[@]}"; do echo "$(sb_addr "$n") $n"; done
  } >"$d/etc/hosts"
  echo "$1" >"$d/etc/hostname"
  # The node's init: private mounts, then corosync and pacemakerd as a distribution would start
  # them. /etc/sanha does not exist on this machine, so a read-only overlay of /etc adds the empty
  # directory and the node's own copy is bound onto it.
  cat >"$d/boot.sh" <<BOOT
set -e
hostname $1
mount --make-rprivate /
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock /run/sanha
mount -t tmpfs tmpfs /dev/shm
mount --bind $d/pacemaker /var/lib/pacemaker
mount --bind $d/corosync /var/lib/corosync
mount --bind $d/log /var/log/pacemaker
mount --bind $d/log-corosync /var/log/corosync
mount -t overlay overlay -o lowerdir=$d/etc-lower:/etc /etc
mount --bind $d/etc/corosync /etc/corosync
mount --bind $d/etc/sanha /etc/sanha
mount --bind $d/etc/hosts /etc/hosts
mount --bind $d/etc/hostname /etc/hostname
mount -t overlay overlay -o lowerdir=$SB/stage/usr/lib/ocf/resource.d:/usr/lib/ocf/resource.d /usr/lib/ocf/resource.d
mount -t overlay overlay -o lowerdir=$SB/stage/usr/sbin:/usr/sbin /usr/sbin
export PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none
set +e
corosync -f >>/var/log/pacemaker/corosync.out 2>&1 &
for _ in \$(seq 1 50); do corosync-cfgtool -s >/dev/null 2>&1 && break; sleep 0.1; done
pacemakerd >>/var/log/pacemaker/pacemakerd.out 2>&1 &
wait
BOOT
}

# sb_boot NODE: power on: cable in, the node's init started (its daemons with it).
sb_boot() {
  local n=$1 d=$SB/$1 holder init=""
  # One boot at a time (the watcher and the drill may both want one): a second would find the
  # first's sockets in use and die half-started.
  sb_alive "$n" && return 0
  mkdir "$d/booting" 2>/dev/null || return 0
  ip -n "$SB_NS_SW" link set "p-$n" up
  ip netns exec "$(sb_ns "$n")" unshare --mount --uts --pid --fork --kill-child --mount-proc \
    bash "$d/boot.sh" >>"$d/boot.out" 2>&1 &
  holder=$!
  disown "$holder"  # no "Killed" line from bash when the power goes
  echo "$holder" >"$d/holder.pid"
  for _ in $(seq 1 100); do
    init=$(cut -d' ' -f1 "/proc/$holder/task/$holder/children" 2>/dev/null)
    [ -n "$init" ] && break
    sleep 0.05
  done
  if [ -z "$init" ]; then
    rmdir "$d/booting"
    echo "drill: $n did not boot: $(tail -1 "$d/boot.out")" >&2
    return 1
  fi
  echo "$init" >"$d/init.pid"
  rmdir "$d/booting"
  sb_log "$n boot (init $init)"
}

# sb_power_cut NODE: the power is gone: cable out, then every process of the node SIGKILLed at
# once (killing the init of its PID namespace takes all of them). Prints two times: when the cut
# began, and when it was complete (no packet of the node's can be answered after that).
sb_power_cut() {
  local n=$1 d=$SB/$1 init holder t
  init=$(cat "$d/init.pid" 2>/dev/null) holder=$(cat "$d/holder.pid" 2>/dev/null)
  t=$(date +%s.%N)
  ip -n "$SB_NS_SW" link set "p-$n" down
  [ -n "$init" ] && kill -9 "$init" 2>/dev/null
  [ -n "$holder" ] && kill -9 "$holder" 2>/dev/null
  rm -f "$d/init.pid" "$d/holder.pid"
  sb_log "$n power cut"
  echo "$t $(date +%s.%N)"
}

sb_alive() { [ -e "$SB/$1/init.pid" ] && kill -0 "$(cat "$SB/$1/init.pid")" 2>/dev/null; }

# sb_pdu NAME ADDR: one simulated APC rPDU (snmpd + pdu_sim.py) listening on ADDR:161 in the
# switch namespace; outlets "node1-psuX" and "node2-psuX"; SETs logged to $SB/pdu-NAME/set.log,
# each line prefixed with its time (pdu_sim.py's `stamp` switch).
sb_pdu() {
  local name=$1 addr=$2 dir=$SB/pdu-$1 psu pid
  psu=$([ "$name" = a ] && echo psu1 || echo psu2)
  mkdir -p "$dir/persist"
  printf '1 node1-%s\n2 node2-%s\n' "$psu" "$psu" >"$dir/names"
  touch "$dir/stamp" "$dir/set.log"
  cat >"$dir/snmpd.conf" <<CONF
rwcommunity private $SB_NET.0/24
rocommunity public $SB_NET.0/24
sysObjectID .1.3.6.1.4.1.318.1.3.4.5
pass_persist .1.3.6.1.4.1.318 $SB_DIR_PDU/pdu_sim.py $name rpdu $dir
CONF
  SNMP_PERSISTENT_DIR=$dir/persist MIBS='' ip netns exec "$SB_NS_SW" \
    snmpd -f -Lo -C -c "$dir/snmpd.conf" "udp:$addr:161" >"$dir/snmpd.log" 2>&1 &
  pid=$!
  SB_PIDS+=("$pid")
  echo "$pid" >"$dir/snmpd.pid"
  for _ in $(seq 1 100); do
    if MIBS='' SNMP_PERSISTENT_DIR=$dir/persist ip netns exec "$SB_NS_SW" \
      snmpget -v2c -c public -r0 -t0.5 -Oqv "$addr" .1.3.6.1.2.1.1.2.0 >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.05
  done
  echo "drill: PDU $name did not start: $(tail -2 "$dir/snmpd.log")" >&2
  return 1
}

# sb_outlet PDU N: 1 (on) or 2 (off).
sb_outlet() { cat "$SB/pdu-$1/outlet.$2" 2>/dev/null || echo 1; }

# sb_watch: the mains. A node whose two outlets are both off loses power (sb_power_cut); when an
# outlet of an unpowered node comes back on, it boots. Polls the PDUs' state every 50 ms.
sb_watch() {
  declare -A powered=([node1]=1 [node2]=1)
  local n i on
  trap 'exit 0' TERM
  while :; do
    for n in "${SB_NODES[@]}"; do
      i=${n#node}
      on=0
      { [ "$(sb_outlet a "$i")" = 1 ] || [ "$(sb_outlet b "$i")" = 1 ]; } && on=1
      if [ "${powered[$n]}" = 1 ] && [ $on = 0 ]; then
        powered[$n]=0
        sb_power_cut "$n" >"$SB/$n/power-off.time"
      elif [ "${powered[$n]}" = 0 ] && [ $on = 1 ]; then
        powered[$n]=1
        sb_boot "$n"
      fi
    done
    sleep 0.05
  done
}

# sb_destroy: everything removed; only our own pids are killed.
sb_destroy() {
  local n p
  [ -n "${SB:-}" ] || return 0
  for p in "${SB_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for n in "${SB_NODES[@]}"; do sb_power_cut "$n" >/dev/null 2>&1; done
  [ -n "${SB_WRITER_PID:-}" ] && kill -9 "$SB_WRITER_PID" 2>/dev/null
  for n in "${SB_NODES[@]}"; do ip netns del "$(sb_ns "$n")" 2>/dev/null; done
  ip netns del "$SB_NS_INI" 2>/dev/null
  ip netns del "$SB_NS_SW" 2>/dev/null
  rm -rf "$SB"
  SB=""
}
