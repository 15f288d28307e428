// The pure planner on captured tgtd states (tests/data/tgtadm): adopting a daemon configured by
// hand, tid allocation and pinning, stale handling, step order, and what the steps say.
#include "libsan/target/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/target/target_file.h"
#include "libsan/target/tgtadm_show.h"
#include "tests/support/test_data.h"

namespace san::target {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDir[] = "/tmp/sanha-tgtadm-capture/";

// The captured three-target state, as TgtBackend::ReadState builds it.
RunningState Captured() {
  RunningState s;
  Result<tgt::TargetListing> t =
      tgt::ParseShowTargets(testing::ReadTestData("tgtadm/show_target_three.txt"));
  EXPECT_TRUE(t.ok());
  s.targets = t->targets;
  for (auto& rt : s.targets) {
    for (auto& l : rt.luns) {
      l.controller = l.type == "controller";
      if (l.backing_type == "rdwr") l.mode = IoMode::kFileio;
      if (l.backing_type == "aio") l.mode = IoMode::kBlockio;
    }
  }
  s.accounts = *tgt::ParseShowAccounts(testing::ReadTestData("tgtadm/show_account.txt"));
  auto d = tgt::ParseShowSystemAccounts(testing::ReadTestData("tgtadm/show_system_discovery.txt"));
  s.discovery_incoming = d->incoming;
  s.discovery_outgoing = d->outgoing;
  return s;
}

// The file that describes exactly what capture.sh configured.
std::string MatchingFile() {
  const std::string d = kDir;
  return "incoming-user disc-user disc-secret-123\noutgoing-user disc-out disc-out-secret1\n"
         "option MaxRecvDataSegmentLength 65536\n"
         "target iqn.2024-01.test.sanha:alpha\n"
         " allow-address 127.0.0.1, 192.0.2.0/24\n allow-initiator iqn.2024-01.test:client\n"
         " incoming-user alpha-user alpha-secret-12\n outgoing-user alpha-out alpha-out-secret\n"
         " lun 1 " +
         d +
         "a1.img scsi_idsn=AMHDSK-240101-01 vendor=SANHA product=TESTDISK\n"
         " lun 2 " +
         d +
         "a2.img scsi_id=ID-A2 scsi_sn=SN-A2 mode=blockio\n"
         "target iqn.2024-01.test.sanha:beta\n lun 1 " +
         d +
         "b1.img scsi_idsn=B1 readonly\n"
         "target iqn.2024-01.test.sanha:alpha2\n allow-address 192.0.2.99\n";
}

class PlannerTest : public ::testing::Test {
 protected:
  std::vector<Step> PlanFor(const std::string& file, bool remove_stale = true) {
    Result<TargetConfig> c = ParseTargetFile(file, "t.conf");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
    PlanInput in;
    in.wanted = &config_;
    in.actual = &actual_;
    in.records = &records_;
    in.backing_sizes = sizes_;
    in.remove_stale = remove_stale;
    in.size_units = &tgt::TgtSizeMb;
    Result<std::vector<Step>> plan = Plan(in);
    status_ = plan.status();
    return plan.ok() ? *plan : std::vector<Step>{};
  }
  std::vector<std::string> Lines(const std::vector<Step>& plan) {
    std::vector<std::string> out;
    for (const auto& s : plan) out.push_back(s.Describe());
    return out;
  }

