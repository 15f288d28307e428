// Every wait of the fence agent has a ceiling and all of them share the operation's deadline:
// option ceilings (refused above them), empty options meaning their defaults, and a silent PDU or
// stonith proxy that ends the action at operation_timeout on the fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/fence/agent.h"
#include "libsan/fence/proxy_client.h"
#include "libsan/host/fake_host.h"
#include "tests/support/fake_apc_pdu.h"

namespace san::fence {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class FenceBoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::vector<OptionSpec>> s = ParseOptionSpecs(AgentMetadataXml());
    ASSERT_TRUE(s.ok());
    specs_ = *s;
    a_.community = "private";
    testing::MakeApcPdu(a_, PduModel::Kind::kRackPdu, {"node1", "node2"}, &fa_);
    deps_.host = &host_;
    deps_.snmp = snmp::FakeFactory({{"192.0.2.10:161", &a_}}, &host_);
    deps_.log = &log_;
  }
  Result<FenceRequest> Build(const std::string& text) {
    Result<Values> v = ParseStdin(text, specs_, nullptr);
    if (!v.ok()) return v.status();
    return BuildRequest(*v, specs_, host_);
  }
  AgentResult Run(const std::string& text) {
    Result<FenceRequest> r = Build(text);
    if (!r.ok()) return Failure(r.status());
    return RunAction(*r, deps_);
  }
  static constexpr char kPdu[] = "ip=192.0.2.10\ncommunity=private\nplug=1\n";

  std::vector<OptionSpec> specs_;
  FakeHost host_;
  MemoryLogger log_;
  snmp::FakeSnmpAgent a_{"pdu1"};
  testing::PduFaults fa_;
  AgentDeps deps_;
};

TEST_F(FenceBoundsTest, WaitsAboveTheirCeilingsAreRefusedNamingTheOption) {
  const char* cases[][2] = {
      {"snmp_timeout=1000", "snmp_timeout=1000 is out of range: 0.01 s to 30 s"},
      {"snmp_timeout=0.001", "snmp_timeout=0.001 is out of range"},
      {"snmp_timeout=30.001", "snmp_timeout=30.001 is out of range"},
      {"snmp_timeout=99999999999999.5", "snmp_timeout"},
      {"snmp_timeout=999999999999h", "snmp_timeout"},
      {"snmp_retries=11", "snmp_retries=11 is out of range: 0 to 10"},
      {"snmp_retries=-1", "snmp_retries=-1 is out of range"},
      {"snmp_retries=99999999999999999999", "snmp_retries=99999999999999999999 is out of range"},
      {"power_timeout=301", "power_timeout=301 is out of range: 0 s to 300 s"},
      {"power_wait=61", "power_wait=61 is out of range"},
      {"operation_timeout=0.5", "operation_timeout=0.5 is out of range: 1 s to 600 s"},
      {"operation_timeout=601", "operation_timeout=601 is out of range"},
      {"delay=50", "delay=50 leaves no time for fencing within operation_timeout"},
      {"delay=5\noperation_timeout=5", "delay=5 leaves no time"},
      {"ipport=0", "ipport=0 is out of range: 1 to 65535"},
      {"ipport=99999999999999999999", "ipport=99999999999999999999 is out of range"},
  };
  for (const auto& c : cases) {
    Result<FenceRequest> r = Build(std::string(kPdu) + "action=off\n" + c[0] + "\n");
    ASSERT_FALSE(r.ok()) << c[0];
    EXPECT_EQ(r.status().code(), Code::kInvalidConfig) << c[0];
    EXPECT_THAT(r.status().message(), HasSubstr(c[1])) << c[0];
  }
  std::printf("refused bound cases: %zu\n", std::size(cases));
}

