// The verify loop on fake PDUs: every SET and read-back is recorded, the clock is FakeHost's.
#include "libsan/fence/power.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/fake_apc_pdu.h"

namespace san::fence {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCtl[] = ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.";
constexpr char kSt[] = ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.";
std::string Ctl(int n) { return kCtl + std::to_string(n); }
std::string St(int n) { return kSt + std::to_string(n); }

class PowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_.ShareJournal(journal_);
    b_.ShareJournal(journal_);
    testing::MakeApcPdu(a_, PduModel::Kind::kRackPdu, {"web1", "db1", "db2", "spare"}, &fa_);
    testing::MakeApcPdu(b_, PduModel::Kind::kRackPdu, {"web1", "db1", "db2", "spare"}, &fb_);
  }
  PduSet Open(int n = 2) {
    snmp::Target t1, t2;
    t1.host = "192.0.2.10";
    t2.host = "192.0.2.11";
    std::vector<snmp::Target> targets = {t1};
    if (n == 2) targets.push_back(t2);
    Result<PduSet> set = PduSet::Open(
        targets, snmp::FakeFactory({{"192.0.2.10:161", &a_}, {"192.0.2.11:161", &b_}}, &host_),
        log_);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    journal_->clear();
    return std::move(set).value();
  }

  FakeHost host_;
  MemoryLogger log_;
  std::shared_ptr<std::vector<std::string>> journal_ = std::make_shared<std::vector<std::string>>();
  snmp::FakeSnmpAgent a_{"pdu1"}, b_{"pdu2"};
  testing::PduFaults fa_, fb_;
  PowerOptions opts_;
};

TEST_F(PowerTest, OffSwitchesEveryOutletOfBothPdusAndReadsThemBack) {
  PduSet pdus = Open();
  std::vector<Outlet> outlets = {
      {0, {1, 2}, "pdu1:2"}, {1, {1, 2}, "pdu2:2"}, {1, {1, 3}, "pdu2:3"}};
  ASSERT_TRUE(SwitchAll(host_, pdus, outlets, false, opts_, log_).ok());
  EXPECT_THAT(*journal_, ElementsAre("pdu1 SET " + Ctl(2) + "=2",
                                     "pdu2 SET " + Ctl(2) + "=2, " + Ctl(3) + "=2",
                                     "pdu1 GET " + St(2), "pdu2 GET " + St(2) + ", " + St(3)));
  EXPECT_EQ(a_.Int(St(2)), 2);
  EXPECT_EQ(b_.Int(St(3)), 2);
  EXPECT_EQ(a_.Int(St(3)), 1);  // only what was asked for
  EXPECT_EQ(host_.total_slept().count(), 0);
}

TEST_F(PowerTest, SlowRelayIsPolledUntilItReadsBack) {
  fa_.reads_to_switch = 3;
  PduSet pdus = Open(1);
  ASSERT_TRUE(SwitchAll(host_, pdus, {{0, {1, 1}, "1"}}, false, opts_, log_).ok());
  EXPECT_EQ(std::count(journal_->begin(), journal_->end(), "pdu1 GET " + St(1)), 3);
  EXPECT_EQ(host_.total_slept(), 2 * opts_.poll_interval);
}

TEST_F(PowerTest, StuckOutletFailsAfterPowerTimeoutNamingIt) {
  fb_.stuck = {2};
  opts_.power_timeout = milliseconds(5000);
  PduSet pdus = Open();
  Status st =
      SwitchAll(host_, pdus, {{0, {1, 2}, "pdu1:2"}, {1, {1, 2}, "pdu2:2"}}, false, opts_, log_);
  EXPECT_EQ(st.code(), Code::kTimeout);
  EXPECT_THAT(st.message(), HasSubstr("pdu2:2 not read back off within 5 s"));
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("pdu1:2")));
  EXPECT_EQ(host_.total_slept(), milliseconds(5000));
  EXPECT_EQ(a_.Int(St(2)), 2);  // the other feed is off all the same
}

TEST_F(PowerTest, RefusedSetOnOnePduStillSwitchesTheOther) {
  fa_.refuse_set = true;
  PduSet pdus = Open();
  Status st =
      SwitchAll(host_, pdus, {{0, {1, 1}, "pdu1:1"}, {1, {1, 1}, "pdu2:1"}}, false, opts_, log_);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("pdu1 (192.0.2.10:161): switching off failed"));
  EXPECT_EQ(b_.Int(St(1)), 2);
}

TEST_F(PowerTest, RebootIsOffAllVerifiedThenOnAll) {
  PduSet pdus = Open();
  std::vector<Outlet> outlets = {{0, {1, 4}, "pdu1:4"}, {1, {1, 4}, "pdu2:4"}};
  RebootOutcome o = Reboot(host_, pdus, outlets, opts_, log_);
  EXPECT_TRUE(o.clean());
  // Never pdu1 off → pdu1 on → pdu2 off: both feeds are off at the same time.
  EXPECT_THAT(*journal_,
              ElementsAre("pdu1 SET " + Ctl(4) + "=2", "pdu2 SET " + Ctl(4) + "=2",
                          "pdu1 GET " + St(4), "pdu2 GET " + St(4), "pdu1 SET " + Ctl(4) + "=1",
                          "pdu2 SET " + Ctl(4) + "=1", "pdu1 GET " + St(4), "pdu2 GET " + St(4)));
}

TEST_F(PowerTest, RebootWithFailingPowerOnIsFencedButNotClean) {
  fb_.refuse_on = true;
  PduSet pdus = Open();
  RebootOutcome o =
      Reboot(host_, pdus, {{0, {1, 1}, "pdu1:1"}, {1, {1, 1}, "pdu2:1"}}, opts_, log_);
  EXPECT_TRUE(o.fenced());
  EXPECT_FALSE(o.clean());
  EXPECT_THAT(o.on.message(), HasSubstr("pdu2"));
}

TEST_F(PowerTest, RebootNeverPowersOnWhenOffFailed) {
  fa_.stuck = {1};
  opts_.power_timeout = milliseconds(1000);
  PduSet pdus = Open(1);
  RebootOutcome o = Reboot(host_, pdus, {{0, {1, 1}, "1"}}, opts_, log_);
  EXPECT_FALSE(o.fenced());
  for (const std::string& line : *journal_) EXPECT_THAT(line, ::testing::Not(HasSubstr("=1")));
}

TEST_F(PowerTest, PowerWaitPausesAfterAVerifiedSwitch) {
  opts_.power_wait = milliseconds(3000);
  PduSet pdus = Open(1);
  ASSERT_TRUE(SwitchAll(host_, pdus, {{0, {1, 1}, "1"}}, true, opts_, log_).ok());
  EXPECT_EQ(host_.total_slept(), milliseconds(3000));
}

}  // namespace
}  // namespace san::fence
