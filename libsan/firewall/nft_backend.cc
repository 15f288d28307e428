// nft: read with `list` (handles included), change with one transaction under the host lock,
// both in process via libnftables (NftClient), so a failed batch leaves nothing half-applied. The
// script is built only from canonical, parsed values and a chain name already limited to
// [A-Za-z0-9_.-].
#include "libsan/firewall/nft_backend.h"

#include <algorithm>

#include "libsan/util/strings.h"

namespace san::firewall {

namespace {

constexpr milliseconds kLockWait{10'000};

// "inet sanha", as nft commands name our table.
std::string TableRef() { return std::string("inet ") + kNftTable; }

// Our base chain: before the filter tables of iptables-nft and of the administrator (priority
// filter), so our drop is final whatever they accept.
constexpr char kChainSpec[] = "{ type filter hook input priority filter - 1; policy accept; }";
constexpr char kOutChainSpec[] = "{ type filter hook output priority filter - 1; policy accept; }";

bool Hooked(const NftChainListing* chain, const HookedRules& group) {
  return chain != nullptr && (group.output ? chain->hooked_output : chain->hooked_input);
}

size_t LeadingTabs(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == '\t') ++n;
  return n;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "body # handle 12" → body and 12; false when the line carries no handle.
bool SplitHandle(std::string_view line, std::string* body, uint64_t* handle) {
  constexpr std::string_view kMarker = " # handle ";
  const size_t pos = line.rfind(kMarker);
  if (pos == std::string_view::npos) return false;
  std::string_view digits = line.substr(pos + kMarker.size());
  if (digits.empty() || digits.size() > 19 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<uint64_t>(c - '0');
  *body = std::string(line.substr(0, pos));
  *handle = value;
  return true;
}

// The text of a trailing `comment "..."`, or "".
std::string TrailingComment(std::string_view body) {
  constexpr std::string_view kMarker = " comment \"";
  const size_t pos = body.rfind(kMarker);
  if (pos == std::string_view::npos || body.empty() || body.back() != '"') return {};
  const size_t begin = pos + kMarker.size();
  if (begin > body.size() - 1) return {};
  return std::string(body.substr(begin, body.size() - 1 - begin));
}

std::string Address(const std::string& text) {
  // Rule sides are canonical strings from ExpandRules; nft prints single hosts without /32.
  Result<net::Network> net = net::ParseNetwork(text);
  return net.ok() ? net->ToShortString() : text;
}

bool IsOurs(const std::vector<Rule>& rules, const std::string& comment) {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const Rule& r) { return NftRuleKey(r) == comment; });
}

struct Copies {
  int exact = 0;   // rules whose whole body is the one we add
  int tagged = 0;  // rules carrying our comment for this rule, whatever their body
};

Copies CountCopies(const NftChainListing* chain, const Rule& rule) {
  Copies copies;
  if (chain == nullptr) return copies;
  const std::string key = NftRuleKey(rule);
  const std::string body = NftRuleBody(rule);
  for (const NftRuleLine& line : chain->rules) {
    if (line.comment == key) ++copies.tagged;
    if (line.body == body) ++copies.exact;
  }
  return copies;
}

// A failed nft run as a Status. nft has no quoting for chain names, so a chain named like one of
// its keywords ("log", "counter") is a syntax error: the administrator's to fix, not a host fault.
Status NftFailure(const Output& out, const std::string& chain) {
  if (out.err.find("syntax error, unexpected " + chain + ",") != std::string::npos) {
    return Status::InvalidConfig("chain: '" + chain +
                                 "' is a reserved word in nft syntax; choose another chain name");
  }
  std::string message = "nft failed";
  const std::string line = out.FirstErrorLine();
  if (!line.empty()) message += ": " + line;
  // Not root / no CAP_NET_ADMIN: "Operation not permitted (you must be root)".
  if (out.err.find("Operation not permitted") != std::string::npos) {
    return Status::Permission(message);
  }
  return Status::CommandFailed(message);
}

}  // namespace

NftListing ParseNftListing(std::string_view text) {
  NftListing listing;
  NftChainListing* chain = nullptr;  // the chain whose lines we are in; null elsewhere
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const size_t depth = LeadingTabs(line);
    std::string_view content = Trim(line.substr(depth));
    if (content.empty()) continue;
    if (depth == 1) {
      chain = nullptr;
      if (content == "}") continue;
      if (StartsWith(content, "chain ")) {
        std::string_view name = content.substr(6);
        name = name.substr(0, name.find(' '));
        chain = &listing.chains[std::string(name)];
      } else {
        listing.other_objects = true;  // a set, map, flowtable, flags line, ...
      }
      continue;
    }
    if (depth < 1 || chain == nullptr) continue;
    if (depth > 2) continue;  // a continuation line of a foreign rule
    NftRuleLine rule;
    if (SplitHandle(content, &rule.body, &rule.handle)) {
      rule.comment = TrailingComment(rule.body);
      chain->rules.push_back(std::move(rule));
    } else if (StartsWith(content, "type filter hook input ")) {
      chain->hooked_input = true;
    } else if (StartsWith(content, "type filter hook output ")) {
      chain->hooked_output = true;
    }
  }
  return listing;
}

