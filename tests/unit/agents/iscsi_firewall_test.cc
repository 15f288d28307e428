// iscsi-firewall through the real OCF front and meta-data, on FakeHost with a simulated iptables:
// portblock semantics, idempotence, monitor truthfulness, refusal of bad values before any command,
// the block/unblock pair as Pacemaker runs it, and a broken HA_RSCTMP.
#include "libsan/agents/iscsi_firewall.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/firewall/hold_state.h"
#include "libsan/firewall/tickle_file.h"
#include "libsan/host/fake_host.h"
#include "libsan/net/fake_packet_sender.h"
#include "tests/support/fake_iptables.h"
#include "tests/support/test_data.h"

namespace san::agents::iscsi_firewall {
namespace {

using ::testing::HasSubstr;

// A FakeHost whose state directory can be broken the way RealHost reports it: HA_RSCTMP is a
// plain file, so every path below it fails with ENOTDIR (RealHost maps that to Internal).
class StateDirHost : public FakeHost {
 public:
  void BreakBelow(std::string dir) { broken_ = std::move(dir) + "/"; }
  void Repair() { broken_.clear(); }

  // Called before every ReadFile (a test makes another process act at exactly that moment).
  void OnRead(std::function<void(const std::string&)> hook) { on_read_ = std::move(hook); }

  Result<std::string> ReadFile(const std::string& path) override {
    if (on_read_) on_read_(path);
    if (Broken(path)) return Fail("cannot open " + path);
    return FakeHost::ReadFile(path);
  }
  Status WriteFileAtomically(const std::string& path, std::string_view data) override {
    if (Broken(path)) return Fail("cannot create " + path + ".tmp.1");
    return FakeHost::WriteFileAtomically(path, data);
  }
  Status RemoveFile(const std::string& path) override {
    if (Broken(path)) return Fail("cannot remove " + path);
    return FakeHost::RemoveFile(path);
  }
  Status MakeDirectories(const std::string& path, unsigned mode) override {
    if (Broken(path + "/")) return Status::Internal(broken_ + " exists and is not a directory");
    return FakeHost::MakeDirectories(path, mode);
  }
  Result<FileInfo> Stat(const std::string& path) override {
    if (Broken(path)) return Fail("cannot stat " + path);
    return FakeHost::Stat(path);
  }

 private:
  bool Broken(const std::string& path) const {
    return !broken_.empty() && path.compare(0, broken_.size(), broken_) == 0;
  }
  static Status Fail(const std::string& what) {
    return Status::Internal(what + ": Not a directory");
  }
  std::string broken_;
  std::function<void(const std::string&)> on_read_;
};

// Hands packets to the test's FakePacketSender (the agent owns the sender it is given).
class ForwardingSender : public net::PacketSender {
 public:
  explicit ForwardingSender(net::FakePacketSender* to) : to_(to) {}
  Status Send(const net::Endpoint& to, std::string_view packet) override {
    return to_->Send(to, packet);
  }

 private:
  net::FakePacketSender* to_;
};

class IscsiFirewallTest : public ::testing::Test {
 protected:
  IscsiFirewallTest() : agent_("iscsi-firewall"), iptables_(host_) {
    agent_.OnValidate(Validate).OnStop(Stop).OnMonitor(Monitor);
    agent_.OnStart([this](ocf::Context& ctx) {
      return StartWith(ctx, [this] {
        ++senders_made_;
        return std::unique_ptr<net::PacketSender>(new ForwardingSender(&sender_));
      });
    });
    empty4_ = iptables_.Save("iptables");
    empty6_ = iptables_.Save("ip6tables");
  }

  ocf::Outcome Run(const std::string& action, std::map<std::string, std::string> params,
                   bool recurring = false, const std::string& instance = "fw") {
    std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                              {"OCF_RESOURCE_INSTANCE", instance},
                                              {"HA_RSCTMP", "/run/rsc"}};
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

