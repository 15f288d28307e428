// The nft backend: our own table `inet sanha` with base chain spec.chain hooked at input, priority
// filter - 1, so our drop happens before any other filter table sees the packet. Each rule carries
// a comment that is its canonical key; a rule counts only when its whole body is exactly what nft
// prints for the rule we add. Changes go in one atomic batch, run in process by an NftClient.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/firewall/firewall.h"
#include "libsan/firewall/nft_client.h"

namespace san::firewall {

inline constexpr char kNftTable[] = "sanha";  // family inet

// One rule line of `nft -a list ...`.
struct NftRuleLine {
  std::string body;  // the rule as printed, without the trailing " # handle N"
  uint64_t handle = 0;
  std::string comment;  // the text of `comment "..."` at the end of the body; "" when none
};

struct NftChainListing {
  bool hooked_input = false;   // a "type filter hook input ..." base chain
  bool hooked_output = false;  // a "type filter hook output ..." base chain (outgoing rules)
  std::vector<NftRuleLine> rules;
};

// `nft -a list chain inet sanha C` or `nft -a list table inet sanha`, parsed by indentation (nft
// prints one tab per level), so braces or quotes inside foreign comments cannot confuse it.
struct NftListing {
  std::map<std::string, NftChainListing> chains;
  bool other_objects = false;  // sets, maps, flags, ... besides chains: the table is not ours alone
};
NftListing ParseNftListing(std::string_view text);

// "sanha ipv4 tcp 3260-3270 s=10.0.0.0/8 d=192.0.2.1/32" ("any" for an open side; " out"
// appended for an outgoing rule).
std::string NftRuleKey(const Rule& rule);
// What `nft -a list` prints for `rule`, which is also what we add:
// `ip saddr 10.0.0.0/8 ip daddr 192.0.2.1 tcp dport 3260-3270 drop comment "<key>"`, or
// `meta nfproto ipv6 tcp dport 3260 drop comment "<key>"` when both sides are any. Outgoing:
// `ip saddr 192.0.2.1 ip daddr 10.0.0.0/8 tcp sport 3260 drop comment "<key>"`.
std::string NftRuleBody(const Rule& rule);

class NftBackend : public Backend {
 public:
  // `host` (for the lock) and `log` are not owned and must outlive the backend; `nft` is owned.
  NftBackend(Host& host, Logger& log, std::unique_ptr<NftClient> nft)
      : host_(host), log_(log), nft_(std::move(nft)) {}

  std::string_view Name() const override { return "nft"; }
  Status Block(const BlockSpec& spec) override;
  Status Unblock(const BlockSpec& spec) override;
  Result<BlockState> Inspect(const BlockSpec& spec) override;

 private:
  // Runs `list <what...>` (with handles); an absent table or chain gives an empty listing.
  Result<NftListing> List(const std::vector<std::string>& what, const std::string& chain);
  // Runs `script` as one transaction.
  Status Apply(const std::string& script, const std::string& chain);

  // One nft run, shaped like a process result (exit 0/1, out, err) for the error mapping.
  Result<Output> RunNft(const std::string& script);

  Host& host_;
  Logger& log_;
  std::unique_ptr<NftClient> nft_;
};

}  // namespace san::firewall