std::string NftRuleKey(const Rule& rule) {
  return std::string("sanha ") + (rule.family == net::Family::kIpv4 ? "ipv4 " : "ipv6 ") +
         std::string(ProtocolName(rule.protocol)) + " " + rule.ports.ToString('-') +
         " s=" + (rule.source.empty() ? "any" : rule.source) +
         " d=" + (rule.destination.empty() ? "any" : rule.destination) +
         (rule.new_connections_only ? " syn" : "") + (rule.outgoing ? " out" : "");
}

std::string NftRuleBody(const Rule& rule) {
  const std::string ip = rule.family == net::Family::kIpv4 ? "ip" : "ip6";
  std::string body;
  // Outgoing packets leave the local address (destination side of the spec) for the initiator.
  const std::string& from = rule.outgoing ? rule.destination : rule.source;
  const std::string& to = rule.outgoing ? rule.source : rule.destination;
  if (!from.empty()) body += ip + " saddr " + Address(from) + " ";
  if (!to.empty()) body += ip + " daddr " + Address(to) + " ";
  if (body.empty()) {
    body = rule.family == net::Family::kIpv4 ? "meta nfproto ipv4 " : "meta nfproto ipv6 ";
  }
  body += std::string(ProtocolName(rule.protocol)) + (rule.outgoing ? " sport " : " dport ") +
          rule.ports.ToString('-');
  // As nft 1.0.6 lists `tcp flags & (fin | syn | rst | ack) == syn`.
  if (rule.new_connections_only) body += " tcp flags syn / fin,syn,rst,ack";
  body += " drop comment \"" + NftRuleKey(rule) + "\"";
  return body;
}

Result<NftListing> NftBackend::List(const std::vector<std::string>& what,
                                    const std::string& chain) {
  SAN_ASSIGN_OR_RETURN(Output out, RunNft("list " + Join(what, " ")));
  if (out.exit_code == 0) return ParseNftListing(out.out);
  // nft says ENOENT for a missing table and for a missing chain alike: nothing of ours there.
  if (out.exit_code == 1 && out.err.find("No such file or directory") != std::string::npos) {
    return NftListing{};
  }
  return NftFailure(out, chain);
}

Status NftBackend::Apply(const std::string& script, const std::string& chain) {
  for (const std::string& line : SplitList(script, "\n")) log_.Info("nft: " + line);
  SAN_ASSIGN_OR_RETURN(Output out, RunNft(script));
  return out.exit_code == 0 ? Status::Ok() : NftFailure(out, chain);
}

Result<Output> NftBackend::RunNft(const std::string& script) {
  SAN_ASSIGN_OR_RETURN(NftResult r, nft_->Run(script));
  Output out;
  out.exit_code = r.ok ? 0 : 1;
  out.out = std::move(r.out);
  out.err = std::move(r.err);
  return out;
}

