// Hold records of the block/unblock pair: exact round trip, strict refusal of anything else, and
// the rule deciding whether absent block rules were lifted legitimately.
#include "libsan/firewall/hold_state.h"

#include <gtest/gtest.h>

namespace san::firewall {
namespace {

TEST(HoldStateTest, RoundTrip) {
  HoldRecord r{"6f1c0a7e-2b1d-4c55-9a52-0d8d6c1b8e11", 123456789, "/run/r/sanha-x.state"};
  Result<HoldRecord> back = ParseHoldRecord(FormatHoldRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->boot_id, r.boot_id);
  EXPECT_EQ(back->since_ns, r.since_ns);
  EXPECT_EQ(back->partner, r.partner);
  r.partner.clear();
  back = ParseHoldRecord(FormatHoldRecord(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->partner, "");
}

TEST(HoldStateTest, RefusesAnythingElse) {
  const char* bad[] = {
      "",
      "fw-block\n",  // the old "started" mark
      "sanha-iscsi-firewall-hold 1\nboot b\n",
      "sanha-iscsi-firewall-hold 1\nboot b\nsince 12",  // truncated
      "sanha-iscsi-firewall-hold 2\nboot b\nsince 12\n",
      "sanha-iscsi-firewall-hold 1\nboot b\nsince -1\n",
      "sanha-iscsi-firewall-hold 1\nboot b\nsince 1x\n",
      "sanha-iscsi-firewall-hold 1\nboot  b\nsince 1\n",
      "sanha-iscsi-firewall-hold 1\nboot b\nsince 1\npartner \n",
      "sanha-iscsi-firewall-hold 1\nboot b\nsince 1\npartner a b\n",
      "sanha-iscsi-firewall-hold 1\nboot b\nsince 1\npartner p\nextra x\n",
      "sanha-iscsi-firewall-hold 1\nsince 1\nboot b\n",
  };
  for (const char* text : bad) EXPECT_FALSE(ParseHoldRecord(text).ok()) << text;
  EXPECT_FALSE(ParseHoldRecord(std::string(5000, 'x')).ok());
}

TEST(HoldStateTest, LiftCoversOnlyALaterLiftByAStartedPartnerOfThisBoot) {
  const HoldRecord own{"b", 100, ""};
  const HoldRecord partner{"b", 150, ""};
  const HoldRecord lift{"b", 150, "/p"};
  EXPECT_TRUE(LiftCoversBlock(own, lift, partner, "b"));
  EXPECT_TRUE(LiftCoversBlock(own, HoldRecord{"b", 100, "/p"}, HoldRecord{"b", 90, ""}, "b"));
  EXPECT_FALSE(LiftCoversBlock(own, std::nullopt, partner, "b")) << "no lift";
  EXPECT_FALSE(LiftCoversBlock(own, lift, std::nullopt, "b")) << "partner stopped";
  EXPECT_FALSE(LiftCoversBlock(own, HoldRecord{"b", 99, "/p"}, partner, "b")) << "older lift";
  EXPECT_FALSE(LiftCoversBlock(own, lift, HoldRecord{"b", 151, ""}, "b"))
      << "partner restarted after the lift: its lift is gone with its stop";
  EXPECT_FALSE(LiftCoversBlock(own, lift, partner, "c")) << "another boot";
  EXPECT_FALSE(LiftCoversBlock(own, HoldRecord{"a", 150, "/p"}, partner, "b"));
}

TEST(HoldStateTest, PartnerPathStaysInTheStateDirectory) {
  const char* dir = "/run/resource-agents";
  auto ok = [&](const char* p) { return IsPartnerPath(p, dir, "sanha-iscsi-firewall-", ".state"); };
  EXPECT_TRUE(ok("/run/resource-agents/sanha-iscsi-firewall-fw.state"));
  EXPECT_FALSE(ok("/run/resource-agents/sanha-iscsi-firewall-.state"));
  EXPECT_FALSE(ok("/run/resource-agents/../x/sanha-iscsi-firewall-fw.state"));
  EXPECT_FALSE(ok("/run/resource-agentsX/sanha-iscsi-firewall-fw.state"));
  EXPECT_FALSE(ok("/etc/sanha-iscsi-firewall-fw.state"));
  EXPECT_FALSE(ok("/run/resource-agents/sanha-iet-target-fw.state"));
  EXPECT_FALSE(ok("/run/resource-agents/sanha-iscsi-firewall-fw.started"));
}

}  // namespace
}  // namespace san::firewall
