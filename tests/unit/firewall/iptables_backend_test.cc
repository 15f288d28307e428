// IptablesBackend on FakeHost, fed with `iptables -S` listings captured from iptables 1.8.9
// (tests/data/iptables, see capture.sh there): the exact commands for each starting state.
#include "libsan/firewall/iptables_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "libsan/host/fake_host.h"
#include "tests/support/test_data.h"

namespace san::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Argv = std::vector<std::string>;

std::string TestData(const std::string& name) { return testing::ReadTestData("iptables/" + name); }

const Argv kList4 = {"iptables", "-w", "-S"};
const Argv kList6 = {"ip6tables", "-w", "-S"};
const Argv kNewChain4 = {"iptables", "-w", "-N", "sanha-iscsi"};
const Argv kJump4 = {"iptables", "-w", "-I", "INPUT", "1", "-j", "sanha-iscsi"};
const Argv kAdd4 = {"iptables", "-w", "-A",  "sanha-iscsi", "-d",   "192.0.2.1/32", "-p",
                    "tcp",      "-m", "tcp", "--dport",     "3260", "-j",           "DROP"};
const Argv kDelete4 = {"iptables", "-w", "-D",  "sanha-iscsi", "-d",   "192.0.2.1/32", "-p",
                       "tcp",      "-m", "tcp", "--dport",     "3260", "-j",           "DROP"};
const Argv kDeleteJump4 = {"iptables", "-w", "-D", "INPUT", "-j", "sanha-iscsi"};
const Argv kDeleteChain4 = {"iptables", "-w", "-X", "sanha-iscsi"};

class IptablesBackendTest : public ::testing::Test {
 protected:
  IptablesBackendTest() {
    // Changes succeed silently, as iptables does; listings are scripted per test.
    host_.SetDefault([](const Command& cmd) -> Result<Output> {
      if (cmd.argv.size() > 2 && cmd.argv[2] == "-S") {
        return Status::Internal("listing not scripted");
      }
      return Output{};
    });
    host_.OnRun([this](const Command&) {
      if (!host_.held_locks().count(kFirewallLockPath)) ++unlocked_runs_;
    });
  }

  static BlockSpec Spec(std::string ip, std::string port = "3260", std::string source = "") {
    BlockSpecText text;
    text.ip = std::move(ip);
    text.port = std::move(port);
    text.source = std::move(source);
    Result<BlockSpec> spec = ParseBlockSpec(text);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? *spec : BlockSpec{};
  }

  FakeHost host_;
  MemoryLogger log_;
  IptablesBackend backend_{host_, log_};
  int unlocked_runs_ = 0;
};

TEST_F(IptablesBackendTest, BlockOnEmptyStateCreatesChainJumpAndRule) {
  host_.Reply(kList4, TestData("empty_v4.txt"));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kNewChain4, kJump4, kAdd4));
  EXPECT_EQ(unlocked_runs_, 0) << "check-then-change must run under the lock";
  EXPECT_TRUE(host_.held_locks().empty());
}

TEST_F(IptablesBackendTest, BlockWhenFullyPresentOnlyInspects) {
  host_.Reply(kList4, TestData("blocked_v4.txt"));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4));
}

TEST_F(IptablesBackendTest, BlockPartialStateAddsOnlyTheMissingRule) {
  host_.Reply(kList4, TestData("blocked_v4.txt"));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1", "3260,3261")).ok());
  EXPECT_THAT(host_.commands_run(),
              ElementsAre(kList4, Argv{"iptables", "-w", "-A", "sanha-iscsi", "-d", "192.0.2.1/32",
                                       "-p", "tcp", "-m", "tcp", "--dport", "3261", "-j", "DROP"}));
}

TEST_F(IptablesBackendTest, BlockRestoresAMissingJumpOnly) {
  host_.Reply(kList4, TestData("nojump_v4.txt"));
  ASSERT_TRUE(backend_.Block(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kJump4));
}

