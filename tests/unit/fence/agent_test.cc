// The agent's actions end to end on fake PDUs: output text, exit codes, messages naming the PDU.
#include "libsan/fence/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/fake_apc_pdu.h"

namespace san::fence {
namespace {

using ::testing::HasSubstr;

class FenceAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::vector<OptionSpec>> s = ParseOptionSpecs(AgentMetadataXml());
    ASSERT_TRUE(s.ok());
    specs_ = *s;
    a_.ShareJournal(journal_);
    b_.ShareJournal(journal_);
    a_.community = b_.community = "private";
    testing::MakeApcPdu(a_, PduModel::Kind::kRackPdu,
                        {"node1-psu1", "node2-psu1", "spare", "spare"}, &fa_);
    testing::MakeApcPdu(b_, PduModel::Kind::kRackPdu, {"node1-psu2", "node2-psu2", "spare", "x"},
                        &fb_);
    deps_.host = &host_;
    deps_.snmp = snmp::FakeFactory({{"192.0.2.10:161", &a_}, {"192.0.2.11:161", &b_}}, &host_);
    deps_.log = &log_;
  }
  AgentResult Run(const std::string& stdin_text) {
    Result<Values> v = ParseStdin(stdin_text, specs_, nullptr);
    EXPECT_TRUE(v.ok());
    Result<FenceRequest> r = BuildRequest(*v, specs_, host_);
    if (!r.ok()) return Failure(r.status());
    return RunAction(*r, deps_);
  }
  static constexpr char kDual[] = "ip=192.0.2.10,192.0.2.11\ncommunity=private\n";
  std::string St(int n) { return ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4." + std::to_string(n); }

  std::vector<OptionSpec> specs_;
  FakeHost host_;
  MemoryLogger log_;
  std::shared_ptr<std::vector<std::string>> journal_ = std::make_shared<std::vector<std::string>>();
  snmp::FakeSnmpAgent a_{"pdu1"}, b_{"pdu2"};
  testing::PduFaults fa_, fb_;
  AgentDeps deps_;
};

TEST_F(FenceAgentTest, OffByNamesOnBothFeeds) {
  AgentResult r = Run(std::string(kDual) + "action=off\nplug=pdu1:node2-psu1,pdu2:node2-psu2\n");
  EXPECT_EQ(r.exit_code, 0) << r.error;
  EXPECT_EQ(r.out, "Success: Powered OFF\n");
  EXPECT_EQ(a_.Int(St(2)), 2);
  EXPECT_EQ(b_.Int(St(2)), 2);
  EXPECT_EQ(a_.Int(St(1)), 1);
}

TEST_F(FenceAgentTest, StatusIsOffOnlyWhenEveryOutletIsOff) {
  std::string req = std::string(kDual) + "action=status\nplug=2\n";
  EXPECT_EQ(Run(req).out, "Status: ON\n");
  a_.SetInt(St(2), 2);
  AgentResult half = Run(req);
  EXPECT_EQ(half.exit_code, 0);
  EXPECT_EQ(half.out, "Status: ON\n");  // one PSU still fed: the node is not off
  b_.SetInt(St(2), 2);
  AgentResult off = Run(req);
  EXPECT_EQ(off.exit_code, 2);
  EXPECT_EQ(off.out, "Status: OFF\n");
}

TEST_F(FenceAgentTest, ListAndListStatus) {
  a_.SetInt(St(3), 2);
  AgentResult list = Run("ip=192.0.2.10\ncommunity=private\naction=list\n");
  EXPECT_EQ(list.out, "1,node1-psu1\n2,node2-psu1\n3,spare\n4,spare\n");
  AgentResult both = Run(std::string(kDual) + "action=list-status\n");
  EXPECT_THAT(both.out, HasSubstr("pdu1:3,spare,OFF\npdu1:4,spare,ON\npdu2:1,node1-psu2,ON\n"));
}

TEST_F(FenceAgentTest, AmbiguousNameChangesNothing) {
  AgentResult r = Run("ip=192.0.2.10\ncommunity=private\naction=off\nplug=spare\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("ambiguous"));
  for (const std::string& line : *journal_) EXPECT_THAT(line, ::testing::Not(HasSubstr("SET")));
}

TEST_F(FenceAgentTest, RebootWithFailedPowerOnReportsTheVerifiedOff) {
  fb_.refuse_on = true;
  AgentResult r = Run(std::string(kDual) + "action=reboot\nplug=2\n");
  EXPECT_EQ(r.exit_code, 0);  // the node is verifiably off: fenced
  EXPECT_THAT(r.out, HasSubstr("power ON FAILED"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("Rebooted")));
  EXPECT_THAT(r.error, HasSubstr("read back off, then power-on failed"));
  EXPECT_THAT(r.error, HasSubstr("pdu2"));
}

TEST_F(FenceAgentTest, RebootFailsWhenAnOutletStaysOn) {
  fa_.stuck = {2};
  AgentResult r = Run(std::string(kDual) + "action=reboot\nplug=2\npower_timeout=4\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("pdu1:2 not read back off within 4 s"));
  EXPECT_EQ(host_.total_slept(), milliseconds(4000));
}

TEST_F(FenceAgentTest, DeadPduIsNamedWithinTheSnmpTimeout) {
  b_.dead = true;
  AgentResult r = Run(std::string(kDual) + "action=off\nplug=2\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("pdu2 (192.0.2.11:161)"));
  EXPECT_LE(host_.total_slept(), milliseconds(3000));  // defaults: 1 s x 2 tries
}

TEST_F(FenceAgentTest, WrongCommunityTimesOutWithAHint) {
  AgentResult r = Run("ip=192.0.2.10\ncommunity=public\naction=status\nplug=1\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("PDU 192.0.2.10:161"));
  EXPECT_EQ(host_.total_slept(), milliseconds(2000));
}

TEST_F(FenceAgentTest, MonitorChecksEveryPdu) {
  EXPECT_EQ(Run(std::string(kDual) + "action=monitor\n").exit_code, 0);
  b_.dead = true;
  EXPECT_EQ(Run(std::string(kDual) + "action=monitor\n").exit_code, 1);
}

TEST_F(FenceAgentTest, ValidateAllTouchesNoPdu) {
  EXPECT_EQ(Run(std::string(kDual) + "action=validate-all\nplug=1\n").exit_code, 0);
  EXPECT_TRUE(journal_->empty());
}

TEST_F(FenceAgentTest, DelayWaitsBeforeSwitching) {
  AgentResult r = Run(std::string(kDual) + "action=on\nplug=1\ndelay=5\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(host_.total_slept(), milliseconds(5000));
}

TEST_F(FenceAgentTest, MasterSwitchPlusUsesItsOwnOffValue) {
  snmp::FakeSnmpAgent msp("msp");
  testing::MakeApcPdu(msp, PduModel::Kind::kMasterSwitchPlus, {"a", "b"}, nullptr);
  deps_.snmp = snmp::FakeFactory({{"192.0.2.20:161", &msp}}, &host_);
  AgentResult r = Run("ip=192.0.2.20\naction=off\nplug=1.2\n");
  EXPECT_EQ(r.exit_code, 0) << r.error;
  EXPECT_THAT(msp.journal(), ::testing::Contains("msp SET .1.3.6.1.4.1.318.1.1.6.5.1.1.5.1.1.2=3"));
  AgentResult list = Run("ip=192.0.2.20\naction=list\n");
  EXPECT_EQ(list.out, "1.1,a\n1.2,b\n");
}

}  // namespace
}  // namespace san::fence
