// iet-target through the real OCF front and meta-data on FakeHost + FakeTgtd: the stock
// iSCSITarget/iSCSILogicalUnit defects (resource-agents 4.12) as test cases, monitor depths and
// exact drift reasons, daemon ownership, bad configuration refused before anything runs.
#include "libsan/agents/iet_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/fake_iptables.h"
#include "tests/support/fake_tgtd.h"

namespace san::agents::iet_target {
namespace {

using ::testing::HasSubstr;

constexpr char kFile[] =
    "iqn-prefix iqn.2024-01.test\n"
    "target vol1\n"
    "  allow-address 192.0.2.50\n"
    "  incoming-user vol1-user vol1-secret-12\n"
    "  lun 1 /dev/vg/a scsi_idsn=AMHDSK-240101-01\n"
    "  lun 2 /dev/vg/b scsi_idsn=AMHDSK-240101-02\n";

class IetTargetTest : public ::testing::Test {
 protected:
  IetTargetTest() : agent_("iet-target"), iptables_(fw_host_), tgtd_(host_, &fw_host_) {
    agent_.OnValidate(Validate).OnStart(Start).OnStop(Stop).OnMonitor(Monitor).OnReload(Reload);
    host_.SetBlockDevice("/dev/vg/a", 64 << 20);
    host_.SetBlockDevice("/dev/vg/b", 64 << 20);
    host_.SetFile("/etc/sanha/targets.conf", kFile);
    tgtd_.set_running(false);
  }

  ocf::Outcome Run(const std::string& action, std::map<std::string, std::string> params = {},
                   bool recurring = false, int depth = 0) {
    std::map<std::string, std::string> env = {
        {"OCF_ROOT", "/usr/lib/ocf"}, {"OCF_RESOURCE_INSTANCE", "tgt"}, {"HA_RSCTMP", "/run/rsc"}};
    if (!params.count("firewall")) params["firewall"] = "iptables";
    for (const auto& [k, v] : params) env["OCF_RESKEY_" + k] = v;
    if (recurring) env["OCF_RESKEY_CRM_meta_interval"] = "10000";
    if (depth) env["OCF_CHECK_LEVEL"] = std::to_string(depth);
    return agent_.Execute({action}, env, host_, &log_);
  }

  ocf::Agent agent_;
  FakeHost host_, fw_host_;
  testing::FakeIptables iptables_;
  testing::FakeTgtd tgtd_;
  MemoryLogger log_;
};

TEST_F(IetTargetTest, StartMonitorReloadStopCycleOwnsTheDaemon) {
  EXPECT_EQ(Run("monitor").exit_code, 7) << "probe with no daemon";
  ocf::Outcome o = Run("start");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(tgtd_.running()) << "started because manage_daemon defaults to true";
  EXPECT_EQ(tgtd_.targets().at(1).luns.size(), 2u);
  host_.ClearCommands();
  EXPECT_EQ(Run("monitor").exit_code, 0);
  EXPECT_EQ(host_.commands_run().size(), 1u) << "depth 0 is one tgtadm --op show";
  host_.ClearCommands();
  EXPECT_EQ(Run("monitor", {}, true, 10).exit_code, 0);
  EXPECT_EQ(host_.commands_run().size(), 4u) << "depth 10: targets, accounts, system, options";
  EXPECT_EQ(Run("reload").exit_code, 0);
  o = Run("stop");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(tgtd_.targets().empty());
  EXPECT_FALSE(tgtd_.running()) << "this agent started it, so it stops it";
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 7);
  EXPECT_EQ(Run("stop").exit_code, 0);
}

// The distribution's tgt service starts a tgtd listening on every address: with manage_daemon it
// used to be adopted silently, so initiators could log in around the VIP. Now it is refused.
TEST_F(IetTargetTest, ADaemonItDidNotStartIsRefusedNotAdopted) {
  tgtd_.set_running(true);
  ocf::Outcome o = Run("start");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:a tgtd this resource did not start already runs "
                               "on tgt's default socket"));
  EXPECT_THAT(o.err, HasSubstr("systemctl disable --now tgt"));
  EXPECT_TRUE(tgtd_.targets().empty()) << "nothing configured on it";
  EXPECT_EQ(Run("stop").exit_code, 0);
  EXPECT_TRUE(tgtd_.running()) << "and never stopped";
  // manage_daemon=false: a daemon managed elsewhere is used as it is, and left running.
  ASSERT_EQ(Run("start", {{"manage_daemon", "false"}}).exit_code, 0);
  ASSERT_EQ(Run("stop", {{"manage_daemon", "false"}}).exit_code, 0);
  EXPECT_TRUE(tgtd_.running());
  tgtd_.set_running(false);
  o = Run("start", {{"manage_daemon", "false"}});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.err, HasSubstr("tgtd is not running and manage_daemon is false"));
  // Its own daemon, started again while it runs (a repeated start): accepted.
  ASSERT_EQ(Run("start").exit_code, 0);
  EXPECT_EQ(Run("start").exit_code, 0);
  EXPECT_THAT(host_.FileContent("/run/sanha/target/daemon-owned"), HasSubstr("tgtd pid="));
}