TEST_F(IptablesBackendTest, BlockBothFamiliesWhenNoAddressIsGiven) {
  host_.Reply(kList4, TestData("empty_v4.txt"));
  host_.Reply(kList6, TestData("empty_v6.txt"));
  ASSERT_TRUE(backend_.Block(Spec("")).ok());
  const Argv rule = {"-p", "tcp", "-m", "tcp", "--dport", "3260", "-j", "DROP"};
  Argv add4 = {"iptables", "-w", "-A", "sanha-iscsi"};
  Argv add6 = {"ip6tables", "-w", "-A", "sanha-iscsi"};
  add4.insert(add4.end(), rule.begin(), rule.end());
  add6.insert(add6.end(), rule.begin(), rule.end());
  EXPECT_THAT(host_.commands_run(),
              ElementsAre(kList4, kList6, kNewChain4, kJump4, add4,
                          Argv{"ip6tables", "-w", "-N", "sanha-iscsi"},
                          Argv{"ip6tables", "-w", "-I", "INPUT", "1", "-j", "sanha-iscsi"}, add6));
}

TEST_F(IptablesBackendTest, MixedSpecMatchesWhatIptablesPrintsBack) {
  BlockSpecText text;
  text.ip = "192.0.2.1,2001:db8::1";
  text.source = "10.0.0.0/8,198.51.100.7,2001:db8:1::/48";
  text.port = "3260,3300:3310";
  text.protocol = "udp";
  Result<BlockSpec> spec = ParseBlockSpec(text);
  ASSERT_TRUE(spec.ok());
  host_.Reply(kList4, TestData("mixed_v4.txt"));
  host_.Reply(kList6, TestData("mixed_v6.txt"));
  ASSERT_TRUE(backend_.Block(*spec).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kList6)) << "nothing may be added twice";
  Result<BlockState> state = backend_.Inspect(*spec);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->present.size(), 6u);
  EXPECT_TRUE(state->AllPresent());
}

TEST_F(IptablesBackendTest, InspectCountsRulesOnlyWhenInputJumpsToTheChain) {
  host_.Reply(kList4, TestData("blocked_v4.txt"));
  host_.Reply(kList4, TestData("nojump_v4.txt"));
  Result<BlockState> on = backend_.Inspect(Spec("192.0.2.1", "3260,3261"));
  ASSERT_TRUE(on.ok());
  ASSERT_EQ(on->present.size(), 1u);
  EXPECT_EQ(on->present[0].Describe(), "tcp dport 3260 from any to 192.0.2.1/32 (ipv4)");
  ASSERT_EQ(on->missing.size(), 1u);
  EXPECT_EQ(on->missing[0].Describe(), "tcp dport 3261 from any to 192.0.2.1/32 (ipv4)");
  Result<BlockState> unreachable = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_TRUE(unreachable.ok());
  EXPECT_TRUE(unreachable->NonePresent());
  EXPECT_THAT(log_.Text(), HasSubstr("INPUT does not jump to it"));
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kList4)) << "one -S per inspection";
}

TEST_F(IptablesBackendTest, InspectReportsDuplicates) {
  host_.Reply(kList4, TestData("duplicates_v4.txt"));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->AllPresent());
  EXPECT_THAT(log_.Text(), HasSubstr("is present 2 times"));
}

TEST_F(IptablesBackendTest, UnblockRemovesRuleJumpAndChain) {
  host_.Reply(kList4, TestData("blocked_v4.txt"));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kDelete4, kDeleteJump4, kDeleteChain4));
  EXPECT_EQ(unlocked_runs_, 0);
}

TEST_F(IptablesBackendTest, UnblockLeavesForeignRulesAndTheirChain) {
  host_.Reply(kList4, TestData("foreign_v4.txt"));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kDelete4));
}

TEST_F(IptablesBackendTest, UnblockRemovesEveryDuplicate) {
  host_.Reply(kList4, TestData("duplicates_v4.txt"));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(),
              ElementsAre(kList4, kDelete4, kDelete4, kDeleteJump4, kDeleteJump4, kDeleteChain4));
}

TEST_F(IptablesBackendTest, UnblockWithNothingThereRunsOnlyTheListing) {
  host_.Reply(kList4, TestData("empty_v4.txt"));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kList4));
}

TEST_F(IptablesBackendTest, UnblockCleansUpAChainFlushedByHand) {
  host_.Reply(kList4, TestData("emptychain_v4.txt"));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kDeleteJump4, kDeleteChain4));
}

TEST_F(IptablesBackendTest, UnblockKeepsAChainOtherRulesJumpTo) {
  host_.Reply(kList4, TestData("otherref_v4.txt"));
  ASSERT_TRUE(backend_.Unblock(Spec("192.0.2.1")).ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4));
  EXPECT_THAT(log_.Text(), HasSubstr("other rules than our INPUT jump refer to it"));
}

