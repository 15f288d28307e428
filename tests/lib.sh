# Shared helpers for sanha's shell-level tests (sourced). Each test creates only namespaces and
# files of its own, records them, and removes them on exit, also on failure.
set -u

SANHA_BUILD=${1:-${SANHA_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}}
SANHA_BUILD=$(cd "$SANHA_BUILD" && pwd)
SANHA_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T_PASSED=0
T_FAILED=0
T_NETNS=()
T_PIDS=()
T_TMP=$(mktemp -d /tmp/sanha-test.XXXXXX)
T_CLEANUPS=()

# Root is needed for namespaces and firewall rules. CI (root) must never skip; a non-root
# developer run skips with the reason (exit 77 = skipped for CTest).
require_root() {
  if [ "$(id -u)" != 0 ]; then
    if [ -n "${CI:-}" ]; then
      echo "FATAL: $0 needs root and CI runs as root" >&2
      exit 1
    fi
    echo "SKIP: $0 needs root (network namespaces, firewall rules); run as root to test" >&2
    exit 77
  fi
}

require_program() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "FATAL: $1 is not installed; run the README's install command" >&2
    exit 1
  fi
}

t_cleanup() {
  local i
  for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1; done
  for pid in "${T_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for ns in "${T_NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$T_TMP"
}
trap t_cleanup EXIT

on_exit() { T_CLEANUPS+=("$1"); }

# new_netns VAR NAME: creates a namespace with loopback up, records it for cleanup and stores its
# real name in VAR. (Not $(new_netns): a subshell would lose the cleanup record.)
new_netns() {
  local ns="sanha-$2-$$"
  ip netns add "$ns" || exit 1
  T_NETNS+=("$ns")
  ip -n "$ns" link set lo up
  printf -v "$1" '%s' "$ns"
}

# Everything of sanha's an observer can see in namespace $1: both iptables families (as -S) and
# nft's table inet sanha. (iptables-nft leaves its own empty filter tables in the nft ruleset, so
# the whole ruleset is no measure of what we left behind.)
sanha_rules() {
  ip netns exec "$1" iptables -S
  ip netns exec "$1" ip6tables -S
  ip netns exec "$1" nft list table inet sanha 2>/dev/null
}

# bg PIDVAR cmd...: starts a background process and records its pid for cleanup.
bg() {
  local var=$1
  shift
  "$@" &
  local pid=$!
  T_PIDS+=("$pid")
  printf -v "$var" '%s' "$pid"
}

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
  if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# check_match DESCRIPTION PATTERN TEXT  (grep -E on TEXT)
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