TEST_F(FenceBoundsTest, TheCeilingsThemselvesAreAccepted) {
  Result<FenceRequest> r = Build(std::string(kPdu) +
                                 "action=off\nsnmp_timeout=30\nsnmp_retries=10\npower_timeout=300\n"
                                 "power_wait=60\noperation_timeout=600\ndelay=599.999\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->operation_timeout, std::chrono::minutes(10));
  EXPECT_EQ(r->pdus[0].timeout, std::chrono::seconds(30));
  EXPECT_EQ(r->pdus[0].retries, 10);
}

// Every option of the metadata given as "key=" builds the same request as when it is absent.
TEST_F(FenceBoundsTest, EveryOptionGivenEmptyMeansItsDefault) {
  const std::string base = std::string(kPdu) + "action=off\n";
  Result<FenceRequest> plain = Build(base);
  ASSERT_TRUE(plain.ok());
  int cases = 0;
  for (const OptionSpec& s : specs_) {
    if (s.name == "action" || s.name == "plug" || s.name == "ip" || s.name == "community") continue;
    ++cases;
    Result<FenceRequest> r = Build(base + s.name + "=\n");
    ASSERT_TRUE(r.ok()) << s.name << "=: " << r.status().ToString();
    EXPECT_EQ(r->operation_timeout, plain->operation_timeout) << s.name;
    EXPECT_EQ(r->delay, plain->delay) << s.name;
    EXPECT_EQ(r->power.power_timeout, plain->power.power_timeout) << s.name;
    EXPECT_EQ(r->power.power_wait, plain->power.power_wait) << s.name;
    EXPECT_EQ(r->plug_separator, plain->plug_separator) << s.name;
    EXPECT_EQ(r->ssh_proxy_host, plain->ssh_proxy_host) << s.name;
    EXPECT_EQ(r->verbose, plain->verbose) << s.name;
    ASSERT_EQ(r->pdus.size(), 1u) << s.name;
    EXPECT_EQ(r->pdus[0].port, plain->pdus[0].port) << s.name;
    EXPECT_EQ(r->pdus[0].timeout, plain->pdus[0].timeout) << s.name;
    EXPECT_EQ(r->pdus[0].retries, plain->pdus[0].retries) << s.name;
    EXPECT_EQ(r->pdus[0].version, plain->pdus[0].version) << s.name;
    EXPECT_EQ(r->pdus[0].community, plain->pdus[0].community) << s.name;
  }
  std::printf("empty fence option cases: %d\n", cases);
  EXPECT_GT(cases, 25);
  // "community=" is the default community, and does not imply v2c either.
  Result<FenceRequest> r = Build("ip=192.0.2.10\nplug=1\naction=off\ncommunity=\nsnmp_version=\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pdus[0].community, "private");
  EXPECT_EQ(r->pdus[0].version, snmp::Version::kV1);
  // An empty new name never hides the deprecated one given too.
  r = Build("ipaddr=192.0.2.10\nip=\nport=2\nplug=\naction=off\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->plug, "2");
  EXPECT_EQ(r->pdu_hosts, std::vector<std::string>{"192.0.2.10"});
  // A required option given empty is missing.
  EXPECT_THAT(Build("ip=192.0.2.10\nplug=\naction=off\n").status().message(),
              HasSubstr("plug (or port) is required"));
}

// Regression: an off against a silent PDU ran > 10 minutes. With the largest waits allowed, the
// action ends at operation_timeout (fake clock), names the PDU and says the bound was reached.
TEST_F(FenceBoundsTest, SilentPduEndsAtOperationTimeout) {
  a_.dead = true;
  for (const char* action : {"off", "on", "reboot", "status", "list", "monitor"}) {
    host_ = FakeHost();
    const Clock::time_point start = host_.Now();
    AgentResult r = Run(std::string(kPdu) + "action=" + action +
                        "\nsnmp_timeout=30\nsnmp_retries=10\npower_timeout=300\n"
                        "operation_timeout=7\n");
    EXPECT_EQ(r.exit_code, kExitFailed) << action;
    EXPECT_THAT(r.error, StartsWith("Failed: operation_timeout (7 s) reached: PDU 192.0.2.10:161"))
        << action;
    EXPECT_GE(host_.Now() - start, std::chrono::seconds(7)) << action;
    EXPECT_LE(host_.Now() - start, std::chrono::milliseconds(7010)) << action;
    EXPECT_FALSE(host_.deadline().has_value()) << action;  // restored afterwards
  }
}

// A PDU that answers but whose relay never moves: the read-back ends at the operation deadline
// even though power_timeout is longer, and the delay counts against the same bound.
TEST_F(FenceBoundsTest, StuckOutletReadBackEndsAtTheOperationDeadline) {
  fa_.stuck.insert(1);
  const Clock::time_point start = host_.Now();
  AgentResult r =
      Run(std::string(kPdu) + "action=off\ndelay=2\npower_timeout=300\noperation_timeout=5\n");
  EXPECT_EQ(r.exit_code, kExitFailed);
  EXPECT_THAT(r.error, HasSubstr("operation_timeout (5 s) reached: outlet(s) 1 not read back off "
                                 "within the operation deadline"));
  EXPECT_GE(host_.Now() - start, std::chrono::seconds(5));
  EXPECT_LE(host_.Now() - start, std::chrono::milliseconds(5200));
}

TEST_F(FenceBoundsTest, WithinTheBoundNothingChanges) {
  AgentResult r = Run(std::string(kPdu) + "action=off\noperation_timeout=1\n");
  EXPECT_EQ(r.exit_code, kExitOk) << r.error;
  EXPECT_EQ(r.out, "Success: Powered OFF\n");
}

// The stonith proxy leg gets the same deadline: connect, handshake, auth and each read end there.
TEST_F(FenceBoundsTest, ProxyConnectionCarriesTheOperationDeadline) {
  remote::SshTarget seen;
  deps_.ssh = [&](const remote::SshTarget& t) -> Result<std::unique_ptr<remote::SshSession>> {
    seen = t;
    host_.Advance(std::chrono::seconds(4));  // the peer never answered: the session gave up
    return Status::Timeout(
        "stonith proxy proxy.example (SSH handshake): operation deadline reached");
  };
  const Clock::time_point start = host_.Now();
  AgentResult r =
      Run("action=off\nplug=node2\nssh_proxy=proxy.example\noperation_timeout=4\n"
          "ssh_connect_timeout=60\n");
  ASSERT_TRUE(seen.deadline.has_value());
  EXPECT_EQ(*seen.deadline, start + std::chrono::seconds(4));
  EXPECT_EQ(seen.connect_timeout, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, kExitFailed);
  EXPECT_THAT(r.error, StartsWith("Failed: operation_timeout (4 s) reached: stonith proxy"));
}

TEST(SnmpBudgetTest, TriesAreCutToEndAtTheDeadline) {
  using std::chrono::milliseconds;
  const auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  snmp::Target t;
  t.host = "192.0.2.1";
  t.timeout = milliseconds(1000);
  t.retries = 4;
  Result<snmp::RequestBudget> b = snmp::BudgetFor(t, now, "GET x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->timeout, milliseconds(1000));  // no deadline: as configured
  EXPECT_EQ(b->retries, 4);
  EXPECT_FALSE(b->cut);

  t.deadline = now + milliseconds(10'000);  // all five tries fit
  b = snmp::BudgetFor(t, now, "GET x");
  EXPECT_FALSE(b->cut);
  EXPECT_EQ(b->retries, 4);

  t.deadline = now + milliseconds(2500);  // two fit, stretched to end at the deadline
  b = snmp::BudgetFor(t, now, "GET x");
  EXPECT_TRUE(b->cut);
  EXPECT_EQ(b->retries, 1);
  EXPECT_GE(b->timeout * (b->retries + 1), milliseconds(2500));
  EXPECT_LE(b->timeout * (b->retries + 1), milliseconds(2504));

  t.deadline = now + milliseconds(300);  // not even one: one shortened try
  b = snmp::BudgetFor(t, now, "GET x");
  EXPECT_TRUE(b->cut);
  EXPECT_EQ(b->retries, 0);
  EXPECT_GE(b->timeout, milliseconds(300));
  EXPECT_LE(b->timeout, milliseconds(302));

  t.deadline = now;  // nothing left: refused at once
  b = snmp::BudgetFor(t, now, "GET x");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kTimeout);
  EXPECT_THAT(b.status().message(), HasSubstr("operation deadline reached before GET x"));
}

TEST(ParseSecondsBoundsTest, HugeValuesNeverOverflow) {
  for (const char* text : {"99999999999999.5", "9223372036854775807.999", "1.", ".5", "1.-5",
                           "1.+5", "1. 5", "999999999999h"}) {
    EXPECT_FALSE(ParseSeconds(text).ok()) << text;
  }
  EXPECT_EQ(*ParseSeconds("600.5"), std::chrono::milliseconds(600'500));
}

}  // namespace
}  // namespace san::fence
