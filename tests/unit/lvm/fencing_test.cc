// Pacemaker's view of a node, from crm_mon XML captured from the real crm_mon (CIB_file).
#include "libsan/lvm/fencing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/test_data.h"

namespace san::lvm {
namespace {

using ::testing::HasSubstr;

std::string Pcmk(const std::string& name) { return testing::ReadTestData("pacemaker/" + name); }
const std::vector<std::string> kCrmMon = {"crm_mon", "--one-shot", "--output-as=xml"};

TEST(FencingTest, ParsesNodeStates) {
  std::string xml = Pcmk("crm_mon_sp1_fenced.xml");
  NodeStatus sp1 = *ParseCrmMonNode(xml, "sp1");
  EXPECT_TRUE(sp1.known);
  EXPECT_FALSE(sp1.online);
  EXPECT_FALSE(sp1.unclean);
  EXPECT_FALSE(sp1.expected_up);
  NodeStatus sp2 = *ParseCrmMonNode(xml, "sp2");
  EXPECT_TRUE(sp2.online);
  NodeStatus sp3 = *ParseCrmMonNode(xml, "sp3");
  EXPECT_TRUE(sp3.unclean);
  EXPECT_FALSE(ParseCrmMonNode(xml, "sp9")->known);
  EXPECT_FALSE(ParseCrmMonNode(xml, "sp")->known) << "names match exactly";
  EXPECT_EQ(ParseCrmMonNode("not xml", "sp1").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseCrmMonNode(Pcmk("stonith_history_not_connected.xml"), "sp1").status().code(),
            Code::kCorruption);
}

TEST(FencingTest, HistoryWithoutFencer) {
  Result<std::string> h = ParseLastFencing(Pcmk("stonith_history_not_connected.xml"), "sp1");
  ASSERT_FALSE(h.ok());
  EXPECT_THAT(h.status().message(), HasSubstr("Could not connect to fencer"));
}

TEST(FencingTest, HistoryOfARealFencing) {
  // Captured from a one-node cluster (sp2) that fenced sp1 with fence_dummy.
  std::string xml = Pcmk("stonith_history_sp1_rebooted.xml");
  Result<std::string> h = ParseLastFencing(xml, "sp1");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_THAT(*h, ::testing::MatchesRegex("reboot by sp2 at 2026-[0-9-]+ [0-9:]+Z"));
  EXPECT_EQ(*ParseLastFencing(xml, "sp2"), "") << "only the target's events count";
  EXPECT_EQ(*ParseLastFencing(Pcmk("stonith_history_sp2_never.xml"), "sp2"), "");
}

TEST(FencingTest, VerdictNamesTheLastFencing) {
  FakeHost host;
  host.Reply(kCrmMon, Pcmk("crm_mon_sp1_fenced.xml"));
  host.Reply({"stonith_admin", "--history", "sp1", "--output-as=xml"},
             Pcmk("stonith_history_sp1_rebooted.xml"));
  FenceVerdict v = CheckNodeDown(host, "sp1");
  EXPECT_TRUE(v.safe);
  EXPECT_THAT(v.reason, ::testing::StartsWith("Pacemaker reports node sp1 offline and clean; last "
                                              "fenced: reboot by sp2 at 2026-"));
}

TEST(FencingTest, Verdicts) {
  FakeHost host;
  host.Reply(kCrmMon, Pcmk("crm_mon_sp1_fenced.xml"));
  host.Reply({"stonith_admin", "--history", "sp1", "--output-as=xml"},
             Pcmk("stonith_history_not_connected.xml"), 102);
  FenceVerdict v = CheckNodeDown(host, "sp1");
  EXPECT_TRUE(v.safe);
  EXPECT_EQ(v.reason, "Pacemaker reports node sp1 offline and clean");
  v = CheckNodeDown(host, "sp2");
  EXPECT_FALSE(v.safe);
  EXPECT_EQ(v.reason, "node sp2 is online");
  v = CheckNodeDown(host, "sp3");
  EXPECT_FALSE(v.safe);
  EXPECT_THAT(v.reason, HasSubstr("unclean"));
  v = CheckNodeDown(host, "stranger");
  EXPECT_FALSE(v.safe);
  EXPECT_THAT(v.reason, HasSubstr("not a member of this cluster"));

  FakeHost broken;
  broken.Reply(kCrmMon, "", 102, "crm_mon: Error: cluster is not available on this node");
  v = CheckNodeDown(broken, "sp1");
  EXPECT_FALSE(v.safe);
  EXPECT_THAT(v.reason, HasSubstr("crm_mon exited 102: crm_mon: Error: cluster is not available"));
}

}  // namespace
}  // namespace san::lvm
