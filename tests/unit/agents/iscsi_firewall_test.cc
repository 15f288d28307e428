// iscsi-firewall through the real OCF front and meta-data, on FakeHost with a simulated iptables:
// portblock semantics, idempotence, monitor truthfulness, refusal of bad values before any command.
#include "libsan/agents/iscsi_firewall.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/fake_iptables.h"

namespace san::agents::iscsi_firewall {
namespace {

using ::testing::HasSubstr;

class IscsiFirewallTest : public ::testing::Test {
 protected:
  IscsiFirewallTest() : agent_("iscsi-firewall"), iptables_(host_) {
    agent_.OnValidate(Validate).OnStart(Start).OnStop(Stop).OnMonitor(Monitor);
    empty4_ = iptables_.Save("iptables");
    empty6_ = iptables_.Save("ip6tables");
  }

  ocf::Outcome Run(const std::string& action, std::map<std::string, std::string> params,
                   bool recurring = false) {
    std::map<std::string, std::string> env = {
        {"OCF_ROOT", "/usr/lib/ocf"}, {"OCF_RESOURCE_INSTANCE", "fw"}, {"HA_RSCTMP", "/run/rsc"}};
    if (!params.count("backend")) params["backend"] = "iptables";
    for (const auto& [k, v] : params) env["OCF_RESKEY_" + k] = v;
    if (recurring) env["OCF_RESKEY_CRM_meta_interval"] = "10000";
    return agent_.Execute({action}, env, host_, &log_);
  }

  // Tampering from outside, as an administrator's script would.
  bool RunIptables(std::vector<std::string> argv) {
    Command cmd;
    cmd.argv = std::move(argv);
    Result<Output> r = host_.Run(cmd);
    return r.ok() && r->exit_code == 0;
  }

  bool Clean() {
    return iptables_.Save("iptables") == empty4_ && iptables_.Save("ip6tables") == empty6_;
  }

