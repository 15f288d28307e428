// FakeIptables: a small stateful stand-in for iptables/ip6tables behind a FakeHost, answering -S
// exactly as iptables 1.8.9 (nf_tables) prints (captured on Debian 12) and applying -N/-X/-A/-I/-D.
// Lets agent-level tests run whole start/monitor/stop sequences without depending on command order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libsan/host/fake_host.h"

namespace san::testing {

class FakeIptables {
 public:
  // Installs itself as `host`'s default handler for "iptables" and "ip6tables".
  explicit FakeIptables(FakeHost& host);

  // `-S` output of one family ("iptables" or "ip6tables").
  std::string Save(const std::string& program) const;
  // Number of rules (not policies/chains) in all chains of a family.
  size_t RuleCount(const std::string& program) const;
  // Makes the next `n` changing commands fail with iptables' resource error (exit 4).
  void FailChanges(int n) { fail_changes_ = n; }

 private:
  struct Table {
    std::vector<std::string> chain_order = {"INPUT", "FORWARD", "OUTPUT"};
    std::map<std::string, std::vector<std::string>> rules;  // chain → rule specs after "-A CHAIN "
  };
  Result<Output> Handle(const Command& cmd);

  std::map<std::string, Table> tables_;  // by program name
  int fail_changes_ = 0;
};

}  // namespace san::testing
