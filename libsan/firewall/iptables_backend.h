// The iptables backend: IPv4 rules through `iptables`, IPv6 through `ip6tables`, in our own chain
// of table filter that INPUT jumps to first. State is read with one `-S` per family and matched as
// exact whole lines, the way iptables prints rules back (works for the nf_tables and legacy
// variants alike).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libsan/firewall/firewall.h"

namespace san::firewall {

// What one `iptables -w -S` listing says about `chain`, jumped to from `hook` (INPUT, or OUTPUT
// for outgoing rules). Pure parse of the whole listing.
struct IptablesListing {
  bool chain_exists = false;       // a "-N CHAIN" line
  int jumps = 0;                   // exact "-A HOOK -j CHAIN" lines
  int other_references = 0;        // any other rule jumping or going to CHAIN
  std::vector<std::string> rules;  // whole "-A CHAIN ..." lines, in listing order
};
IptablesListing ParseIptablesListing(std::string_view text, std::string_view chain,
                                     std::string_view hook = "INPUT");

// The words after "-A CHAIN" for `rule`, exactly as `iptables -S` prints them back:
// {"-s", "10.0.0.0/8", "-d", "192.0.2.1/32", "-p", "tcp", "-m", "tcp", "--dport", "3260:3270",
//  "-j", "DROP"} ("any" sides are left out). Outgoing rules: {"-s", LOCAL, "-d", INITIATOR, ...,
//  "--sport", PORTS, "-j", "DROP"}.
std::vector<std::string> IptablesRuleSpec(const Rule& rule);
// "-A CHAIN <spec>": the line `iptables -S` shows for `rule` in `chain`.
std::string IptablesRuleLine(const Rule& rule, std::string_view chain);
// "iptables" for IPv4, "ip6tables" for IPv6.
std::string IptablesProgram(net::Family family);

class IptablesBackend : public Backend {
 public:
  // `host` and `log` are not owned and must outlive the backend.
  IptablesBackend(Host& host, Logger& log) : host_(host), log_(log) {}

  std::string_view Name() const override { return "iptables"; }
  Status Block(const BlockSpec& spec) override;
  Status Unblock(const BlockSpec& spec) override;
  Result<BlockState> Inspect(const BlockSpec& spec) override;

 private:
  // One `-w -S` of the family's program, parsed for `group`'s chain and hook.
  Result<IptablesListing> List(net::Family family, const HookedRules& group);
  // List() for each family, in order.
  Result<std::vector<IptablesListing>> ListAll(const std::vector<net::Family>& families,
                                               const HookedRules& group);
  Status BlockGroup(const HookedRules& group, const std::vector<IptablesListing>& listings);
  Status UnblockGroup(const HookedRules& group, const std::vector<IptablesListing>& listings);
  // Runs `program -w args...`; a non-zero exit is CommandFailed.
  Status Change(net::Family family, std::vector<std::string> args);

  Host& host_;
  Logger& log_;
};

}  // namespace san::firewall
