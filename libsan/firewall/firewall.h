// iSCSI blocking rules: what to block (BlockSpec) and the Backend interface that adds, removes and
// inspects exactly those rules in our own chain/table (iptables+ip6tables, or nft). A backend is
// chosen once; no code outside the backends knows which one runs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/net/address.h"
#include "libsan/util/logger.h"
#include "libsan/util/status.h"

namespace san::firewall {

enum class Protocol { kTcp, kUdp };
std::string_view ProtocolName(Protocol p);  // "tcp", "udp"

// portblock's direction: kIn drops packets arriving for the local addresses and ports (input
// hook), kOut drops packets leaving from them (output hook), kBoth does both.
enum class Direction { kIn, kOut, kBoth };

// Incoming packets to `destinations` (local addresses; empty = any) from `sources` (initiators;
// empty = any) on `ports` are dropped (DROP, never REJECT: initiators stall and retry).
struct BlockSpec {
  std::vector<net::Network> destinations;
  std::vector<net::Network> sources;
  std::vector<net::PortRange> ports;  // never empty
  Protocol protocol = Protocol::kTcp;
  std::string chain = "sanha-iscsi";  // our chain (iptables) / chain in table inet sanha (nft)
  // Outgoing rules live in a second chain, OutChain(chain), hooked at output.
  Direction direction = Direction::kIn;
  // TCP only: drop connection attempts (SYN without ACK) and let established connections run,
  // so a connection the server closes can finish closing while new logins stall (iet-target
  // holds initiators this way while it re-presents a LUN). Not settable from BlockSpecText.
  bool new_connections_only = false;
};

// Raw parameter text, as an agent or tool receives it.
struct BlockSpecText {
  std::string ip;      // destinations; "" = all
  std::string source;  // sources; "" = all
  std::string port = "3260";
  std::string protocol = "tcp";
  std::string chain = "sanha-iscsi";
  std::string direction = "in";  // in, out or both
};

// Validates everything; InvalidConfig with a one-line reason naming the parameter otherwise.
// Chain names: 1..28 characters of [A-Za-z0-9_.-], not starting with '-'; at most 24 with
// direction out or both (the output chain's name adds "-out").
Result<BlockSpec> ParseBlockSpec(const BlockSpecText& text);

// One concrete rule of a spec (a destination × source × port combination of one family), as
// shown to administrators: "tcp dport 3260 from any to 192.0.2.1/32 (ipv4)".
struct Rule {
  net::Family family;
  std::string destination;  // "" = any
  std::string source;       // "" = any
  net::PortRange ports;
  Protocol protocol;
  bool new_connections_only = false;  // see BlockSpec
  // Packets leaving `destination` (local) from `ports` towards `source` (initiators), at the
  // output hook; otherwise packets arriving for `destination` on `ports` from `source`.
  bool outgoing = false;
  std::string Describe() const;
};
// The rules a spec stands for. Families follow the addresses given; with neither destinations
// nor sources, both IPv4 and IPv6. Combinations mixing families are skipped.
std::vector<Rule> ExpandRules(const BlockSpec& spec);

// The chain holding a spec's outgoing rules: "<chain>-out".
std::string OutChain(std::string_view chain);

// The rules of a spec grouped by the chain and hook that hold them (incoming rules first; groups
// without rules left out). Backends run one pass per group.
struct HookedRules {
  std::string chain;
  bool output = false;  // hooked at output (else input)
  std::vector<Rule> rules;
};
std::vector<HookedRules> GroupByHook(const BlockSpec& spec);

struct BlockState {
  std::vector<Rule> present;
  std::vector<Rule> missing;
  bool AllPresent() const { return missing.empty(); }
  bool NonePresent() const { return present.empty(); }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view Name() const = 0;  // "iptables" or "nft"
  // Adds the rules of `spec` that are missing (never a duplicate), creating our chain/table and
  // its hook if needed. Idempotent. Serialized with other sanha processes by a host lock.
  virtual Status Block(const BlockSpec& spec) = 0;
  // Removes every rule of `spec`; removes our chain/table and hook once they hold no rule.
  // OK when nothing was there. Leaves rules of other specs in the same chain alone.
  virtual Status Unblock(const BlockSpec& spec) = 0;
  // Which rules of `spec` are present, by exact checks (iptables -S lines / nft rule handles),
  // counting only rules reachable from the input hook.
  virtual Result<BlockState> Inspect(const BlockSpec& spec) = 0;
};

enum class BackendKind { kIptables, kNft, kAuto };
// "iptables", "nft", "auto"; InvalidConfig otherwise.
Result<BackendKind> ParseBackendKind(std::string_view text);

class NftClient;
using NftClientFactory = std::function<Result<std::unique_ptr<NftClient>>()>;

// Returns the backend for `kind`. kAuto: the backend that already holds our chain/table for this
// spec (nft is asked first: in process it costs well under a millisecond), else nft when usable,
// else iptables. NotInstalled when neither can be used. `nft_factory` makes the nft client
// (default: libnftables in process; tests pass a fake).
Result<std::unique_ptr<Backend>> MakeBackend(Host& host, Logger& log, BackendKind kind,
                                             const BlockSpec& spec,
                                             NftClientFactory nft_factory = {});

// The host lock every backend takes around check-then-change sequences.
inline constexpr char kFirewallLockPath[] = "/run/lock/sanha-firewall.lock";

}  // namespace san::firewall