  // The pair of the documented group: both on the same ip, port and chain.
  ocf::Outcome Block(const std::string& action, bool recurring = false) {
    return Run(action, {{"action", "block"}, {"ip", "192.0.2.1"}}, recurring, "fw-block");
  }
  ocf::Outcome Unblock(const std::string& action, bool recurring = false) {
    return Run(action, {{"action", "unblock"}, {"ip", "192.0.2.1"}}, recurring, "fw-unblock");
  }
  std::string Rules() { return iptables_.Save("iptables"); }
  bool Blocked() {
    return Rules().find("-A sanha-iscsi -d 192.0.2.1/32 -p tcp -m tcp --dport 3260 -j DROP") !=
           std::string::npos;
  }
  std::vector<std::string> StateFiles() {
    Result<std::vector<std::string>> names = host_.ListDirectory("/run/rsc");
    return names.ok() ? *names : std::vector<std::string>{};
  }
  void Reboot(const std::string& boot_id) {
    host_.SetFile("/proc/sys/kernel/random/boot_id", boot_id + "\n");
    // The kernel's ruleset does not survive a reboot either.
    RunIptables({"iptables", "-D", "INPUT", "-j", "sanha-iscsi"});
    RunIptables({"iptables", "-F", "sanha-iscsi"});
    RunIptables({"iptables", "-X", "sanha-iscsi"});
  }