  RunningState actual_ = Captured();
  Records records_;
  std::map<std::string, uint64_t> sizes_ = {{std::string(kDir) + "a1.img", 64 << 20},
                                            {std::string(kDir) + "a2.img", 32 << 20},
                                            {std::string(kDir) + "b1.img", 1500000}};
  TargetConfig config_;
  Status status_;
};

TEST_F(PlannerTest, AdoptsAHandMadeDaemonTouchingOnlyWhatItCannotVerify) {
  std::vector<std::string> plan = Lines(PlanFor(MatchingFile()));
  // LUNs, ACLs and bindings match; secrets of accounts sanha did not create cannot be verified,
  // so those accounts are recreated; the unrecorded option is set once; alpha2's empty ACL gets
  // its address.
  EXPECT_THAT(plan, ::testing::Each(::testing::Not(HasSubstr("lun"))));
  EXPECT_THAT(plan, ::testing::Contains(
                        "create account alpha-user (secret ***) — secret of an account sanha "
                        "did not create"));
  EXPECT_THAT(plan, ::testing::Contains("set target 1 (iqn.2024-01.test.sanha:alpha) option "
                                        "MaxRecvDataSegmentLength=65536 — option not recorded"));
  EXPECT_THAT(plan, ::testing::Contains(
                        "allow address 192.0.2.99 on target 3 (iqn.2024-01.test.sanha:alpha2) — "
                        "not in the ACL"));
  for (const auto& line : plan) EXPECT_THAT(line, ::testing::Not(HasSubstr("secret-")));
}

TEST_F(PlannerTest, WithRecordsTheSamePlanIsEmpty) {
  for (const char* u : {"disc-user", "disc-out", "alpha-user", "alpha-out"}) {
    std::string secret = std::string(u) == "disc-user"    ? "disc-secret-123"
                         : std::string(u) == "disc-out"   ? "disc-out-secret1"
                         : std::string(u) == "alpha-user" ? "alpha-secret-12"
                                                          : "alpha-out-secret";
    records_.accounts[u] = records_.Fingerprint(u, secret);
  }
  records_.targets["iqn.2024-01.test.sanha:alpha"] = {1, {{"MaxRecvDataSegmentLength", "65536"}}};
  records_.targets["iqn.2024-01.test.sanha:beta"] = {2, {{"MaxRecvDataSegmentLength", "65536"}}};
  records_.targets["iqn.2024-01.test.sanha:alpha2"] = {3, {{"MaxRecvDataSegmentLength", "65536"}}};
  actual_.targets[2].acl = {"192.0.2.99"};
  EXPECT_THAT(Lines(PlanFor(MatchingFile())), ElementsAre());
}

TEST_F(PlannerTest, NewTargetsTakeTheLowestFreeTidAvoidingPins) {
  std::vector<Step> plan = PlanFor(
      "target iqn.2024-01.test.sanha:alpha\ntarget iqn.2024-01.test.sanha:beta\n"
      "target iqn.2024-01.test.sanha:alpha2\n"
      "target iqn.2024-01.t:new1\ntarget iqn.2024-01.t:pinned\n tid 4\ntarget "
      "iqn.2024-01.t:new2\n");
  std::vector<std::string> adds;
  for (const auto& s : plan) {
    if (s.kind == StepKind::kAddTarget) adds.push_back(s.Describe());
  }
  EXPECT_THAT(adds, ElementsAre("add target 5 (iqn.2024-01.t:new1) — not running",
                                "add target 4 (iqn.2024-01.t:pinned) — not running",
                                "add target 6 (iqn.2024-01.t:new2) — not running"));
}

TEST_F(PlannerTest, APinnedTidHeldByAKeptTargetIsAConfigError) {
  PlanFor("target iqn.2024-01.test.sanha:alpha\ntarget iqn.2024-01.test.sanha:beta\n tid 1\n");
  EXPECT_EQ(status_.code(), Code::kInvalidConfig);
  EXPECT_THAT(status_.message(), HasSubstr("tid 1 pinned for iqn.2024-01.test.sanha:beta is used "
                                           "by iqn.2024-01.test.sanha:alpha"));
}

TEST_F(PlannerTest, StaleTargetsGoLastEachInItsOwnHold) {
  std::vector<std::string> plan =
      Lines(PlanFor("target iqn.2024-01.test.sanha:beta\n"
                    " lun 1 " +
                    std::string(kDir) + "b1.img scsi_idsn=B1 readonly\n"));
  ASSERT_GE(plan.size(), 6u);
  EXPECT_THAT(plan, ::testing::Contains("hold initiators 127.0.0.1,192.0.2.0/24 of target 1 "
                                        "(iqn.2024-01.test.sanha:alpha)"));
  EXPECT_THAT(plan, ::testing::Contains("delete target 3 (iqn.2024-01.test.sanha:alpha2) — not in "
                                        "the file"));
  EXPECT_EQ(plan.back(), "delete target 3 (iqn.2024-01.test.sanha:alpha2) — not in the file")
      << "alpha2 has no address to hold";
  EXPECT_THAT(Lines(PlanFor("target iqn.2024-01.test.sanha:beta\n lun 1 " + std::string(kDir) +
                                "b1.img scsi_idsn=B1 readonly\n",
                            /*remove_stale=*/false)),
              ::testing::Each(::testing::Not(HasSubstr("delete"))));
}

TEST_F(PlannerTest, IdentityChangesAreRepresentedNeverUpdatedInPlace) {
  std::string file = MatchingFile();
  file.replace(file.find("scsi_id=ID-A2"), 13, "scsi_id=ID-NEW");
  std::vector<Step> plan = PlanFor(file);
  std::vector<std::string> lun_steps;
  for (const auto& s : plan) {
    if (s.tid == 1 && (s.kind == StepKind::kHold || s.kind == StepKind::kCloseSessions ||
                       s.kind == StepKind::kDeleteLun || s.kind == StepKind::kAddLun ||
                       s.kind == StepKind::kRelease)) {
      lun_steps.push_back(std::string(s.Describe()));
    }
  }
  ASSERT_EQ(lun_steps.size(), 5u);
  EXPECT_THAT(lun_steps[2], HasSubstr("lun 2 " + std::string(kDir) +
                                      "a2.img — scsi_id is 'ID-A2', file says 'ID-NEW'"));
  EXPECT_THAT(lun_steps[3], HasSubstr("lun 2 " + std::string(kDir) +
                                      "a2.img blockio scsi_id=ID-NEW scsi_sn=SN-A2"));
  EXPECT_EQ(Differences(plan).size(), plan.size() - 4) << "hold, close, re-add, release hidden";
}

// A listing with forged lines never drives deletions: an apply may only add; a stop deletes a
// tid only when every line with that tid names a target of the file, and fails while a target of
// the file may still run under a set-aside line.
TEST_F(PlannerTest, AnomalousListingRefusesDeletions) {
  const std::string beta_only = "target iqn.2024-01.test.sanha:beta\n lun 1 " + std::string(kDir) +
                                "b1.img scsi_idsn=B1 readonly\n";
  std::vector<Step> plan = PlanFor(beta_only);
  ASSERT_TRUE(status_.ok());
  EXPECT_TRUE(CheckListingTrust(actual_, plan, config_, false).ok()) << "a clean listing";
  actual_.anomalies = {"tgtadm output line 7: initiator name without ' alias:'"};
  Status s = CheckListingTrust(actual_, plan, config_, /*stopping=*/false);
  EXPECT_EQ(s.code(), Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("refusing to"));
  EXPECT_THAT(s.message(), HasSubstr("line 7"));
  // Additions only: fine.
  std::vector<Step> adds;
  for (const auto& step : plan) {
    if (step.kind == StepKind::kAddLun || step.kind == StepKind::kAddTarget) adds.push_back(step);
  }
  EXPECT_TRUE(CheckListingTrust(actual_, adds, config_, false).ok());

  // Stop of a file with alpha: deleting tid 1 is fine while every line for tid 1 says alpha...
  Result<TargetConfig> alpha = ParseTargetFile("target iqn.2024-01.test.sanha:alpha\n", "t.conf");
  ASSERT_TRUE(alpha.ok());
  Step del;
  del.kind = StepKind::kDeleteTarget;
  del.tid = 1;
  del.target = "iqn.2024-01.test.sanha:alpha";
  EXPECT_TRUE(CheckListingTrust(actual_, {del}, *alpha, /*stopping=*/true).ok());
  // ...not when a set-aside line says tid 1 is also someone else's target.
  actual_.shadowed = {{1, "iqn.2024-01.other:x"}};
  EXPECT_THAT(CheckListingTrust(actual_, {del}, *alpha, true).message(),
              HasSubstr("refusing to delete target 1"));
  // A target of the file seen only on a set-aside line: stop cannot claim it is gone.
  actual_.shadowed = {{9, "iqn.2024-01.test.sanha:alpha"}};
  EXPECT_THAT(CheckListingTrust(actual_, {del}, *alpha, true).message(),
              HasSubstr("cannot tell whether target iqn.2024-01.test.sanha:alpha"));
}

}  // namespace
}  // namespace san::target
