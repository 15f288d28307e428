// Parameter text → BlockSpec, and BlockSpec → the concrete per-family rules. Nothing here runs a
// program; every value that later reaches an argv or an nft script has been parsed and is printed
// from its canonical form, so hostile text is refused here and never escapes into a rule.
#include <algorithm>
#include <array>
#include <cctype>

#include "libsan/firewall/firewall.h"
#include "libsan/util/strings.h"

namespace san::firewall {

namespace {

// No parameter legitimately needs more; a longer one is refused before any parsing.
constexpr size_t kMaxParamLength = 4096;
// iptables' chain name limit (XT_EXTENSION_MAXNAMELEN - 1).
constexpr size_t kMaxChainLength = 28;
// A spec multiplying out to more rules than this is a mistake (and a slow firewall).
constexpr size_t kMaxRules = 1024;

std::string Quoted(std::string_view text) { return "'" + Printable(text) + "'"; }

// Length and control characters first, so no later message can quote a multi-line value.
Status CheckRawText(std::string_view name, std::string_view value) {
  if (value.size() > kMaxParamLength) {
    return Status::InvalidConfig(std::string(name) + ": value is too long (" +
                                 std::to_string(value.size()) + " characters, at most " +
                                 std::to_string(kMaxParamLength) + ")");
  }
  if (HasControlChars(value)) {
    return Status::InvalidConfig(std::string(name) + ": " + Quoted(value) +
                                 " contains control characters");
  }
  return Status::Ok();
}

bool IsChainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// Names iptables gives a meaning of their own: using one as our chain would alter or shadow it.
bool IsReservedChain(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kReserved = {
      "INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING", "ACCEPT",
      "DROP",  "RETURN", "QUEUE",   "REJECT",     "LOG"};
  return std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end();
}

// A name nft and iptables both accept as a bare word: nft cannot parse a chain name starting with
// a digit (and has no quoting for chain names), '-' would read as an option to iptables.
Status CheckChain(std::string_view chain) {
  const bool first_ok =
      !chain.empty() && (std::isalpha(static_cast<unsigned char>(chain[0])) || chain[0] == '_');
  if (!first_ok || chain.size() > kMaxChainLength ||
      !std::all_of(chain.begin(), chain.end(), IsChainChar)) {
    return Status::InvalidConfig(
        "chain: " + Quoted(chain) +
        " is not a valid chain name (1-28 characters of A-Z a-z 0-9 _ . -, "
        "starting with a letter or '_')");
  }
  if (IsReservedChain(chain)) {
    return Status::InvalidConfig("chain: " + Quoted(chain) +
                                 " is a built-in chain or target name; choose a name of our own");
  }
  return Status::Ok();
}

bool HasFamily(const std::vector<net::Network>& list, net::Family family) {
  return std::any_of(list.begin(), list.end(),
                     [family](const net::Network& n) { return n.family == family; });
}

// The rule text for one side: "" (any) for an empty list or a /0 network, which iptables -S
// prints as no match at all.
std::vector<std::string> SideTexts(const std::vector<net::Network>& list, net::Family family) {
  std::vector<std::string> texts;
  if (list.empty()) return {""};
  for (const net::Network& n : list) {
    if (n.family != family) continue;
    std::string text = n.prefix == 0 ? "" : n.ToString();
    if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.push_back(text);
  }
  return texts;
}

}  // namespace

std::string_view ProtocolName(Protocol p) { return p == Protocol::kUdp ? "udp" : "tcp"; }

Result<BlockSpec> ParseBlockSpec(const BlockSpecText& text) {
  const std::array<std::pair<std::string_view, const std::string*>, 5> fields = {{
      {"ip", &text.ip},
      {"source", &text.source},
      {"port", &text.port},
      {"protocol", &text.protocol},
      {"chain", &text.chain},
  }};
  for (const auto& [name, value] : fields) SAN_RETURN_IF_ERROR(CheckRawText(name, *value));
  SAN_RETURN_IF_ERROR(CheckRawText("direction", text.direction));

  BlockSpec spec;
  Result<std::vector<net::Network>> destinations = net::ParseNetworkList(text.ip);
  if (!destinations.ok()) return destinations.status().WithContext("ip");
  spec.destinations = std::move(destinations).value();
  Result<std::vector<net::Network>> sources = net::ParseNetworkList(text.source);
  if (!sources.ok()) return sources.status().WithContext("source");
  spec.sources = std::move(sources).value();
  Result<std::vector<net::PortRange>> ports = net::ParsePortList(text.port);
  if (!ports.ok()) return ports.status().WithContext("port");
  spec.ports = std::move(ports).value();

  if (text.protocol == "tcp") {
    spec.protocol = Protocol::kTcp;
  } else if (text.protocol == "udp") {
    spec.protocol = Protocol::kUdp;
  } else {
    return Status::InvalidConfig("protocol: " + Quoted(text.protocol) +
                                 " is not supported (tcp or udp)");
  }
  SAN_RETURN_IF_ERROR(CheckChain(text.chain));
  spec.chain = text.chain;
  if (text.direction == "in") {
    spec.direction = Direction::kIn;
  } else if (text.direction == "out") {
    spec.direction = Direction::kOut;
  } else if (text.direction == "both") {
    spec.direction = Direction::kBoth;
  } else {
    return Status::InvalidConfig("direction: " + Quoted(text.direction) +
                                 " is not in, out or both");
  }
  if (spec.direction != Direction::kIn && spec.chain.size() > kMaxChainLength - 4) {
    return Status::InvalidConfig("chain: " + Quoted(spec.chain) + " is longer than " +
                                 std::to_string(kMaxChainLength - 4) +
                                 " characters, too long with direction=" + text.direction +
                                 " (its output chain adds \"-out\")");
  }

  const size_t rules = ExpandRules(spec).size();
  if (rules == 0) {
    return Status::InvalidConfig(
        "ip/source: the addresses share no family (an IPv4 ip with only IPv6 sources, or the "
        "reverse), so no rule could match");
  }
  if (rules > kMaxRules) {
    return Status::InvalidConfig("ip/source/port: " + std::to_string(rules) +
                                 " rules (ip x source x port); at most " +
                                 std::to_string(kMaxRules));
  }
  return spec;
}

std::vector<Rule> ExpandRules(const BlockSpec& spec) {
  std::vector<Rule> rules;
  for (net::Family family : {net::Family::kIpv4, net::Family::kIpv6}) {
    const bool any_addresses = !spec.destinations.empty() || !spec.sources.empty();
    if (any_addresses && !HasFamily(spec.destinations, family) &&
        !HasFamily(spec.sources, family)) {
      continue;
    }
    // SideTexts() is empty when the other side names only the other family: no rule then.
    for (const std::string& destination : SideTexts(spec.destinations, family)) {
      for (const std::string& source : SideTexts(spec.sources, family)) {
        for (const net::PortRange& ports : spec.ports) {
          for (bool outgoing : {false, true}) {
            if (outgoing ? spec.direction == Direction::kIn : spec.direction == Direction::kOut) {
              continue;
            }
            Rule rule{family,
                      destination,
                      source,
                      ports,
                      spec.protocol,
                      spec.new_connections_only && spec.protocol == Protocol::kTcp && !outgoing,
                      outgoing};
            const bool seen = std::any_of(rules.begin(), rules.end(), [&](const Rule& r) {
              return r.family == rule.family && r.destination == rule.destination &&
                     r.source == rule.source && r.ports == rule.ports &&
                     r.outgoing == rule.outgoing;
            });
            if (!seen) rules.push_back(std::move(rule));
          }
        }
      }
    }
  }
  return rules;
}

std::string Rule::Describe() const {
  const std::string remote = source.empty() ? "any" : source;
  const std::string local = destination.empty() ? "any" : destination;
  if (outgoing) {
    return std::string(ProtocolName(protocol)) + " sport " + ports.ToString('-') + " from " +
           local + " to " + remote + (family == net::Family::kIpv4 ? " (ipv4" : " (ipv6") +
           ", outgoing)";
  }
  return std::string(ProtocolName(protocol)) + " dport " + ports.ToString('-') + " from " + remote +
         " to " + local + (new_connections_only ? " new connections" : "") +
         (family == net::Family::kIpv4 ? " (ipv4)" : " (ipv6)");
}

std::string OutChain(std::string_view chain) { return std::string(chain) + "-out"; }

std::vector<HookedRules> GroupByHook(const BlockSpec& spec) {
  HookedRules in{spec.chain, false, {}};
  HookedRules out{OutChain(spec.chain), true, {}};
  for (Rule& rule : ExpandRules(spec)) (rule.outgoing ? out : in).rules.push_back(std::move(rule));
  std::vector<HookedRules> groups;
  if (!in.rules.empty()) groups.push_back(std::move(in));
  if (!out.rules.empty()) groups.push_back(std::move(out));
  return groups;
}

Result<BackendKind> ParseBackendKind(std::string_view text) {
  if (text == "iptables") return BackendKind::kIptables;
  if (text == "nft") return BackendKind::kNft;
  if (text == "auto") return BackendKind::kAuto;
  return Status::InvalidConfig(Quoted(text) + " is not a firewall backend (iptables, nft, auto)");
}

}  // namespace san::firewall
