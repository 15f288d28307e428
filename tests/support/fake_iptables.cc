// A deliberately small iptables model: enough of -S/-N/-X/-A/-I/-D/-C/-F for sanha's rules.
#include "tests/support/fake_iptables.h"

#include <algorithm>

namespace san::testing {

namespace {

Output Reply(int code, std::string out = {}, std::string err = {}) {
  Output o;
  o.exit_code = code;
  o.out = std::move(out);
  o.err = std::move(err);
  return o;
}

std::string JoinFrom(const std::vector<std::string>& v, size_t from) {
  std::string s;
  for (size_t i = from; i < v.size(); ++i) {
    if (i > from) s += ' ';
    s += v[i];
  }
  return s;
}

bool IsBuiltin(const std::string& chain) {
  return chain == "INPUT" || chain == "FORWARD" || chain == "OUTPUT";
}

}  // namespace

FakeIptables::FakeIptables(FakeHost& host) {
  tables_["iptables"];
  tables_["ip6tables"];
  host.SetDefault([this](const Command& cmd) { return Handle(cmd); });
}

std::string FakeIptables::Save(const std::string& program) const {
  const Table& t = tables_.at(program);
  std::string out = "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n";
  for (const auto& chain : t.chain_order) {
    if (!IsBuiltin(chain)) out += "-N " + chain + "\n";
  }
  for (const auto& chain : t.chain_order) {
    auto it = t.rules.find(chain);
    if (it == t.rules.end()) continue;
    for (const auto& r : it->second) out += "-A " + chain + " " + r + "\n";
  }
  return out;
}

size_t FakeIptables::RuleCount(const std::string& program) const {
  size_t n = 0;
  for (const auto& [chain, rules] : tables_.at(program).rules) n += rules.size();
  return n;
}

Result<Output> FakeIptables::Handle(const Command& cmd) {
  std::vector<std::string> a = cmd.argv;
  if (a.empty() || !tables_.count(a[0])) {
    return Status::Internal("FakeIptables: unexpected command " + JoinFrom(a, 0));
  }
  Table& t = tables_[a[0]];
  a.erase(std::remove(a.begin(), a.end(), "-w"), a.end());
  if (a.size() < 2) return Reply(2, "", "iptables: no command specified");
  const std::string op = a[1];
  auto chain_exists = [&](const std::string& c) {
    return std::find(t.chain_order.begin(), t.chain_order.end(), c) != t.chain_order.end();
  };
  const std::string no_chain = "iptables: No chain/target/match by that name.\n";
  if (op == "-S") {
    if (a.size() == 2) return Reply(0, Save(a[0]));
    if (!chain_exists(a[2]))
      return Reply(1, "",
                   "iptables v1.8.9 (nf_tables): chain `" + a[2] +
                       "' in table `filter' is incompatible, use 'nft' tool.\n");
    std::string out = IsBuiltin(a[2]) ? "-P " + a[2] + " ACCEPT\n" : "-N " + a[2] + "\n";
    for (const auto& r : t.rules[a[2]]) out += "-A " + a[2] + " " + r + "\n";
    return Reply(0, out);
  }
  if (a.size() < 3) return Reply(2, "", "iptables: option requires an argument");
  const std::string chain = a[2];
  if (op == "-C") {
    if (!chain_exists(chain)) return Reply(1, "", no_chain);
    const auto& rules = t.rules[chain];
    bool found = std::find(rules.begin(), rules.end(), JoinFrom(a, 3)) != rules.end();
    return found
               ? Reply(0)
               : Reply(1, "", "iptables: Bad rule (does a matching rule exist in that chain?).\n");
  }
  if (fail_changes_ > 0) {
    --fail_changes_;
    return Reply(4, "", "iptables: Resource temporarily unavailable.\n");
  }
  if (op == "-N") {
    if (chain_exists(chain)) return Reply(1, "", "iptables: Chain already exists.\n");
    t.chain_order.push_back(chain);
    return Reply(0);
  }
  if (op == "-X") {
    if (!chain_exists(chain)) return Reply(1, "", no_chain);
    if (!t.rules[chain].empty()) return Reply(1, "", "iptables: Directory not empty.\n");
    for (const auto& [c, rules] : t.rules) {
      for (const auto& r : rules) {
        if (r == "-j " + chain) return Reply(1, "", "iptables: Too many links.\n");
      }
    }
    t.chain_order.erase(std::find(t.chain_order.begin(), t.chain_order.end(), chain));
    t.rules.erase(chain);
    return Reply(0);
  }
  if (op == "-F") {
    if (!chain_exists(chain)) return Reply(1, "", no_chain);
    t.rules[chain].clear();
    return Reply(0);
  }
  if (!chain_exists(chain)) return Reply(1, "", no_chain);
  auto& rules = t.rules[chain];
  if (op == "-A") {
    rules.push_back(JoinFrom(a, 3));
    return Reply(0);
  }
  if (op == "-I") {
    size_t pos = 0, from = 3;
    if (a.size() > 3 && std::all_of(a[3].begin(), a[3].end(), ::isdigit)) {
      pos = std::stoul(a[3]) - 1;
      from = 4;
    }
    rules.insert(rules.begin() + std::min(pos, rules.size()), JoinFrom(a, from));
    return Reply(0);
  }
  if (op == "-D") {
    auto it = std::find(rules.begin(), rules.end(), JoinFrom(a, 3));
    if (it == rules.end())
      return Reply(1, "", "iptables: Bad rule (does a matching rule exist in that chain?).\n");
    rules.erase(it);
    return Reply(0);
  }
  return Reply(2, "", "iptables: unknown option " + op);
}

}  // namespace san::testing
