// direction=out|both: outgoing rules (local address and port as the source side) in a second
// chain hooked at output, written exactly as iptables 1.8.9 -S and nft 1.0.6 print them back
// (proven end to end by tests/integration/firewall_netns.sh, whose start reads every rule back).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/firewall/firewall.h"
#include "libsan/firewall/iptables_backend.h"
#include "libsan/firewall/nft_backend.h"

namespace san::firewall {
namespace {

Result<BlockSpec> Parse(const std::string& direction, const std::string& chain = "sanha-iscsi") {
  BlockSpecText text;
  text.ip = "192.0.2.1";
  text.source = "192.0.2.50";
  text.direction = direction;
  text.chain = chain;
  return ParseBlockSpec(text);
}

TEST(DirectionTest, BothMakesAnIncomingAndAnOutgoingRule) {
  Result<BlockSpec> spec = Parse("both");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  std::vector<Rule> rules = ExpandRules(*spec);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_FALSE(rules[0].outgoing);
  EXPECT_TRUE(rules[1].outgoing);
  EXPECT_EQ(rules[1].Describe(),
            "tcp sport 3260 from 192.0.2.1/32 to 192.0.2.50/32 (ipv4, outgoing)");
  EXPECT_EQ(
      IptablesRuleLine(rules[1], OutChain("sanha-iscsi")),
      "-A sanha-iscsi-out -s 192.0.2.1/32 -d 192.0.2.50/32 -p tcp -m tcp --sport 3260 -j DROP");
  EXPECT_EQ(IptablesRuleLine(rules[0], "sanha-iscsi"),
            "-A sanha-iscsi -s 192.0.2.50/32 -d 192.0.2.1/32 -p tcp -m tcp --dport 3260 -j DROP");
  EXPECT_EQ(NftRuleBody(rules[1]),
            "ip saddr 192.0.2.1 ip daddr 192.0.2.50 tcp sport 3260 drop comment \"sanha ipv4 tcp "
            "3260 s=192.0.2.50/32 d=192.0.2.1/32 out\"");
  std::vector<HookedRules> groups = GroupByHook(*spec);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].chain, "sanha-iscsi");
  EXPECT_FALSE(groups[0].output);
  EXPECT_EQ(groups[1].chain, "sanha-iscsi-out");
  EXPECT_TRUE(groups[1].output);
}

TEST(DirectionTest, OutOnlyHasNoIncomingChainAndInIsUnchanged) {
  Result<BlockSpec> out = Parse("out");
  ASSERT_TRUE(out.ok());
  std::vector<HookedRules> groups = GroupByHook(*out);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_TRUE(groups[0].output);
  Result<BlockSpec> in = Parse("in");
  ASSERT_TRUE(in.ok());
  groups = GroupByHook(*in);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_FALSE(groups[0].output);
  EXPECT_EQ(groups[0].chain, "sanha-iscsi");
}

TEST(DirectionTest, TheOutputHookJumpIsCountedForTheOutChainOnly) {
  const std::string listing =
      "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N sanha-iscsi-out\n"
      "-A OUTPUT -j sanha-iscsi-out\n"
      "-A sanha-iscsi-out -s 192.0.2.1/32 -d 192.0.2.50/32 -p tcp -m tcp --sport 3260 -j DROP\n";
  IptablesListing out = ParseIptablesListing(listing, "sanha-iscsi-out", "OUTPUT");
  EXPECT_TRUE(out.chain_exists);
  EXPECT_EQ(out.jumps, 1);
  EXPECT_EQ(out.other_references, 0);
  EXPECT_EQ(out.rules.size(), 1u);
  IptablesListing wrong_hook = ParseIptablesListing(listing, "sanha-iscsi-out", "INPUT");
  EXPECT_EQ(wrong_hook.jumps, 0) << "a jump from OUTPUT does not hook an input chain";
}

TEST(DirectionTest, BadDirectionsAndLongChainsAreRefused) {
  for (const char* bad : {"", "sideways", "IN", "in ", "both\n"}) {
    EXPECT_FALSE(Parse(bad).ok()) << bad;
  }
  EXPECT_TRUE(Parse("in", std::string(28, 'c')).ok());
  EXPECT_FALSE(Parse("out", std::string(25, 'c')).ok());
  EXPECT_TRUE(Parse("both", std::string(24, 'c')).ok());
}

}  // namespace
}  // namespace san::firewall