  ocf::Agent agent_;
  net::FakePacketSender sender_;
  int senders_made_ = 0;
  StateDirHost host_;
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
  // An administrator's (or a stray script's) DROP: a block instance would never add it while its
  // unblock partner runs (see RefreshOfTheBlockInstance...).
  ASSERT_TRUE(RunIptables({"iptables", "-w", "-N", "sanha-iscsi"}));
  ASSERT_TRUE(RunIptables({"iptables", "-w", "-I", "INPUT", "1", "-j", "sanha-iscsi"}));
  ASSERT_TRUE(RunIptables({"iptables", "-w", "-A", "sanha-iscsi", "-d", "192.0.2.1/32", "-p", "tcp",
                           "-m", "tcp", "--dport", "3260", "-j", "DROP"}));
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

// --- The block/unblock pair, in the exact order Pacemaker runs the documented group ------------

TEST_F(IscsiFirewallTest, PairNeverFailsBecauseThePartnerDidItsJob) {
  host_.SetFile("/proc/sys/kernel/random/boot_id", "boot-1\n");
  EXPECT_EQ(Block("monitor").exit_code, 7);  // probes before anything runs
  EXPECT_EQ(Unblock("monitor").exit_code, 7);
  ASSERT_EQ(Block("start").exit_code, 0);
  EXPECT_TRUE(Blocked());
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
  host_.Advance(milliseconds(500));  // IPaddr2, iet-target start
  ASSERT_EQ(Unblock("start").exit_code, 0);
  EXPECT_FALSE(Blocked());
  for (int i = 0; i < 5; ++i) {
    host_.Advance(milliseconds(10'000));
    ocf::Outcome o = Block("monitor", /*recurring=*/true);
    EXPECT_EQ(o.exit_code, 0) << "block monitor #" << i << ": " << o.err;
    EXPECT_EQ(Unblock("monitor", true).exit_code, 0);
  }
  // crm resource refresh of the whole group, then of the block instance alone.
  EXPECT_EQ(Block("monitor").exit_code, 0) << "a re-probe must not report the block stopped";
  EXPECT_EQ(Unblock("monitor").exit_code, 0);
  EXPECT_EQ(Block("monitor").exit_code, 0);
  EXPECT_FALSE(Blocked()) << "nothing re-blocks under a running target";
  // Group stop: the unblock instance first (re-adds the block), then the block instance.
  ASSERT_EQ(Unblock("stop").exit_code, 0);
  EXPECT_TRUE(Blocked());
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
  ASSERT_EQ(Block("stop").exit_code, 0);
  EXPECT_TRUE(Clean()) << Rules();
  EXPECT_TRUE(StateFiles().empty()) << ::testing::PrintToString(StateFiles());
  EXPECT_EQ(Block("monitor").exit_code, 7);
  EXPECT_EQ(Unblock("monitor").exit_code, 7);
}

TEST_F(IscsiFirewallTest, TamperingIsStillDetectedWhenNoPartnerLiftedTheBlock) {
  ASSERT_EQ(Block("start").exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  ASSERT_EQ(Unblock("stop").exit_code, 0);  // the partner stopped: its lift no longer counts
  ASSERT_TRUE(Blocked());
  ASSERT_TRUE(RunIptables({"iptables", "-F", "sanha-iscsi"}));
  ocf::Outcome o = Block("monitor", true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("removed behind our back"));
  EXPECT_EQ(Block("monitor").exit_code, 7) << "a probe tells the truth";
}

TEST_F(IscsiFirewallTest, ALiftOlderThanTheBlockOrWithoutItsPartnerDoesNotCount) {
  host_.SetFile("/proc/sys/kernel/random/boot_id", "b\n");
  ASSERT_EQ(Unblock("start").exit_code, 0);
  const std::string lift_name = [&] {
    for (const std::string& n : StateFiles())
      if (n.find("-lift.") != std::string::npos) return n;
    return std::string();
  }();
  ASSERT_FALSE(lift_name.empty());
  const std::string lift = "/run/rsc/" + lift_name;
  const std::string partner = "/run/rsc/sanha-iscsi-firewall-fw-unblock.state";
  ASSERT_TRUE(host_.HasFile(partner));
  ASSERT_EQ(Unblock("stop").exit_code, 0);
  host_.Advance(milliseconds(1000));
  ASSERT_EQ(Block("start").exit_code, 0);
  ASSERT_TRUE(RunIptables({"iptables", "-F", "sanha-iscsi"}));
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(host_.Now().time_since_epoch()).count();
  // A lift from before our block, by a partner that is still "started".
  host_.SetFile(partner, firewall::FormatHoldRecord({"b", now - 5'000'000'000, ""}));
  host_.SetFile(lift, firewall::FormatHoldRecord({"b", now - 4'000'000'000, partner}));
  EXPECT_EQ(Block("monitor", true).exit_code, 1) << "a lift older than our block";
  // A fresh lift whose partner record is gone (stopped, or never existed).
  host_.SetFile(lift, firewall::FormatHoldRecord({"b", now, partner}));
  ASSERT_TRUE(host_.RemoveFile(partner).ok());
  EXPECT_EQ(Block("monitor", true).exit_code, 1) << "a lift by a stopped partner";
  // A partner path pointing outside the state directory is never followed.
  host_.SetFile("/etc/sanha-iscsi-firewall-x.state", firewall::FormatHoldRecord({"b", now, ""}));
  host_.SetFile(lift, firewall::FormatHoldRecord({"b", now, "/etc/sanha-iscsi-firewall-x.state"}));
  EXPECT_EQ(Block("monitor", true).exit_code, 1) << "a partner outside HA_RSCTMP";
  // A lift of the previous boot.
  host_.SetFile(partner, firewall::FormatHoldRecord({"a", now, ""}));
  host_.SetFile(lift, firewall::FormatHoldRecord({"a", now, partner}));
  EXPECT_EQ(Block("monitor", true).exit_code, 1) << "a lift of another boot";
  // The genuine thing: this boot, after our start, by a started partner.
  host_.SetFile(partner, firewall::FormatHoldRecord({"b", now, ""}));
  host_.SetFile(lift, firewall::FormatHoldRecord({"b", now, partner}));
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
}

TEST_F(IscsiFirewallTest, RefreshOfTheBlockInstanceAfterItsStateWasLostDoesNotReBlock) {
  ASSERT_EQ(Block("start").exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  ASSERT_TRUE(host_.RemoveFile("/run/rsc/sanha-iscsi-firewall-fw-block.state").ok());
  EXPECT_EQ(Block("monitor").exit_code, 7);
  // Pacemaker starts it: the unblock half still runs, so the service behind it is up.
  ocf::Outcome o = Block("start");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(Blocked()) << "a block start must not stall a running target";
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
  EXPECT_EQ(Unblock("monitor", true).exit_code, 0);
  ASSERT_EQ(Unblock("stop").exit_code, 0);
  ASSERT_EQ(Block("stop").exit_code, 0);
  EXPECT_TRUE(Clean());
}

TEST_F(IscsiFirewallTest, AfterARebootProbesSayNotRunningEvenWithStaleState) {
  host_.SetFile("/proc/sys/kernel/random/boot_id", "boot-1\n");
  ASSERT_EQ(Block("start").exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  // HA_RSCTMP is normally tmpfs; here it survived (a persistent directory), the rules did not.
  Reboot("boot-2");
  EXPECT_EQ(Block("monitor").exit_code, 7);
  EXPECT_EQ(Unblock("monitor").exit_code, 7) << "a stale unblock record is not 'running'";
  EXPECT_EQ(Block("monitor", true).exit_code, 7);
  // The group starts here again: the stale lift must not stop the block from holding traffic.
  ASSERT_EQ(Block("start").exit_code, 0);
  EXPECT_TRUE(Blocked());
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
}

TEST_F(IscsiFirewallTest, FailoverToAFreshNodeBlocksUntilItsOwnUnblockRuns) {
  // Node B has its own HA_RSCTMP: nothing of node A's pair is visible there.
  ASSERT_EQ(Run("start", {{"action", "block"}, {"ip", "192.0.2.1"}}, false, "fw-block").exit_code,
            0);
  EXPECT_TRUE(Blocked());
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  EXPECT_FALSE(Blocked());
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
}

// --- A broken HA_RSCTMP (issue: stop failed after the rules were gone) ----------------------

TEST_F(IscsiFirewallTest, StopSucceedsWithABrokenStateDirectoryWhenTheRulesAreRight) {
  ASSERT_EQ(Block("start").exit_code, 0);
  host_.BreakBelow("/run/rsc");
  ocf::Outcome o = Block("stop");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:stopped, but the state file stays"));
  EXPECT_TRUE(Clean());
  EXPECT_EQ(Block("stop").exit_code, 0) << "a second stop too";
  // unblock stop re-blocks; only bookkeeping fails.
  host_.Repair();
  ASSERT_EQ(Unblock("start").exit_code, 0);
  host_.BreakBelow("/run/rsc");
  o = Unblock("stop");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(Blocked());
}

TEST_F(IscsiFirewallTest, MonitorsAndStartWithABrokenStateDirectory) {
  ASSERT_EQ(Unblock("start").exit_code, 0);
  host_.BreakBelow("/run/rsc");
  EXPECT_EQ(Unblock("monitor").exit_code, 7) << "probe: broken environment means not running";
  ocf::Outcome o = Unblock("monitor", true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot read the unblock state"));
  EXPECT_EQ(Block("monitor").exit_code, 7);
  o = Block("monitor", true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("state is unreadable"));
  // A start that cannot keep its state changes no rule.
  const std::string before = Rules();
  o = Block("start");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:cannot keep state in /run/rsc (HA_RSCTMP)"));
  EXPECT_EQ(Rules(), before);
  host_.Repair();
  ASSERT_EQ(Run("start", {{"action", "block"}, {"ip", "192.0.2.9"}}).exit_code, 0);
  host_.BreakBelow("/run/rsc");
  EXPECT_EQ(Run("monitor", {{"action", "block"}, {"ip", "192.0.2.9"}}, true).exit_code, 0)
      << "rules in place need no state";
}

// --- Tickle ACKs ---------------------------------------------------------------------------------

class IscsiFirewallTickleTest : public IscsiFirewallTest {
 protected:
  IscsiFirewallTickleTest() {
    host_.SetFile("/proc/net/tcp", san::testing::ReadTestData("proc-net/tcp_established.txt"));
    host_.SetFile("/proc/net/tcp6", san::testing::ReadTestData("proc-net/tcp6_established.txt"));
    EXPECT_TRUE(host_.MakeDirectories("/shared/tickle", 0755).ok());
  }
  std::map<std::string, std::string> Params(const std::string& node) {
    return {{"action", "unblock"},
            {"ip", "192.0.2.1"},
            {"tickle_dir", "/shared/tickle/"},
            {"CRM_meta_on_node", node}};
  }
  std::string FileOf(const std::string& node) {
    Result<std::vector<std::string>> names = host_.ListDirectory("/shared/tickle");
    if (!names.ok()) return "";
    for (const std::string& n : *names)
      if (n.size() > node.size() && n.ends_with("." + node))
        return host_.FileContent("/shared/tickle/" + n);
    return "";
  }
  std::string PathFor(const std::string& node) {
    Result<std::vector<std::string>> names = host_.ListDirectory("/shared/tickle");
    std::string key;
    for (const std::string& n : *names) key = n.substr(0, n.rfind('.'));
    return "/shared/tickle/" + key + "." + node;
  }
  std::vector<std::string> Targets() {
    std::vector<std::string> out;
    for (const auto& s : sender_.sent()) out.push_back(s.to.ToString());
    return out;
  }
};

TEST_F(IscsiFirewallTickleTest, RecordsOnStartAndMonitorAndTicklesOnTheNextNode) {
  ASSERT_EQ(Run("start", Params("nodea"), false, "u").exit_code, 0);
  EXPECT_EQ(senders_made_, 0) << "nothing recorded yet: no raw socket opened";
  // Only connections to 192.0.2.1:3260, not the initiator side of the local test connections.
  EXPECT_EQ(FileOf("nodea"),
            "sanha-tickle 1\n192.0.2.1 3260 192.0.2.1 59760\n192.0.2.1 3260 192.0.2.1 59772\n");
  host_.SetFile("/proc/net/tcp", san::testing::ReadTestData("proc-net/tcp_established.txt") +
                                     "   9: 010200C0:0CBC 320200C0:9C40 01 00000000:00000000 "
                                     "00:00000000 00000000     0        0 1 1 0 20 4 30 10 -1\n");
  EXPECT_EQ(Run("monitor", Params("nodea"), true, "u").exit_code, 0);
  EXPECT_THAT(FileOf("nodea"), HasSubstr("192.0.2.1 3260 192.0.2.50 40000\n"));
  EXPECT_EQ(Run("monitor", Params("nodea"), false, "u").exit_code, 0);  // a probe only looks
  // Node B takes over (its own HA_RSCTMP is another directory on another machine).
  ASSERT_EQ(Run("start", Params("nodeb"), false, "u-b").exit_code, 0);
  EXPECT_EQ(senders_made_, 1);
  EXPECT_THAT(Targets(), ::testing::UnorderedElementsAre(
                             "192.0.2.1:59760", "192.0.2.1:59772", "192.0.2.50:40000",
                             "192.0.2.1:59760", "192.0.2.1:59772", "192.0.2.50:40000",
                             "192.0.2.1:59760", "192.0.2.1:59772", "192.0.2.50:40000"));
  const auto& first = sender_.sent()[0];
  EXPECT_EQ(first.packet.substr(12, 4), std::string("\xc0\x00\x02\x01", 4)) << "from the VIP";
}

TEST_F(IscsiFirewallTickleTest, PeerFilesAreUntrusted) {
  ASSERT_EQ(Run("start", Params("nodea"), false, "u").exit_code, 0);
  const std::string peer = PathFor("evil");
  host_.SetFile(peer,
                "sanha-tickle 1\n"
                "192.0.2.1 3260 192.0.2.60 1000\n"     // good
                "198.51.100.1 3260 192.0.2.61 1000\n"  // not our address
                "192.0.2.1 22 192.0.2.62 1000\n"       // not our port
                "192.0.2.1 3260 224.0.0.1 1000\n"      // multicast
                "192.0.2.1 3260 127.0.0.1 1000\n"      // loopback
                "192.0.2.1 3260 0.0.0.0 1000\n"        // unspecified
                "192.0.2.1 3260 192.0.2.63 0\n"        // port 0
                "192.0.2.1 3260 192.0.2.64 65536\n"    // port too large
                "192.0.2.1 3260 192.0.2.0/24 1000\n"   // a network
                "192.0.2.1 3260 2001:db8::1 1000\n"    // mixed families
                "192.0.2.1 3260 192.0.2.65 01000\n"    // not canonical
                "192.0.2.1 3260 192.0.2.66 1000 x\n"   // extra field
                "192.0.2.1 3260 192.0.2.67 \x1b[2J\n"  // control characters
                "192.0.2.1 3260 192.0.2.68 1000");     // truncated last line
  host_.SetFile(PathFor("noheader"), "192.0.2.1 3260 192.0.2.69 1000\n");
  host_.SetFile(PathFor("huge"), "sanha-tickle 1\n" + std::string(600 * 1024, '#'));
  host_.SetSymlink(PathFor("link"), "/etc/shadow");
  host_.SetFile(PathFor("x.tmp.123"), "sanha-tickle 1\n192.0.2.1 3260 192.0.2.70 1000\n");
  host_.SetFile("/shared/tickle/sanha-tickle-0123456789abcdef.other",
                "sanha-tickle 1\n192.0.2.1 3260 192.0.2.71 1000\n");  // another spec's file
  ocf::Outcome o = Run("start", Params("nodeb"), false, "u-b");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::set<std::string> targets;
  for (const std::string& t : Targets()) targets.insert(t);
  EXPECT_THAT(targets, ::testing::UnorderedElementsAre("192.0.2.1:59760", "192.0.2.1:59772",
                                                       "192.0.2.60:1000"));
  EXPECT_THAT(log_.Text(), HasSubstr("skipped 13 line(s)"));
  EXPECT_THAT(log_.Text(), HasSubstr("not a tickle file"));
  EXPECT_THAT(log_.Text(), HasSubstr("link: not a regular file"));
}

TEST_F(IscsiFirewallTickleTest, ATickleFailureNeverFailsTheStart) {
  ASSERT_EQ(Run("start", Params("nodea"), false, "u").exit_code, 0);
  sender_.FailWith(Status::Permission("cannot open a raw socket: Operation not permitted"));
  ocf::Outcome o = Run("start", Params("nodeb"), false, "u-b");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(log_.Text(), HasSubstr("6 failed: cannot open a raw socket"));
  ASSERT_TRUE(host_.RemoveFile("/proc/net/tcp").ok());
  EXPECT_EQ(Run("monitor", Params("nodeb"), true, "u-b").exit_code, 0)
      << "an unreadable connection table only costs the next takeover its tickles";
}

TEST_F(IscsiFirewallTickleTest, ResetLocalOnUnblockStop) {
  std::map<std::string, std::string> p = Params("nodea");
  p["reset_local_on_unblock_stop"] = "true";
  ASSERT_EQ(Run("start", p, false, "u").exit_code, 0);
  const std::vector<std::string> kill1 = {
      "ss",    "-K", "-t",    "-n",  "state",     "established", "src", "192.0.2.1",
      "sport", "=",  ":3260", "dst", "192.0.2.1", "dport",       "=",   ":59760"};
  std::vector<std::string> kill2 = kill1;
  kill2.back() = ":59772";
  host_.Reply(kill1, "");
  host_.Reply(kill2, "");
  ocf::Outcome o = Run("stop", p, false, "u");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(Blocked()) << "traffic is held again";
  std::vector<std::vector<std::string>> ss;
  for (const auto& c : host_.commands_run())
    if (c[0] == "ss") ss.push_back(c);
  EXPECT_THAT(ss, ::testing::ElementsAre(kill1, kill2));
  // The reset comes after the block: the last iptables command precedes the first ss.
  size_t last_iptables = 0, first_ss = 0;
  for (size_t i = 0; i < host_.commands_run().size(); ++i) {
    if (host_.commands_run()[i][0] == "iptables") last_iptables = i;
    if (host_.commands_run()[i][0] == "ss" && first_ss == 0) first_ss = i;
  }
  EXPECT_LT(last_iptables, first_ss);
}

TEST_F(IscsiFirewallTickleTest, BadTickleParametersAreRefused) {
  const std::vector<std::map<std::string, std::string>> bad = {
      {{"action", "block"}, {"ip", "192.0.2.1"}, {"tickle_dir", "/shared/tickle"}},
      {{"action", "unblock"}, {"ip", "192.0.2.1"}, {"tickle_dir", "relative/dir"}},
      {{"action", "unblock"}, {"ip", "192.0.2.1"}, {"tickle_dir", "/shared/../etc"}},
      {{"action", "unblock"}, {"tickle_dir", "/shared/tickle"}},
      {{"action", "unblock"}, {"ip", "192.0.2.0/24"}, {"tickle_dir", "/shared/tickle"}},
      {{"action", "unblock"},
       {"ip", "192.0.2.1"},
       {"protocol", "udp"},
       {"tickle_dir", "/shared/tickle"}},
      {{"action", "block"}, {"ip", "192.0.2.1"}, {"reset_local_on_unblock_stop", "true"}},
      {{"action", "unblock"}, {"ip", "192.0.2.1"}, {"reset_local_on_unblock_stop", "maybe"}},
      {{"action", "unblock"}, {"reset_local_on_unblock_stop", "yes"}},
  };
  for (const auto& p : bad) {
    for (const char* action : {"start", "stop", "monitor", "validate-all"}) {
      ocf::Outcome o = Run(action, p);
      EXPECT_EQ(o.exit_code, 6) << ::testing::PrintToString(p) << " " << action;
      EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    }
  }
  EXPECT_TRUE(host_.commands_run().empty());
  EXPECT_EQ(Run("validate-all",
                {{"action", "unblock"}, {"ip", "192.0.2.1"}, {"reset_local_on_unblock_stop", ""}})
                .exit_code,
            0)
      << "empty means the default";
}

TEST_F(IscsiFirewallTest, BlockStopSucceedsWhenNothingIsBlockedEvenIfTheLockIsStuck) {
  // Another sanha process holds the firewall lock past the wait (or /run/lock is broken).
  Result<std::unique_ptr<LockHandle>> held =
      host_.Lock(firewall::kFirewallLockPath, milliseconds(0));
  ASSERT_TRUE(held.ok());
  ocf::Outcome o = Block("stop");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:stopped (no block rule is in place), but:"));
  held->reset();
  ASSERT_EQ(Block("start").exit_code, 0);
  held = host_.Lock(firewall::kFirewallLockPath, milliseconds(0));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(Block("stop").exit_code, 1) << "rules still in place: the stop really failed";
  EXPECT_EQ(Unblock("stop").exit_code, 1) << "an unblock stop that cannot block has failed";
  held->reset();
  EXPECT_EQ(Block("stop").exit_code, 0);
  EXPECT_TRUE(Clean());
}

TEST_F(IscsiFirewallTest, InstancesStartedBeforeAnUpgradeKeepTheirState) {
  // The previous version marked a started instance with a bare ".started" file.
  ASSERT_EQ(Block("start").exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  ASSERT_TRUE(host_.RemoveFile("/run/rsc/sanha-iscsi-firewall-fw-unblock.state").ok());
  host_.SetFile("/run/rsc/sanha-iscsi-firewall-fw-unblock.started", "fw-unblock\n");
  EXPECT_EQ(Unblock("monitor").exit_code, 0) << "a running unblock stays running";
  EXPECT_EQ(Unblock("monitor", true).exit_code, 0);
  ASSERT_EQ(Unblock("stop").exit_code, 0);
  EXPECT_FALSE(host_.HasFile("/run/rsc/sanha-iscsi-firewall-fw-unblock.started"));
  EXPECT_EQ(Unblock("monitor").exit_code, 7);
  // A legacy block mark: started at an unknown time, so no lift covers it; rules decide.
  ASSERT_TRUE(host_.RemoveFile("/run/rsc/sanha-iscsi-firewall-fw-block.state").ok());
  host_.SetFile("/run/rsc/sanha-iscsi-firewall-fw-block.started", "fw-block\n");
  EXPECT_EQ(Block("monitor", true).exit_code, 0);
  ASSERT_TRUE(RunIptables({"iptables", "-F", "sanha-iscsi"}));
  EXPECT_EQ(Block("monitor", true).exit_code, 1);
  ASSERT_EQ(Block("stop").exit_code, 0);
  EXPECT_TRUE(StateFiles().empty()) << ::testing::PrintToString(StateFiles());
}

TEST_F(IscsiFirewallTest, ABlockMonitorRacingThePartnersStopDoesNotFail) {
  ASSERT_EQ(Block("start").exit_code, 0);
  ASSERT_EQ(Unblock("start").exit_code, 0);
  // The unblock stop completes between the block monitor's listing (no rule yet) and its read of
  // the lift record: rules re-added, then lift record and partner state removed.
  bool done = false;
  host_.OnRead([&](const std::string& path) {
    if (done || path.find("-lift.") == std::string::npos) return;
    done = true;
    ASSERT_TRUE(RunIptables({"iptables", "-w", "-N", "sanha-iscsi"}));
    ASSERT_TRUE(RunIptables({"iptables", "-w", "-I", "INPUT", "1", "-j", "sanha-iscsi"}));
    ASSERT_TRUE(RunIptables({"iptables", "-w", "-A", "sanha-iscsi", "-d", "192.0.2.1/32", "-p",
                             "tcp", "-m", "tcp", "--dport", "3260", "-j", "DROP"}));
    for (const std::string& n : StateFiles()) {
      if (n.find("-lift.") != std::string::npos || n.find("fw-unblock") != std::string::npos) {
        ASSERT_TRUE(host_.RemoveFile("/run/rsc/" + n).ok());
      }
    }
  });
  ocf::Outcome o = Block("monitor", /*recurring=*/true);
  EXPECT_TRUE(done);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  host_.OnRead(nullptr);
  // Without the partner's stop, the same missing rules are still tampering.
  ASSERT_TRUE(RunIptables({"iptables", "-F", "sanha-iscsi"}));
  EXPECT_EQ(Block("monitor", true).exit_code, 1);
}

}  // namespace
}  // namespace san::agents::iscsi_firewall