// tgtd daemonized exits 0 and fails later with its reason in syslog: started in the foreground,
// an early exit is reported at once with what it said.
TEST_F(IetTargetTest, AnEarlyExitOfTgtdIsReportedWithItsReason) {
  ASSERT_TRUE(host_.MakeDirectories("/run/tgtd").ok());
  host_.Reply({"tgtd", "-f"}, "", 1,
              "(null): ipc_init(781) failed to open lock file for management IPC\n");
  ocf::Outcome o = Run("start", {{"tgtd_socket", "/run/tgtd/socket"}});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:tgtd exited 1: (null): ipc_init(781) failed to "
                               "open lock file for management IPC"));
  EXPECT_LT(host_.total_slept(), milliseconds(200)) << "no wait for a daemon that is gone";
  o = Run("start", {{"tgtd_socket", "/nonexistent/sock"}});
  EXPECT_EQ(o.exit_code, 5);
  EXPECT_THAT(o.err, HasSubstr("tgtd_socket: directory /nonexistent of /nonexistent/sock does not "
                               "exist on this node"));
}

// OCF 1.0 meta-data made every parameter reloadable: a changed portals was "reloaded" and ignored.
// OCF 1.1: reloadable only where reload applies the change; Pacemaker restarts for the others.
TEST_F(IetTargetTest, OnlyParametersAReloadAppliesAreReloadable) {
  ocf::Outcome o = Run("meta-data");
  ASSERT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, HasSubstr("<version>1.1</version>"));
  EXPECT_THAT(o.out, HasSubstr("<action name=\"reload-agent\""));
  std::vector<std::string> reloadable;
  for (size_t at = o.out.find("<parameter name=\""); at != std::string::npos;
       at = o.out.find("<parameter name=\"", at + 1)) {
    const size_t end = o.out.find('>', at);
    const std::string tag = o.out.substr(at, end - at);
    if (tag.find("reloadable=\"1\"") == std::string::npos) continue;
    const size_t name = at + std::string("<parameter name=\"").size();
    reloadable.push_back(o.out.substr(name, o.out.find('"', name) - name));
  }
  EXPECT_THAT(reloadable, ::testing::UnorderedElementsAre("config", "remove_stale", "firewall",
                                                          "firewall_chain"));
  // reload-agent is what Pacemaker calls: it applies the file.
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetBlockDevice("/dev/vg/c", 16 << 20);
  host_.SetFile("/etc/sanha/targets.conf",
                std::string(kFile) + "  lun 3 /dev/vg/c scsi_idsn=AMHDSK-240101-03\n");
  o = Run("reload-agent");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(tgtd_.targets().at(1).luns.count(3), 1u);
}

TEST_F(IetTargetTest, ReloadOnAStoppedResourceDoesNotStartIt) {
  EXPECT_EQ(Run("reload").exit_code, 7);
  EXPECT_FALSE(tgtd_.running());
  EXPECT_TRUE(tgtd_.targets().empty());
}