TEST_F(IptablesBackendTest, FailedChangeIsCommandFailedWithProgramCodeAndLine) {
  host_.Reply(kList4, TestData("empty_v4.txt"));
  host_.Reply(kNewChain4, "", 1, TestData("err_chain_exists.txt"));
  Status s = backend_.Block(Spec("192.0.2.1"));
  EXPECT_EQ(s.code(), Code::kCommandFailed);
  EXPECT_EQ(s.message(), "iptables exited 1: iptables: Chain already exists.");
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kNewChain4)) << "stops at the failure";
  EXPECT_TRUE(host_.held_locks().empty());
}

TEST_F(IptablesBackendTest, UnblockReportsARuleThatVanishedMeanwhile) {
  // Someone outside sanha's lock deleted the rule between our listing and our -D.
  host_.Reply(kList4, TestData("blocked_v4.txt"));
  host_.Reply(kDelete4, "", 1, TestData("err_bad_rule.txt"));
  Status s = backend_.Unblock(Spec("192.0.2.1"));
  EXPECT_EQ(s.code(), Code::kCommandFailed);
  EXPECT_EQ(s.message(),
            "iptables exited 1: iptables: Bad rule (does a matching rule exist in that chain?).");
  EXPECT_THAT(host_.commands_run(), ElementsAre(kList4, kDelete4));
}

TEST_F(IptablesBackendTest, FailedListingIsReported) {
  host_.Reply(kList4, "", 2, TestData("err_bad_protocol.txt"));
  Result<BlockState> state = backend_.Inspect(Spec("192.0.2.1"));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().message(),
            "iptables exited 2: iptables v1.8.9 (nf_tables): unknown protocol \"icmpx\" specified");
}

TEST_F(IptablesBackendTest, NotRootIsPermission) {
  host_.Reply(kList4, "", 4, TestData("err_not_root.txt"));
  Status s = backend_.Block(Spec("192.0.2.1"));
  EXPECT_EQ(s.code(), Code::kPermission);
  EXPECT_THAT(s.message(), HasSubstr("you must be root"));
}

TEST_F(IptablesBackendTest, MissingProgramIsNotInstalled) {
  host_.ReplyStatus(kList6, Status::NotInstalled("program 'ip6tables' not found"));
  EXPECT_EQ(backend_.Block(Spec("2001:db8::1")).code(), Code::kNotInstalled);
  EXPECT_EQ(backend_.Inspect(Spec("2001:db8::1")).status().code(), Code::kNotInstalled);
  EXPECT_EQ(backend_.Unblock(Spec("2001:db8::1")).code(), Code::kNotInstalled);
}

TEST_F(IptablesBackendTest, LockHeldElsewhereIsBusyAndRunsNothing) {
  Result<std::unique_ptr<LockHandle>> other = host_.Lock(kFirewallLockPath, milliseconds(0));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(backend_.Block(Spec("192.0.2.1")).code(), Code::kBusy);
  EXPECT_EQ(backend_.Unblock(Spec("192.0.2.1")).code(), Code::kBusy);
  EXPECT_TRUE(host_.commands_run().empty());
}

TEST_F(IptablesBackendTest, ParsesListingsAsWholeLines) {
  IptablesListing dup = ParseIptablesListing(TestData("duplicates_v4.txt"), "sanha-iscsi");
  EXPECT_TRUE(dup.chain_exists);
  EXPECT_EQ(dup.jumps, 2);
  EXPECT_EQ(dup.other_references, 0);
  EXPECT_EQ(dup.rules.size(), 2u);
  IptablesListing other = ParseIptablesListing(TestData("otherref_v4.txt"), "sanha-iscsi");
  EXPECT_EQ(other.jumps, 1);
  EXPECT_EQ(other.other_references, 1);
  // A chain whose name is a prefix of ours is not ours.
  IptablesListing prefix = ParseIptablesListing(TestData("blocked_v4.txt"), "sanha");
  EXPECT_FALSE(prefix.chain_exists);
  EXPECT_EQ(prefix.jumps, 0);
  EXPECT_TRUE(prefix.rules.empty());
}

}  // namespace
}  // namespace san::firewall
