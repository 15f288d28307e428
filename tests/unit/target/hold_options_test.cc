// The one check of the hold options shared by iet-target and san-target.
#include "libsan/target/hold_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::target {
namespace {

using ::testing::HasSubstr;

TEST(HoldOptionsTest, FirewallKindsAndChainNames) {
  for (const char* fw : {"auto", "nft", "iptables", "none"}) {
    EXPECT_TRUE(CheckHoldOptions(fw, "sanha-target").ok()) << fw;
  }
  Status bad = CheckHoldOptions("bogus", "sanha-target", "--firewall", "--firewall-chain");
  EXPECT_EQ(bad.code(), Code::kInvalidConfig);
  EXPECT_EQ(bad.message(), "--firewall: 'bogus' is not auto, nft, iptables or none");
  EXPECT_THAT(CheckHoldOptions("", "sanha-target").message(), HasSubstr("firewall: ''"));
  for (const char* chain : {"x;y", "a b", "", "$(id)", "INPUT\n"}) {
    Status s = CheckHoldOptions("nft", chain, "--firewall", "--firewall-chain");
    EXPECT_EQ(s.code(), Code::kInvalidConfig) << chain;
    EXPECT_THAT(s.message(), HasSubstr("--firewall-chain")) << chain;
  }
}

}  // namespace
}  // namespace san::target