// Stock monitors grep unanchored patterns: an IQN that is a prefix of another looks running.
TEST_F(IetTargetTest, AnIqnPrefixOfARunningTargetIsNotRunning) {
  tgtd_.set_running(true);
  tgtd_.targets()[1].name = "iqn.2024-01.test:vol10";
  EXPECT_EQ(Run("monitor").exit_code, 7) << "probe: nothing of the file runs";
  ASSERT_EQ(Run("start", {{"remove_stale", "false"}, {"manage_daemon", "false"}}).exit_code, 0);
  EXPECT_EQ(tgtd_.targets().at(2).name, "iqn.2024-01.test:vol1");
  EXPECT_EQ(tgtd_.targets().at(1).name, "iqn.2024-01.test:vol10") << "left alone";
}

// ... and a never-created LUN sharing a path with another target's LUN looks running.
TEST_F(IetTargetTest, MonitorChecksEveryLunExactlyAndNamesTheDifference) {
  ASSERT_EQ(Run("start").exit_code, 0);
  tgtd_.targets()[1].luns.erase(2);
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:drift: add target 1 (iqn.2024-01.test:vol1) lun 2 "
                               "/dev/vg/b fileio scsi_id=AMHDSK-240101-02"));
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 0);

  tgtd_.targets()[1].luns[1].scsi_sn = "OTHER";
  o = Run("monitor", {}, true);
  EXPECT_THAT(o.err, HasSubstr("scsi_sn is 'OTHER', file says 'AMHDSK-240101-01'"));
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();

  tgtd_.targets()[1].acl.push_back("ALL");
  o = Run("monitor", {}, true);
  EXPECT_THAT(o.err, HasSubstr("disallow address ALL on target 1"));
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();

  tgtd_.targets()[1].users.clear();
  o = Run("monitor", {}, true);
  EXPECT_THAT(o.err, HasSubstr("bind account vol1-user to target 1"));
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();

  // The seed's workflow (lvextend, then apply): a grown device waits for the reload, it is not
  // drift that would make Pacemaker restart the whole service.
  host_.SetBlockDevice("/dev/vg/a", 80 << 20);
  o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:pending: 1 change(s)"));
  EXPECT_THAT(o.err, HasSubstr("size is 64 MiB, backing device is now 80 MiB"));
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();
  o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.err, ::testing::Not(HasSubstr("pending")));

  // Depth 10 also reads the options from the daemon.
  tgtd_.targets()[1].params["MaxBurstLength"] = "4096";
  host_.SetFile("/etc/sanha/targets.conf", std::string(kFile) + "  option MaxBurstLength 262144\n");
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();
  tgtd_.targets()[1].params["MaxBurstLength"] = "4096";
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 0) << "depth 0 trusts the record";
  o = Run("monitor", {}, true, 10);
  EXPECT_EQ(o.exit_code, 1) << "changed behind the agent's back";
  EXPECT_THAT(o.err, HasSubstr("option MaxBurstLength is 4096, file says 262144"));
}

TEST_F(IetTargetTest, PinningAnotherTidIsPendingUntilReload) {
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetFile("/etc/sanha/targets.conf", std::string(kFile) + "  tid 5\n");
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("runs as tid 1, file pins tid 5"));
  ASSERT_EQ(Run("reload").exit_code, 0) << log_.Text();
  EXPECT_EQ(tgtd_.targets().count(5), 1u);
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 0);
}

