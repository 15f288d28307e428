// iptables/ip6tables: check-then-change under the host lock. `-S` without a chain argument shows
// the INPUT jump and our chain in one process and, unlike `-S CHAIN`, does not fail when the chain
// is absent. `-L` is never parsed (iptables 1.8.9 prints protocols as numbers there).
#include "libsan/firewall/iptables_backend.h"

#include <algorithm>

#include "libsan/util/strings.h"

namespace san::firewall {

namespace {

constexpr milliseconds kLockWait{10'000};

std::vector<std::string> Words(std::string_view line) { return SplitList(line, " "); }

// The families `rules` need, IPv4 first.
std::vector<net::Family> FamiliesOf(const std::vector<Rule>& rules) {
  std::vector<net::Family> families;
  for (net::Family f : {net::Family::kIpv4, net::Family::kIpv6}) {
    if (std::any_of(rules.begin(), rules.end(), [f](const Rule& r) { return r.family == f; })) {
      families.push_back(f);
    }
  }
  return families;
}

// Runs argv; a non-zero exit becomes Permission (not root: iptables says "you must be root") or
// CommandFailed, each with the program, exit code and first error line.
Result<Output> RunTool(Host& host, std::vector<std::string> argv) {
  Command cmd;
  cmd.argv = std::move(argv);
  SAN_ASSIGN_OR_RETURN(Output out, host.Run(cmd));
  if (out.exit_code == 0) return out;
  std::string message = cmd.argv[0] + " exited " + std::to_string(out.exit_code);
  const std::string line = out.FirstErrorLine();
  if (!line.empty()) message += ": " + line;
  if (out.err.find("you must be root") != std::string::npos) return Status::Permission(message);
  return Status::CommandFailed(message);
}

// {op, chain, rule spec...}: the arguments that append (-A) or delete (-D) `rule`.
std::vector<std::string> RuleArgs(const char* op, const std::string& chain, const Rule& rule) {
  std::vector<std::string> args = {op, chain};
  for (std::string& word : IptablesRuleSpec(rule)) args.push_back(std::move(word));
  return args;
}

size_t Count(const std::vector<std::string>& lines, const std::string& line) {
  return static_cast<size_t>(std::count(lines.begin(), lines.end(), line));
}

}  // namespace

IptablesListing ParseIptablesListing(std::string_view text, std::string_view chain,
                                     std::string_view hook) {
  IptablesListing listing;
  const std::string new_chain = "-N " + std::string(chain);
  const std::string jump = "-A " + std::string(hook) + " -j " + std::string(chain);
  const std::string our_rule = "-A " + std::string(chain) + " ";
  for (const std::string& line : SplitList(text, "\n")) {  // lines, blanks trimmed
    if (line == new_chain) {
      listing.chain_exists = true;
    } else if (line == jump) {
      ++listing.jumps;
    } else if (line.rfind("-A ", 0) == 0) {
      if (line.rfind(our_rule, 0) == 0) listing.rules.push_back(line);
      const std::vector<std::string> words = Words(line);
      for (size_t i = 0; i + 1 < words.size(); ++i) {
        if ((words[i] == "-j" || words[i] == "-g") && words[i + 1] == chain) {
          ++listing.other_references;
        }
      }
    }
  }
  return listing;
}

std::vector<std::string> IptablesRuleSpec(const Rule& rule) {
  std::vector<std::string> spec;
  // Outgoing packets leave the local address (destination side of the spec) for the initiator.
  const std::string& from = rule.outgoing ? rule.destination : rule.source;
  const std::string& to = rule.outgoing ? rule.source : rule.destination;
  if (!from.empty()) spec.insert(spec.end(), {"-s", from});
  if (!to.empty()) spec.insert(spec.end(), {"-d", to});
  const std::string proto(ProtocolName(rule.protocol));
  spec.insert(spec.end(), {"-p", proto, "-m", proto, rule.outgoing ? "--sport" : "--dport",
                           rule.ports.ToString(':')});
  // As iptables -S prints it (captured with iptables 1.8.9).
  if (rule.new_connections_only) spec.insert(spec.end(), {"--tcp-flags", "FIN,SYN,RST,ACK", "SYN"});
  spec.insert(spec.end(), {"-j", "DROP"});
  return spec;
}

std::string IptablesRuleLine(const Rule& rule, std::string_view chain) {
  return "-A " + std::string(chain) + " " + Join(IptablesRuleSpec(rule), " ");
}

std::string IptablesProgram(net::Family family) {
  return family == net::Family::kIpv4 ? "iptables" : "ip6tables";
}

namespace {
const char* HookOf(const HookedRules& group) { return group.output ? "OUTPUT" : "INPUT"; }
}  // namespace

Result<IptablesListing> IptablesBackend::List(net::Family family, const HookedRules& group) {
  SAN_ASSIGN_OR_RETURN(Output out, RunTool(host_, {IptablesProgram(family), "-w", "-S"}));
  return ParseIptablesListing(out.out, group.chain, HookOf(group));
}

Result<std::vector<IptablesListing>> IptablesBackend::ListAll(
    const std::vector<net::Family>& families, const HookedRules& group) {
  std::vector<IptablesListing> listings;
  for (net::Family family : families) {
    SAN_ASSIGN_OR_RETURN(IptablesListing listing, List(family, group));
    listings.push_back(std::move(listing));
  }
  return listings;
}

Status IptablesBackend::Change(net::Family family, std::vector<std::string> args) {
  std::vector<std::string> argv = {IptablesProgram(family), "-w"};
  argv.insert(argv.end(), args.begin(), args.end());
  log_.Info(Join(argv, " "));
  return RunTool(host_, std::move(argv)).status();
}

Result<BlockState> IptablesBackend::Inspect(const BlockSpec& spec) {
  BlockState state;
  for (const HookedRules& group : GroupByHook(spec)) {
    const std::string& chain = group.chain;
    for (net::Family family : FamiliesOf(group.rules)) {
      SAN_ASSIGN_OR_RETURN(IptablesListing listing, List(family, group));
      for (const Rule& rule : group.rules) {
        if (rule.family != family) continue;
        const size_t copies = Count(listing.rules, IptablesRuleLine(rule, chain));
        if (copies > 1) {
          log_.Warning(IptablesProgram(family) + ": rule " + rule.Describe() + " is present " +
                       std::to_string(copies) + " times in chain " + chain);
        }
        // A rule in an unreachable chain blocks nothing.
        (copies > 0 && listing.jumps > 0 ? state.present : state.missing).push_back(rule);
      }
      if (listing.chain_exists && listing.jumps == 0) {
        log_.Warning(IptablesProgram(family) + ": chain " + chain + " exists but " + HookOf(group) +
                     " does not jump to it");
      }
    }
  }
  return state;
}

Status IptablesBackend::Block(const BlockSpec& spec) {
  SAN_ASSIGN_OR_RETURN(auto lock, host_.Lock(kFirewallLockPath, kLockWait));
  // Everything is read before anything changes: a failing listing leaves the rules untouched.
  const std::vector<HookedRules> groups = GroupByHook(spec);
  std::vector<std::vector<IptablesListing>> listings;
  for (const HookedRules& group : groups) {
    SAN_ASSIGN_OR_RETURN(auto l, ListAll(FamiliesOf(group.rules), group));
    listings.push_back(std::move(l));
  }
  for (size_t g = 0; g < groups.size(); ++g)
    SAN_RETURN_IF_ERROR(BlockGroup(groups[g], listings[g]));
  return Status::Ok();
}

Status IptablesBackend::BlockGroup(const HookedRules& group,
                                   const std::vector<IptablesListing>& listings) {
  const std::vector<net::Family> families = FamiliesOf(group.rules);
  const std::string& chain = group.chain;
  for (size_t i = 0; i < families.size(); ++i) {
    const net::Family family = families[i];
    const IptablesListing& listing = listings[i];
    if (!listing.chain_exists) SAN_RETURN_IF_ERROR(Change(family, {"-N", chain}));
    // First position: an ACCEPT rule of the administrator's cannot let iSCSI traffic past us.
    if (listing.jumps == 0) {
      SAN_RETURN_IF_ERROR(Change(family, {"-I", HookOf(group), "1", "-j", chain}));
    }
    for (const Rule& rule : group.rules) {
      if (rule.family != family || Count(listing.rules, IptablesRuleLine(rule, chain)) > 0) {
        continue;
      }
      SAN_RETURN_IF_ERROR(Change(family, RuleArgs("-A", chain, rule)));
    }
  }
  return Status::Ok();
}

Status IptablesBackend::Unblock(const BlockSpec& spec) {
  SAN_ASSIGN_OR_RETURN(auto lock, host_.Lock(kFirewallLockPath, kLockWait));
  const std::vector<HookedRules> groups = GroupByHook(spec);
  std::vector<std::vector<IptablesListing>> listings;
  for (const HookedRules& group : groups) {
    SAN_ASSIGN_OR_RETURN(auto l, ListAll(FamiliesOf(group.rules), group));
    listings.push_back(std::move(l));
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    SAN_RETURN_IF_ERROR(UnblockGroup(groups[g], listings[g]));
  }
  return Status::Ok();
}

Status IptablesBackend::UnblockGroup(const HookedRules& group,
                                     const std::vector<IptablesListing>& listings) {
  const std::vector<net::Family> families = FamiliesOf(group.rules);
  const std::string& chain = group.chain;
  for (size_t i = 0; i < families.size(); ++i) {
    const net::Family family = families[i];
    const IptablesListing& listing = listings[i];
    if (!listing.chain_exists) continue;  // no chain, so no rule of ours and no jump either
    std::vector<std::string> remaining = listing.rules;
    for (const Rule& rule : group.rules) {
      if (rule.family != family) continue;
      const std::string line = IptablesRuleLine(rule, chain);
      // -D removes one copy per call; duplicates made by hand are removed too.
      for (size_t n = Count(remaining, line); n > 0; --n) {
        SAN_RETURN_IF_ERROR(Change(family, RuleArgs("-D", chain, rule)));
      }
      remaining.erase(std::remove(remaining.begin(), remaining.end(), line), remaining.end());
    }
    if (!remaining.empty()) {
      log_.Info(IptablesProgram(family) + ": chain " + chain + " kept: it holds " +
                std::to_string(remaining.size()) +
                " rule(s) of other specs or of the administrator");
      continue;
    }
    if (listing.other_references > 0) {
      log_.Warning(IptablesProgram(family) + ": chain " + chain + " kept: other rules than our " +
                   HookOf(group) + " jump refer to it");
      continue;
    }
    for (int n = listing.jumps; n > 0; --n) {
      SAN_RETURN_IF_ERROR(Change(family, {"-D", HookOf(group), "-j", chain}));
    }
    SAN_RETURN_IF_ERROR(Change(family, {"-X", chain}));
  }
  return Status::Ok();
}

}  // namespace san::firewall