Result<BlockState> NftBackend::Inspect(const BlockSpec& spec) {
  BlockState state;
  for (const HookedRules& group : GroupByHook(spec)) {
    SAN_ASSIGN_OR_RETURN(NftListing listing,
                         List({"chain", "inet", kNftTable, group.chain}, spec.chain));
    auto it = listing.chains.find(group.chain);
    const NftChainListing* chain = it == listing.chains.end() ? nullptr : &it->second;
    if (chain != nullptr && !Hooked(chain, group)) {
      log_.Warning("nft: chain " + TableRef() + " " + group.chain + " is not hooked at " +
                   (group.output ? "output" : "input") + "; its rules block nothing");
    }
    for (const Rule& rule : group.rules) {
      const Copies copies = CountCopies(chain, rule);
      if (copies.exact > 1) {
        log_.Warning("nft: rule " + rule.Describe() + " is present " +
                     std::to_string(copies.exact) + " times in " + TableRef() + " " + group.chain);
      }
      if (copies.tagged > copies.exact) {
        log_.Warning("nft: a rule commented \"" + NftRuleKey(rule) +
                     "\" differs from the rule sanha adds; it does not count");
      }
      const bool present = Hooked(chain, group) && copies.exact > 0;
      (present ? state.present : state.missing).push_back(rule);
    }
  }
  return state;
}

Status NftBackend::Block(const BlockSpec& spec) {
  SAN_ASSIGN_OR_RETURN(auto lock, host_.Lock(kFirewallLockPath, kLockWait));
  // "add" of an existing table or identical chain is a no-op; of a chain hooked differently it
  // fails, which is what we want: rules in an unhooked chain would block nothing.
  const std::string table = TableRef();
  std::string script = "add table " + table + "\n";
  bool changes = false;
  for (const HookedRules& group : GroupByHook(spec)) {
    SAN_ASSIGN_OR_RETURN(NftListing listing,
                         List({"chain", "inet", kNftTable, group.chain}, spec.chain));
    auto it = listing.chains.find(group.chain);
    const NftChainListing* chain = it == listing.chains.end() ? nullptr : &it->second;
    script += "add chain " + table + " " + group.chain + " " +
              (group.output ? kOutChainSpec : kChainSpec) + "\n";
    if (!Hooked(chain, group)) changes = true;
    for (const Rule& rule : group.rules) {
      if (CountCopies(chain, rule).exact > 0) continue;
      script += "add rule " + table + " " + group.chain + " " + NftRuleBody(rule) + "\n";
      changes = true;
    }
  }
  if (!changes) return Status::Ok();
  return Apply(script, spec.chain);
}

Status NftBackend::Unblock(const BlockSpec& spec) {
  SAN_ASSIGN_OR_RETURN(auto lock, host_.Lock(kFirewallLockPath, kLockWait));
  // The whole table: whether it may go depends on the other chains in it.
  SAN_ASSIGN_OR_RETURN(NftListing listing, List({"table", "inet", kNftTable}, spec.chain));
  const std::string table = TableRef();
  std::string script;
  size_t chains_deleted = 0;
  for (const HookedRules& group : GroupByHook(spec)) {
    auto it = listing.chains.find(group.chain);
    if (it == listing.chains.end()) continue;
    size_t remaining = 0;
    for (const NftRuleLine& line : it->second.rules) {
      // Our comment marks our rule, even when its body was altered by hand.
      if (!IsOurs(group.rules, line.comment)) {
        ++remaining;
        continue;
      }
      script += "delete rule " + table + " " + group.chain + " handle " +
                std::to_string(line.handle) + "\n";
    }
    if (remaining == 0) {
      script += "delete chain " + table + " " + group.chain + "\n";
      ++chains_deleted;
    } else {
      log_.Info("nft: chain " + table + " " + group.chain + " kept: it holds " +
                std::to_string(remaining) + " rule(s) of other specs or of the administrator");
    }
  }
  // nft deletes a table with everything in it: only when nothing but our chains is there.
  if (chains_deleted > 0 && chains_deleted == listing.chains.size() && !listing.other_objects) {
    script += "delete table " + table + "\n";
  }
  if (script.empty()) return Status::Ok();
  return Apply(script, spec.chain);
}

}  // namespace san::firewall
