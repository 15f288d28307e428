// Holds of new connections only (BlockSpec::new_connections_only): the rules match TCP SYN
// without ACK, written exactly as iptables 1.8.9 -S and nft 1.0.6 list them (checked by hand in a
// namespace and end to end by tests/integration/target_killpoints.sh), and never collide with a
// full DROP rule of the same addresses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/firewall/firewall.h"
#include "libsan/firewall/iptables_backend.h"
#include "libsan/firewall/nft_backend.h"

namespace san::firewall {
namespace {

TEST(NewConnectionsTest, RulesMatchSynOnly) {
  BlockSpecText text;
  text.source = "192.0.2.2";
  Result<BlockSpec> spec = ParseBlockSpec(text);
  ASSERT_TRUE(spec.ok());
  std::vector<Rule> full = ExpandRules(*spec);
  spec->new_connections_only = true;
  std::vector<Rule> syn = ExpandRules(*spec);
  ASSERT_EQ(syn.size(), 1u);
  EXPECT_TRUE(syn[0].new_connections_only);
  EXPECT_EQ(syn[0].Describe(), "tcp dport 3260 from 192.0.2.2/32 to any new connections (ipv4)");
  EXPECT_EQ(IptablesRuleLine(syn[0], "sanha-target"),
            "-A sanha-target -s 192.0.2.2/32 -p tcp -m tcp --dport 3260 --tcp-flags "
            "FIN,SYN,RST,ACK SYN -j DROP");
  EXPECT_EQ(NftRuleBody(syn[0]),
            "ip saddr 192.0.2.2 tcp dport 3260 tcp flags syn / fin,syn,rst,ack drop comment "
            "\"sanha ipv4 tcp 3260 s=192.0.2.2/32 d=any syn\"");
  EXPECT_NE(NftRuleKey(syn[0]), NftRuleKey(full[0]));
  EXPECT_NE(IptablesRuleLine(syn[0], "c"), IptablesRuleLine(full[0], "c"));
}

TEST(NewConnectionsTest, UdpHasNoConnections) {
  BlockSpecText text;
  text.protocol = "udp";
  Result<BlockSpec> spec = ParseBlockSpec(text);
  ASSERT_TRUE(spec.ok());
  spec->new_connections_only = true;
  for (const Rule& r : ExpandRules(*spec)) EXPECT_FALSE(r.new_connections_only);
}

}  // namespace
}  // namespace san::firewall