  ocf::Agent agent_;
  FakeHost host_;
  testing::FakeIptables iptables_;
  MemoryLogger log_;
  std::string empty4_, empty6_;
};

TEST_F(IscsiFirewallTest, BlockStartMonitorStopCycle) {
  const std::map<std::string, std::string> p = {{"action", "block"}};
  EXPECT_EQ(Run("monitor", p).exit_code, 7);
  EXPECT_EQ(Run("start", p).exit_code, 0);
  // A DROP rule for each family plus the jump from INPUT.
  EXPECT_EQ(iptables_.RuleCount("iptables"), 2u);
  EXPECT_EQ(iptables_.RuleCount("ip6tables"), 2u);
  EXPECT_THAT(iptables_.Save("iptables"), HasSubstr("-A INPUT -j sanha-iscsi\n"));
  EXPECT_THAT(iptables_.Save("iptables"),
              HasSubstr("-A sanha-iscsi -p tcp -m tcp --dport 3260 -j DROP\n"));
  EXPECT_EQ(Run("monitor", p).exit_code, 0);
  std::string before = iptables_.Save("iptables");
  EXPECT_EQ(Run("start", p).exit_code, 0);
  EXPECT_EQ(iptables_.Save("iptables"), before) << "second start must not add duplicates";
  EXPECT_EQ(Run("stop", p).exit_code, 0);
  EXPECT_TRUE(Clean()) << iptables_.Save("iptables");
  EXPECT_EQ(Run("stop", p).exit_code, 0);
  EXPECT_EQ(Run("monitor", p, /*recurring=*/true).exit_code, 7);
}

TEST_F(IscsiFirewallTest, UnblockIsTheReverseOfBlock) {
  const std::map<std::string, std::string> p = {{"action", "unblock"}, {"ip", "192.0.2.1"}};
  EXPECT_EQ(Run("monitor", p).exit_code, 7);
  EXPECT_EQ(Run("start", p).exit_code, 0);
  EXPECT_TRUE(Clean());
  EXPECT_EQ(Run("monitor", p).exit_code, 0);
  EXPECT_EQ(Run("stop", p).exit_code, 0);
  EXPECT_THAT(iptables_.Save("iptables"),
              HasSubstr("-A sanha-iscsi -d 192.0.2.1/32 -p tcp -m tcp --dport 3260 -j DROP\n"));
  EXPECT_EQ(iptables_.Save("ip6tables"), empty6_) << "an IPv4 address needs no IPv6 rule";
  EXPECT_EQ(Run("monitor", p).exit_code, 7);
  EXPECT_EQ(Run("start", p).exit_code, 0);
  EXPECT_TRUE(Clean());
}

TEST_F(IscsiFirewallTest, UnblockActiveButTrafficBlockedIsAnError) {
  const std::map<std::string, std::string> p = {{"action", "unblock"}, {"ip", "192.0.2.1"}};
  ASSERT_EQ(Run("start", p).exit_code, 0);
  ASSERT_EQ(Run("start", {{"action", "block"}, {"ip", "192.0.2.1"}}).exit_code, 0);
  ocf::Outcome o = Run("monitor", p, true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:traffic is blocked although unblock is active"));
}

TEST_F(IscsiFirewallTest, RulesRemovedBehindOurBack) {
  const std::map<std::string, std::string> p = {{"action", "block"}, {"ip", "192.0.2.1"}};
  ASSERT_EQ(Run("start", p).exit_code, 0);
  ASSERT_TRUE(RunIptables({"iptables", "-F", "sanha-iscsi"}));
  ocf::Outcome o = Run("monitor", p, /*recurring=*/true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("removed behind our back"));
  EXPECT_EQ(Run("monitor", p).exit_code, 7) << "a probe reports the truth: not running";
  EXPECT_EQ(Run("stop", p).exit_code, 0);
  EXPECT_TRUE(Clean());
}

TEST_F(IscsiFirewallTest, PartialBlockIsAnError) {
  const std::map<std::string, std::string> p = {{"action", "block"}, {"port", "3260,3261"}};
  ASSERT_EQ(Run("start", p).exit_code, 0);
  ASSERT_TRUE(RunIptables({"iptables", "-D", "sanha-iscsi", "-p", "tcp", "-m", "tcp", "--dport",
                           "3261", "-j", "DROP"}));
  ocf::Outcome o = Run("monitor", p);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("partially blocked"));
  EXPECT_THAT(o.err, HasSubstr("3261"));
  EXPECT_EQ(Run("start", p).exit_code, 0) << "start repairs a partial block";
  EXPECT_EQ(Run("monitor", p).exit_code, 0);
}

TEST_F(IscsiFirewallTest, IptablesFailureIsReported) {
  iptables_.FailChanges(100);
  ocf::Outcome o = Run("start", {{"action", "block"}});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:"));
  EXPECT_THAT(o.err, HasSubstr("Resource temporarily unavailable"));
}

TEST_F(IscsiFirewallTest, HostileValuesAreRefusedBeforeAnyCommand) {
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"ip", "192.0.2.1;reboot"},
      {"ip", "$(touch /tmp/x)"},
      {"ip", "10.0.0.1/8"},
      {"ip", "192.0.2.256"},
      {"source", "`id`"},
      {"port", "3260;ls"},
      {"port", "0"},
      {"port", "70000"},
      {"port", "3270:3260"},
      {"protocol", "icmp"},
      {"protocol", "tcp -j ACCEPT"},
      {"backend", "ipfw"},
      {"chain", "INPUT -j ACCEPT"},
      {"chain", "-F"},
      {"chain", std::string(29, 'c')},
      {"action", "blockx"},
      {"ip", std::string(5000, '1')},
      {"ip", "192.0.2.1\n-j ACCEPT"},
  };
  for (const auto& [name, value] : hostile) {
    for (const char* action : {"start", "stop", "monitor", "validate-all"}) {
      std::map<std::string, std::string> p = {{"action", "block"}};
      p[name] = value;
      ocf::Outcome o = Run(action, p);
      EXPECT_EQ(o.exit_code, 6) << name << "=" << value << " " << action;
      EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    }
  }
  EXPECT_TRUE(host_.commands_run().empty()) << "nothing may run for a bad configuration";
}

TEST_F(IscsiFirewallTest, MissingFirewallProgramFollowsBrokenEnvironmentRules) {
  FakeHost bare;
  bare.SetDefault([](const Command&) -> Result<Output> {
    return Status::NotInstalled("program 'iptables' not found");
  });
  std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                            {"OCF_RESKEY_action", "block"},
                                            {"OCF_RESKEY_backend", "iptables"}};
  EXPECT_EQ(agent_.Execute({"stop"}, env, bare, &log_).exit_code, 0);
  EXPECT_EQ(agent_.Execute({"monitor"}, env, bare, &log_).exit_code, 7);
  EXPECT_EQ(agent_.Execute({"start"}, env, bare, &log_).exit_code, 5);
}

TEST_F(IscsiFirewallTest, LoadConfigParsesEverything) {
  ocf::Params params;
  params.SetForTest("action", "unblock");
  params.SetForTest("ip", "192.0.2.1, 2001:db8::/32");
  params.SetForTest("source", "");
  params.SetForTest("port", "3260,3300:3310");
  params.SetForTest("protocol", "tcp");
  params.SetForTest("backend", "nft");
  params.SetForTest("chain", "iscsi");
  Result<Config> cfg = LoadConfig(params);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_FALSE(cfg->block_on_start);
  EXPECT_EQ(cfg->spec.destinations.size(), 2u);
  EXPECT_EQ(cfg->spec.ports.size(), 2u);
  EXPECT_EQ(cfg->backend, firewall::BackendKind::kNft);
  EXPECT_EQ(cfg->spec.chain, "iscsi");
}

}  // namespace
}  // namespace san::agents::iscsi_firewall