// Editing the file used to fail the next recurring monitor, and Pacemaker then restarted the
// whole service before the administrator ran reload. Now it is pending: success, a warning in
// the log and as the exit reason, and a transient node attribute set once (not every monitor).
TEST_F(IetTargetTest, AnEditedFileIsPendingWithANodeAttributeUntilReload) {
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetBlockDevice("/dev/vg/c", 16 << 20);
  host_.SetFile("/etc/sanha/targets.conf",
                std::string(kFile) + "  lun 3 /dev/vg/c scsi_idsn=AMHDSK-240101-03\n");
  const std::vector<std::string> set = {
      "crm_attribute",          "--node",  "node1", "--lifetime", "reboot", "--name",
      "iet-target-pending-tgt", "--update"};
  const std::map<std::string, std::string> pcmk = {{"CRM_meta_on_node", "node1"}};
  for (int depth : {0, 10}) {
    host_.ClearCommands();
    ocf::Outcome o = Run("monitor", pcmk, true, depth);
    EXPECT_EQ(o.exit_code, 0) << depth << o.err;
    EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:pending: 1 change(s)"));
    EXPECT_THAT(o.err, HasSubstr("add target 1 (iqn.2024-01.test:vol1) lun 3 /dev/vg/c"));
    int attribute_calls = 0;
    for (const auto& argv : host_.commands_run()) {
      if (argv[0] != "crm_attribute") continue;
      ++attribute_calls;
      ASSERT_EQ(argv.size(), set.size() + 1);
      EXPECT_TRUE(std::equal(set.begin(), set.end(), argv.begin()));
      EXPECT_THAT(argv.back(), HasSubstr("lun 3"));
    }
    EXPECT_EQ(attribute_calls, depth == 0 ? 1 : 0) << "set once, when the text first appears";
  }
  EXPECT_THAT(log_.Text(), HasSubstr("pending: 1 change(s)"));
  EXPECT_EQ(tgtd_.targets().at(1).luns.count(3), 0u) << "a monitor changes nothing";
  host_.ClearCommands();
  ASSERT_EQ(Run("reload", pcmk).exit_code, 0) << log_.Text();
  EXPECT_EQ(tgtd_.targets().at(1).luns.count(3), 1u);
  bool deleted = false;
  for (const auto& argv : host_.commands_run()) {
    deleted = deleted || (argv[0] == "crm_attribute" && argv.back() == "--delete");
  }
  EXPECT_TRUE(deleted) << "reload clears the attribute";
  ocf::Outcome o = Run("monitor", pcmk, true);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.err, ::testing::Not(HasSubstr("pending")));
}

// Outside Pacemaker (no CRM_meta_on_node) or without crm_attribute: the warning only.
TEST_F(IetTargetTest, APendingChangeNeedsNoCluster) {
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetBlockDevice("/dev/vg/b", 96 << 20);
  host_.ClearCommands();
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(host_.commands_run().size(), 1u) << "no crm_attribute without a cluster";
  host_.ReplyStatus({"crm_attribute", "--node", "n", "--lifetime", "reboot", "--name",
                     "iet-target-pending-tgt", "--delete"},
                    Status::NotInstalled("crm_attribute"));
  host_.SetBlockDevice("/dev/vg/b", 64 << 20);
  ASSERT_EQ(Run("reload", {{"CRM_meta_on_node", "n"}}).exit_code, 0) << log_.Text();
}

// A file being edited (a syntax error) or naming a volume not created yet must not make a
// recurring monitor fatal (exit 6 stops the resource cluster-wide) or fail at all while the
// daemon runs what was applied; drift under a broken file is a plain failure.
TEST_F(IetTargetTest, AnUnusableFileWhileRunningIsPendingUnlessThereIsDrift) {
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetFile("/etc/sanha/targets.conf", std::string(kFile) + "  lun 4 /dev/vg/a scsi_idsn\n");
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:pending: the target file cannot be applied: "
                               "/etc/sanha/targets.conf:7:"));
  EXPECT_EQ(Run("monitor", {}, true, 10).exit_code, 0);
  host_.SetFile("/etc/sanha/targets.conf",
                std::string(kFile) + "  lun 4 /dev/vg/new scsi_idsn=AMHDSK-240101-04\n");
  o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("/dev/vg/new"));
  tgtd_.targets()[1].luns.erase(2);
  o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("no longer runs what was last applied"));
  EXPECT_NE(Run("reload").exit_code, 0) << "reload still refuses the unusable file";
}

// A stop whose file is broken or gone used to fail (exit 6 or 5 → the node fenced) with the
// targets still running: it now removes what was last applied.
TEST_F(IetTargetTest, StopWithAnUnusableFileRemovesWhatWasApplied) {
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetFile("/etc/sanha/targets.conf", "target\n");
  ocf::Outcome o = Run("stop");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(tgtd_.targets().empty());
  EXPECT_FALSE(tgtd_.running());
  EXPECT_THAT(log_.Text(), HasSubstr("stopping the 1 target(s) last applied"));
  ASSERT_TRUE(host_.RemoveFile("/etc/sanha/targets.conf").ok());
  EXPECT_EQ(Run("stop").exit_code, 0) << "nothing of ours runs";
}

