// Fuzz target: the readers of `nft -a list` and `iptables -S` output (libsan/firewall). Rule
// comments and foreign rules are text someone else wrote; the readers must never crash, and what
// they report must be lines of the input: a rule the text does not hold is never counted.
#include <cstdint>
#include <string>

#include "libsan/firewall/iptables_backend.h"
#include "libsan/firewall/nft_backend.h"
#include "tests/fuzz/fuzz_check.h"

using san::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  san::firewall::NftListing nft = san::firewall::ParseNftListing(text);
  for (const auto& [name, chain] : nft.chains) {
    Check(name.find_first_of(" \n") == std::string::npos, "chain name with spaces", name);
    for (const auto& rule : chain.rules) {
      Check(rule.body.find('\n') == std::string::npos, "rule body spans lines", rule.body);
      Check(text.find(rule.body) != std::string_view::npos, "rule body not in the listing",
            rule.body);
      Check(rule.body.find(rule.comment) != std::string::npos, "comment not in the rule body",
            rule.comment);
    }
  }
  san::firewall::IptablesListing ipt = san::firewall::ParseIptablesListing(text, "SANHA");
  Check(ipt.jumps >= 0 && ipt.other_references >= 0, "negative count");
  for (const std::string& line : ipt.rules) {
    Check(line.starts_with("-A SANHA "), "a rule of another chain", line);
    Check(line.find('\n') == std::string::npos, "rule spans lines", line);
  }
  if (ipt.jumps > 0 || ipt.chain_exists) {
    Check(text.find("SANHA") != std::string_view::npos, "chain seen that the text lacks");
  }
  return 0;
}
