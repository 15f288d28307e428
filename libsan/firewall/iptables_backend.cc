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

IptablesListing ParseIptablesListing(std::string_view text, std::string_view chain) {
  IptablesListing listing;
  const std::string new_chain = "-N " + std::string(chain);
  const std::string jump = "-A INPUT -j " + std::string(chain);
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
  if (!rule.source.empty()) spec.insert(spec.end(), {"-s", rule.source});
  if (!rule.destination.empty()) spec.insert(spec.end(), {"-d", rule.destination});
  const std::string proto(ProtocolName(rule.protocol));
  spec.insert(spec.end(), {"-p", proto, "-m", proto, "--dport", rule.ports.ToString(':')});
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

Result<IptablesListing> IptablesBackend::List(net::Family family, std::string_view chain) {
  SAN_ASSIGN_OR_RETURN(Output out, RunTool(host_, {IptablesProgram(family), "-w", "-S"}));
  return ParseIptablesListing(out.out, chain);
}

Result<std::vector<IptablesListing>> IptablesBackend::ListAll(
    const std::vector<net::Family>& families, std::string_view chain) {
  // Everything is read before anything changes: a failing listing leaves the rules untouched.
  std::vector<IptablesListing> listings;
  for (net::Family family : families) {
    SAN_ASSIGN_OR_RETURN(IptablesListing listing, List(family, chain));
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
  const std::vector<Rule> rules = ExpandRules(spec);
  BlockState state;
  for (net::Family family : FamiliesOf(rules)) {
    SAN_ASSIGN_OR_RETURN(IptablesListing listing, List(family, spec.chain));
    for (const Rule& rule : rules) {
      if (rule.family != family) continue;
      const size_t copies = Count(listing.rules, IptablesRuleLine(rule, spec.chain));
      if (copies > 1) {
        log_.Warning(IptablesProgram(family) + ": rule " + rule.Describe() + " is present " +
                     std::to_string(copies) + " times in chain " + spec.chain);
      }
      // A rule in an unreachable chain blocks nothing.
      (copies > 0 && listing.jumps > 0 ? state.present : state.missing).push_back(rule);
    }
    if (listing.chain_exists && listing.jumps == 0) {
      log_.Warning(IptablesProgram(family) + ": chain " + spec.chain +
                   " exists but INPUT does not jump to it");
    }
  }
  return state;
}

Status IptablesBackend::Block(const BlockSpec& spec) {
  const std::vector<Rule> rules = ExpandRules(spec);
  SAN_ASSIGN_OR_RETURN(auto lock, host_.Lock(kFirewallLockPath, kLockWait));
  const std::vector<net::Family> families = FamiliesOf(rules);
  SAN_ASSIGN_OR_RETURN(std::vector<IptablesListing> listings, ListAll(families, spec.chain));
  for (size_t i = 0; i < families.size(); ++i) {
    const net::Family family = families[i];
    const IptablesListing& listing = listings[i];
    if (!listing.chain_exists) SAN_RETURN_IF_ERROR(Change(family, {"-N", spec.chain}));
    // First position: an ACCEPT rule of the administrator's cannot let iSCSI traffic past us.
    if (listing.jumps == 0) {
      SAN_RETURN_IF_ERROR(Change(family, {"-I", "INPUT", "1", "-j", spec.chain}));
    }
    for (const Rule& rule : rules) {
      if (rule.family != family || Count(listing.rules, IptablesRuleLine(rule, spec.chain)) > 0) {
        continue;
      }
      SAN_RETURN_IF_ERROR(Change(family, RuleArgs("-A", spec.chain, rule)));
    }
  }
  return Status::Ok();
}

Status IptablesBackend::Unblock(const BlockSpec& spec) {
  const std::vector<Rule> rules = ExpandRules(spec);
  SAN_ASSIGN_OR_RETURN(auto lock, host_.Lock(kFirewallLockPath, kLockWait));
  const std::vector<net::Family> families = FamiliesOf(rules);
  SAN_ASSIGN_OR_RETURN(std::vector<IptablesListing> listings, ListAll(families, spec.chain));
  for (size_t i = 0; i < families.size(); ++i) {
    const net::Family family = families[i];
    const IptablesListing& listing = listings[i];
    if (!listing.chain_exists) continue;  // no chain, so no rule of ours and no jump either
    std::vector<std::string> remaining = listing.rules;
    for (const Rule& rule : rules) {
      if (rule.family != family) continue;
      const std::string line = IptablesRuleLine(rule, spec.chain);
      // -D removes one copy per call; duplicates made by hand are removed too.
      for (size_t n = Count(remaining, line); n > 0; --n) {
        SAN_RETURN_IF_ERROR(Change(family, RuleArgs("-D", spec.chain, rule)));
      }
      remaining.erase(std::remove(remaining.begin(), remaining.end(), line), remaining.end());
    }
    if (!remaining.empty()) {
      log_.Info(IptablesProgram(family) + ": chain " + spec.chain + " kept: it holds " +
                std::to_string(remaining.size()) +
                " rule(s) of other specs or of the administrator");
      continue;
    }
    if (listing.other_references > 0) {
      log_.Warning(IptablesProgram(family) + ": chain " + spec.chain +
                   " kept: other rules than our INPUT jump refer to it");
      continue;
    }
    for (int n = listing.jumps; n > 0; --n) {
      SAN_RETURN_IF_ERROR(Change(family, {"-D", "INPUT", "-j", spec.chain}));
    }
    SAN_RETURN_IF_ERROR(Change(family, {"-X", spec.chain}));
  }
  return Status::Ok();
}

}  // namespace san::firewall