// Drift is found even when the file changed too.
TEST_F(IetTargetTest, DriftBehindAnEditedFileIsStillDrift) {
  ASSERT_EQ(Run("start").exit_code, 0);
  host_.SetFile("/etc/sanha/targets.conf", std::string(kFile) + "  option MaxBurstLength 4096\n");
  tgtd_.targets()[1].luns.erase(1);
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:drift: "));
  EXPECT_THAT(o.err, HasSubstr("add target 1 (iqn.2024-01.test:vol1) lun 1 /dev/vg/a fileio "
                               "scsi_id=AMHDSK-240101-01 scsi_sn=AMHDSK-240101-01 (64 MiB)"));
}

// Stock iSCSITarget pasted target_iqn into a sed program: a crafted value ran a command.
TEST_F(IetTargetTest, HostileValuesAreRefusedBeforeAnythingRuns) {
  host_.SetFile("/etc/sanha/targets.conf",
                "target iqn.2024-01.test:a/;s/.*/touch \\/tmp\\/pwned/e\n");
  for (const char* action : {"start", "monitor", "validate-all", "reload"}) {
    host_.ClearCommands();
    ocf::Outcome o = Run(action);
    EXPECT_EQ(o.exit_code, 6) << action << o.err;
    EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:/etc/sanha/targets.conf:1:"));
    EXPECT_TRUE(host_.commands_run().empty()) << action;
  }
  host_.SetFile("/etc/sanha/targets.conf", kFile);
  for (const auto& [k, v] :
       std::map<std::string, std::string>{{"backend", "lio;reboot"},
                                          {"firewall", "ipfw"},
                                          {"firewall_chain", "INPUT -j ACCEPT"},
                                          {"portals", "192.0.2.1:99999"},
                                          {"state_dir", "relative"},
                                          {"config", "$(reboot)"},
                                          {"tgtd_socket", "sock"}}) {
    ocf::Outcome o = Run("start", {{k, v}});
    EXPECT_EQ(o.exit_code, 6) << k;
    EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:" + k));
  }
  EXPECT_FALSE(tgtd_.running());
}

TEST_F(IetTargetTest, StopHoldsClosesAndIsBoundedByTheTimeout) {
  ASSERT_EQ(Run("start").exit_code, 0);
  tgtd_.AddSession(1, "iqn.2024-01.test:c", "192.0.2.50", /*reconnect=*/true);
  tgtd_.SetHeldCheck([this](const std::string& a) {
    return iptables_.Save("iptables").find("-s " + a + "/32") != std::string::npos;
  });
  ocf::Outcome o = Run("stop");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(tgtd_.targets().empty()) << "the session did not come back while held";
  EXPECT_EQ(iptables_.RuleCount("iptables"), 0u);

  // A session that keeps coming back (no firewall): stop gives up within the timeout.
  ASSERT_EQ(Run("start", {{"firewall", "none"}}).exit_code, 0);
  tgtd_.AddSession(1, "iqn.2024-01.test:c", "192.0.2.50", /*reconnect=*/true);
  tgtd_.SetHeldCheck({});
  const Clock::time_point before = host_.Now();
  o = Run("stop", {{"firewall", "none"}, {"CRM_meta_timeout", "5000"}});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_LE(host_.Now() - before, milliseconds(5000));
}

TEST_F(IetTargetTest, MetaDataAndSecretsStayOutOfOutput) {
  ocf::Outcome o = Run("meta-data");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, HasSubstr("<parameter name=\"remove_stale\""));
  ASSERT_EQ(Run("start").exit_code, 0);
  EXPECT_THAT(log_.Text(), ::testing::Not(HasSubstr("vol1-secret-12")));
}

}  // namespace
}  // namespace san::agents::iet_target
