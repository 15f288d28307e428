// lvm-vg through the real OCF front and meta-data on FakeHost, with lvm outputs captured from real
// lvm2 (tests/data/lvm: guest_* in a kernel with device-mapper, host_* metadata-only) and crm_mon
// XML captured from real crm_mon (tests/data/pacemaker). The three LVM-activate defects of
// resource-agents 4.12 are cases here: "any LV active" is not running, only owner tags are
// stripped, and a bad configuration never lets stop exit 0 without deactivating.
#include "libsan/agents/lvm_vg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/test_data.h"

namespace san::agents::lvm_vg {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using Argv = std::vector<std::string>;

std::string Lvm(const std::string& name) { return testing::ReadTestData("lvm/" + name); }
std::string Pcmk(const std::string& name) { return testing::ReadTestData("pacemaker/" + name); }

const Argv kVgs = lvm::VgsArgv("vgc");
const Argv kLvs = lvm::LvsArgv("vgc");
const Argv kCrmMon = {"crm_mon", "--one-shot", "--output-as=xml"};
const Argv kActivateSp1 = {"lvm",
                           "vgchange",
                           "-aey",
                           "--activationmode",
                           "complete",
                           "--config",
                           "activation/volume_list=[\"@pacemaker_sp1\"]",
                           "vgc"};
const Argv kActivateSp2 = {"lvm",
                           "vgchange",
                           "-aey",
                           "--activationmode",
                           "complete",
                           "--config",
                           "activation/volume_list=[\"@pacemaker_sp2\"]",
                           "vgc"};
const Argv kDeactivate = {"lvm", "vgchange", "-an", "vgc"};

class LvmVgTest : public ::testing::Test {
 protected:
  LvmVgTest() : agent_("lvm-vg") {
    agent_.OnValidate(Validate)
        .OnStart([this](ocf::Context& c) { return StartWith(c, hooks_); })
        .OnStop([this](ocf::Context& c) { return StopWith(c, hooks_); })
        .OnMonitor(Monitor);
    hooks_.node_down = [this](const std::string& node) { return lvm::CheckNodeDown(host_, node); };
    hooks_.deactivate.roots = {"/proc", "/sys"};
  }

  // VG and LV reports, each a sequence of replies (the last repeats).
  void Vgs(std::vector<std::string> files) {
    for (const auto& f : files) host_.Reply(kVgs, Lvm(f));
  }
  void Lvs(std::vector<std::string> files) {
    for (const auto& f : files) host_.Reply(kLvs, Lvm(f));
  }
  void Ok(const Argv& argv) { host_.Reply(argv, Lvm("host_vgchange_addtag.txt")); }

  ocf::Outcome Run(const std::string& action, std::map<std::string, std::string> params = {},
                   bool recurring = false, const std::string& node = "sp1", int depth = 0) {
    std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                              {"OCF_RESOURCE_INSTANCE", "vg"},
                                              {"HA_RSCTMP", "/run/rsc"},
                                              {"OCF_RESKEY_CRM_meta_on_node", node}};
    if (!params.count("vgname")) params["vgname"] = "vgc";
    for (const auto& [k, v] : params) env["OCF_RESKEY_" + k] = v;
    if (recurring) env["OCF_RESKEY_CRM_meta_interval"] = "10000";
    if (depth) env["OCF_CHECK_LEVEL"] = std::to_string(depth);
    return agent_.Execute({action}, env, host_, &log_);
  }

  bool Ran(const Argv& argv) const {
    for (const auto& c : host_.commands_run()) {
      if (c == argv) return true;
    }
    return false;
  }
  int Count(const Argv& argv) const {
    int n = 0;
    for (const auto& c : host_.commands_run()) n += c == argv;
    return n;
  }
  bool RanAnyChange() const {
    for (const auto& c : host_.commands_run()) {
      if (c.size() > 1 && (c[1] == "vgchange" || c[1] == "lvchange")) return true;
    }
    return false;
  }

  ocf::Agent agent_;
  Hooks hooks_;
  FakeHost host_;
  MemoryLogger log_;
};

TEST_F(LvmVgTest, StartTagsActivatesAndVerifiesEveryLv) {
  Vgs({"host_vgs_plain.json", "guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_inactive.json", "guest_lvs_active.json"});
  const Argv add = {"lvm", "vgchange", "--addtag", "pacemaker_sp1", "vgc"};
  Ok(add);
  Ok(kActivateSp1);
  ocf::Outcome o = Run("start");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(host_.commands_run(),
              ::testing::ElementsAre(kVgs, kLvs, add, kVgs, kLvs, kActivateSp1, kVgs, kLvs));
  EXPECT_TRUE(host_.HasFile("/run/rsc/sanha-lvm-vg-vg.started"));
  EXPECT_EQ(host_.FileContent("/run/rsc/sanha-lvm-vg-vg.activation"), "0 0\n");
}

// Regression: exclusive="" read as false and activated with no ownership claim. Empty means the
// meta-data default (true, method tag): the same claim and activation as with nothing given.
TEST_F(LvmVgTest, EmptyParametersMeanTheirDefaults) {
  Vgs({"host_vgs_plain.json", "guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_inactive.json", "guest_lvs_active.json"});
  const Argv add = {"lvm", "vgchange", "--addtag", "pacemaker_sp1", "vgc"};
  Ok(add);
  Ok(kActivateSp1);
  ocf::Outcome o = Run("start", {{"exclusive", ""},
                                 {"method", ""},
                                 {"tag", ""},
                                 {"partial_activation", ""},
                                 {"activation_budget", ""}});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(host_.commands_run(),
              ::testing::ElementsAre(kVgs, kLvs, add, kVgs, kLvs, kActivateSp1, kVgs, kLvs));
}

TEST_F(LvmVgTest, EmptyVgNameIsMissingAndTouchesNothing) {
  for (const char* action : {"start", "stop", "monitor", "validate-all"}) {
    ocf::Outcome o = Run(action, {{"vgname", ""}});
    EXPECT_EQ(o.exit_code, 6) << action;
    EXPECT_THAT(o.err, HasSubstr("required parameter 'vgname' is not set")) << action;
  }
  EXPECT_TRUE(host_.commands_run().empty());
}

TEST_F(LvmVgTest, NodeNameFallsBackToTheHostName) {
  // heartbeat v1 (and a manual run) pass no CRM_meta_on_node.
  host_.SetFile("/proc/sys/kernel/hostname", "sp1\n");
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_active.json"});
  std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                            {"OCF_RESOURCE_INSTANCE", "vg"},
                                            {"OCF_RESKEY_vgname", "vgc"},
                                            {"OCF_RESKEY_CRM_meta_interval", "10000"}};
  ocf::Outcome o = agent_.Execute({"monitor"}, env, host_, &log_);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  // heartbeat v1: "lvm-vg vgc status".
  o = agent_.Execute({"vgc", "status"}, {}, host_, &log_);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "running\n");
}

TEST_F(LvmVgTest, StartSucceedsOnlyWhenEveryLvIsActive) {
  // LVM-activate's monitor counted "any LV active" as running; here activation that leaves one
  // LV down fails and names it.
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_one_active.json"});
  host_.Reply(kActivateSp1, "", 5, "  Refusing activation of LV vgc/logs");
  ocf::Outcome o = Run("start");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:activation of vgc left vgc/logs inactive"));
  EXPECT_FALSE(host_.HasFile("/run/rsc/sanha-lvm-vg-vg.started"));
}

TEST_F(LvmVgTest, StartRefusesVgOwnedByOnlineNode) {
  Vgs({"host_vgs_tag_sp1_backup.json"});
  Lvs({"guest_lvs_inactive.json"});
  host_.Reply(kCrmMon, Pcmk("crm_mon_sp1_online.xml"));
  ocf::Outcome o = Run("start", {}, false, "sp2");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("owned by sp1 (tag pacemaker_sp1) and node sp1 is online"));
  EXPECT_FALSE(RanAnyChange());
}

TEST_F(LvmVgTest, StartRefusesVgOfUncleanNode) {
  Vgs({"host_vgs_tag_sp3.json"});
  Lvs({"guest_lvs_inactive.json"});
  host_.Reply(kCrmMon, Pcmk("crm_mon_sp1_fenced.xml"));
  ocf::Outcome o = Run("start", {}, false, "sp2");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("node sp3 is unclean"));
  EXPECT_FALSE(RanAnyChange());
}

TEST_F(LvmVgTest, StartRefusesWhenPacemakerCannotBeAsked) {
  Vgs({"host_vgs_tag_sp1.json"});
  Lvs({"guest_lvs_inactive.json"});
  host_.ReplyStatus(kCrmMon, Status::NotInstalled("program 'crm_mon' not found"));
  ocf::Outcome o = Run("start", {}, false, "sp2");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot ask Pacemaker about sp1"));
  EXPECT_FALSE(RanAnyChange());
}

TEST_F(LvmVgTest, TakeoverFromFencedNodeStripsOnlyItsOwnerTag) {
  Vgs({"host_vgs_tag_sp1_backup.json", "host_vgs_tag_sp2_backup.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_inactive.json", "guest_lvs_active.json"});
  host_.Reply(kCrmMon, Pcmk("crm_mon_sp1_fenced.xml"));
  host_.Reply({"stonith_admin", "--history", "sp1", "--output-as=xml"},
              Pcmk("stonith_history_sp1_rebooted.xml"));
  const Argv del = {"lvm", "vgchange", "--deltag", "pacemaker_sp1", "vgc"};
  const Argv add = {"lvm", "vgchange", "--addtag", "pacemaker_sp2", "vgc"};
  Ok(del);
  Ok(add);
  Ok(kActivateSp2);
  ocf::Outcome o = Run("start", {}, false, "sp2");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(Ran(del));
  EXPECT_TRUE(Ran(add));
  EXPECT_FALSE(Ran({"lvm", "vgchange", "--deltag", "backup", "vgc"}))
      << "the administrator's tag must survive (LVM-activate strips every tag)";
  EXPECT_THAT(log_.Text(), HasSubstr("taking vgc over from sp1: Pacemaker reports node sp1 "
                                     "offline and clean; last fenced: reboot by sp2 at 2026-"));
}

TEST_F(LvmVgTest, ConcurrentClaimIsWithdrawn) {
  Vgs({"host_vgs_plain.json", "host_vgs_tag_both.json"});
  Lvs({"guest_lvs_inactive.json"});
  const Argv add = {"lvm", "vgchange", "--addtag", "pacemaker_sp2", "vgc"};
  const Argv del = {"lvm", "vgchange", "--deltag", "pacemaker_sp2", "vgc"};
  Ok(add);
  Ok(del);
  ocf::Outcome o = Run("start", {}, false, "sp2");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("claimed concurrently (tag pacemaker_sp1); withdrew our claim"));
  EXPECT_TRUE(Ran(del));
  EXPECT_FALSE(Ran(kActivateSp2));
}

TEST_F(LvmVgTest, MissingPvRefusedUnlessPartialActivation) {
  Vgs({"guest_vgs_missing_pv.json"});
  Lvs({"guest_lvs_missing_pv.json"});
  host_.Reply(lvm::PvsArgv("vgc"), Lvm("guest_pvs_missing_pv.json"));
  ocf::Outcome o = Run("start");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("vgc is incomplete (missing PV 9wOaBn-Bych-c9Ph-f383-kcxi-NdIL-"
                               "NRLOAd); set partial_activation=true"));
  EXPECT_FALSE(RanAnyChange());

  host_.ClearCommands();
  Lvs({"guest_lvs_missing_pv.json", "guest_lvs_partial_active.json"});
  const Argv partial = {"lvm",
                        "vgchange",
                        "-aey",
                        "--activationmode",
                        "partial",
                        "--config",
                        "activation/volume_list=[\"@pacemaker_sp1\"]",
                        "vgc"};
  host_.Reply(partial, Lvm("guest_vgchange_ay_partial.json"), 0,
              Lvm("guest_vgchange_ay_partial.err"));
  o = Run("start", {{"partial_activation", "true"}});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(Ran(partial));
  EXPECT_EQ(Run("monitor", {{"partial_activation", "true"}}, true).exit_code, 0);
  o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("vgc is active with missing PV 9wOaBn"));
}

TEST_F(LvmVgTest, MonitorEveryLvActiveAndOursIsRunning) {
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_active.json"});
  EXPECT_EQ(Run("monitor").exit_code, 0);
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 0);
}

TEST_F(LvmVgTest, AVgWithoutLvsRunsWhileClaimedByUs) {
  Vgs({"host_vgs_empty_tag_sp1.json"});
  Lvs({"host_lvs_empty.json"});
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 0);
  EXPECT_EQ(Run("monitor", {}, false, "sp2").exit_code, 7);
}

TEST_F(LvmVgTest, MonitorOneLvOfTwoActiveIsAnError) {
  // LVM-activate counted "any LV active" as running.
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_one_active.json"});
  for (bool recurring : {false, true}) {
    ocf::Outcome o = Run("monitor", {}, recurring);
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_THAT(o.err, HasSubstr("1 of 2 LVs of vgc are not active: vgc/logs"));
  }
}

TEST_F(LvmVgTest, MonitorStoppedAndLost) {
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_inactive.json"});
  EXPECT_EQ(Run("monitor").exit_code, 7);
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 7) << "never started here";
  host_.SetFile("/run/rsc/sanha-lvm-vg-vg.started", "vg\n");
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("no LV of vgc is active (deactivated behind our back)"));

  FakeHost gone;
  gone.Reply(kVgs, Lvm("guest_vgs_absent.json"), 5, Lvm("guest_vgs_absent.err"));
  std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                            {"OCF_RESOURCE_INSTANCE", "vg"},
                                            {"OCF_RESKEY_CRM_meta_on_node", "sp1"},
                                            {"OCF_RESKEY_vgname", "vgc"}};
  EXPECT_EQ(agent_.Execute({"monitor"}, env, gone, &log_).exit_code, 7) << "probe: not here";
  env["OCF_RESKEY_CRM_meta_interval"] = "10000";
  o = agent_.Execute({"monitor"}, env, gone, &log_);
  EXPECT_EQ(o.exit_code, 1) << "a VG lost while running is an error, never 'not running'";
  EXPECT_THAT(o.err, HasSubstr("volume group vgc is not visible"));
  EXPECT_EQ(agent_.Execute({"stop"}, env, gone, &log_).exit_code, 0) << "absent VG: stopped";
}

TEST_F(LvmVgTest, MonitorActiveWithoutOurTagIsAnError) {
  Vgs({"guest_vgs_active.json"});
  Lvs({"guest_lvs_active.json"});
  ocf::Outcome o = Run("monitor", {}, true);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("vgc is active here but this node's claim (tag pacemaker_sp1) "
                               "is gone"));
}

TEST_F(LvmVgTest, MonitorActiveButClaimedByAnotherNodeIsAnError) {
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_active.json"});
  ocf::Outcome o = Run("monitor", {}, false, "sp2");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("vgc is active here but claimed by sp1"));
  EXPECT_EQ(Run("monitor", {{"exclusive", "false"}}, false, "sp2").exit_code, 0)
      << "without exclusivity nobody's claim matters";
}

TEST_F(LvmVgTest, DeepMonitorReadsEveryLv) {
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_active.json"});
  const Argv read_data = lvm::ReadBlockArgv("vgc", "data");
  const Argv read_logs = lvm::ReadBlockArgv("vgc", "logs");
  EXPECT_THAT(read_data, Contains("iflag=direct"));
  host_.Reply(read_data, "");
  host_.Reply(read_logs, "");
  EXPECT_EQ(Run("monitor", {}, true, "sp1", 10).exit_code, 0);
  EXPECT_TRUE(Ran(read_data));
  EXPECT_TRUE(Ran(read_logs));
  host_.ClearCommands();
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 0);
  EXPECT_FALSE(Ran(read_logs)) << "depth 0 reads nothing";
}

TEST_F(LvmVgTest, DeepMonitorFailsOnAnUnreadableLv) {
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_active.json"});
  host_.Reply(lvm::ReadBlockArgv("vgc", "data"), "");
  host_.Reply(lvm::ReadBlockArgv("vgc", "logs"), "", 1,
              "dd: error reading '/dev/vgc/logs': Input/output error");
  ocf::Outcome o = Run("monitor", {}, true, "sp1", 10);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot read vgc/logs: dd exited 1: dd: error reading"));
}

TEST_F(LvmVgTest, StopDeactivatesAndDropsOurTag) {
  Vgs({"guest_vgs_tag_sp1_active.json", "guest_vgs_tag_sp1_active.json", "host_vgs_plain.json"});
  Lvs({"guest_lvs_active.json", "guest_lvs_inactive.json"});
  Ok(kDeactivate);
  const Argv del = {"lvm", "vgchange", "--deltag", "pacemaker_sp1", "vgc"};
  Ok(del);
  host_.SetFile("/run/rsc/sanha-lvm-vg-vg.started", "vg\n");
  ocf::Outcome o = Run("stop");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(host_.commands_run(),
              ::testing::ElementsAre(kVgs, kLvs, kDeactivate, kVgs, kLvs, del));
  EXPECT_FALSE(host_.HasFile("/run/rsc/sanha-lvm-vg-vg.started"));
}

TEST_F(LvmVgTest, StopNeverTouchesAnotherNodesInactiveVg) {
  Vgs({"host_vgs_tag_sp1_backup.json"});
  Lvs({"guest_lvs_inactive.json"});
  EXPECT_EQ(Run("stop", {}, false, "sp2").exit_code, 0);
  EXPECT_FALSE(RanAnyChange());
}

TEST_F(LvmVgTest, StopWithAnOpenLvRetriesAndNamesTheHolder) {
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_logs_open.json"});
  host_.Reply(kDeactivate, "", 5, Lvm("guest_vgchange_an_open.err"));
  // What the holder scan sees: `sleep 600 <>/dev/vgc/logs` as pid 4242 (the guest capture's
  // holder), plus an unrelated process and one that exits during the scan.
  host_.SetSymlink("/sys/dev/block/253:1", "../../devices/virtual/block/dm-1");
  host_.MakeDirectories("/sys/dev/block/253:1/holders").IgnoreError();
  host_.SetSymlink("/proc/4242/fd/0", "/dev/vgc/logs");
  host_.SetSymlink("/proc/4242/fd/1", "/dev/ttyS0");
  host_.SetFile("/proc/4242/comm", "sleep\n");
  host_.SetSymlink("/proc/17/fd/3", "/dev/vgc/data-other");
  host_.SetFile("/proc/17/comm", "bash\n");
  host_.SetFile("/proc/self/mountinfo",
                "22 1 0:20 / / rw,relatime - rootfs rootfs rw\n"
                "30 22 253:1 / /mnt/logs rw,relatime - ext4 /dev/mapper/vgc-logs rw\n");
  ocf::Outcome o = Run("stop");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cannot deactivate vgc after 5 attempt(s): vgc/data (open: no); "
                               "vgc/logs held by: mounted on /mnt/logs, pid 4242 (sleep)"));
  EXPECT_THAT(o.err, HasSubstr("Logical volume vgc/logs in use."));
  EXPECT_EQ(Count(kDeactivate), 5);
  EXPECT_EQ(host_.total_slept(), milliseconds(4000));
  EXPECT_FALSE(Ran({"lvm", "vgchange", "--deltag", "pacemaker_sp1", "vgc"}))
      << "the claim stays while an LV is active";
}

TEST_F(LvmVgTest, StopOutOfTimeStillNamesTheHolder) {
  // Slow lvm (3 s per command, as under qemu TCG) and a 20 s stop timeout: the agent stops
  // retrying while an answer still fits, instead of being killed mid-command.
  Vgs({"guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_logs_open.json"});
  host_.Reply(kDeactivate, "", 5, Lvm("guest_vgchange_an_open.err"));
  host_.OnRun([this](const Command&) { host_.Advance(milliseconds(3000)); });
  host_.SetSymlink("/proc/4242/fd/0", "/dev/mapper/vgc-logs");
  host_.SetFile("/proc/4242/comm", "sleep\n");
  std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                            {"OCF_RESOURCE_INSTANCE", "vg"},
                                            {"OCF_RESKEY_CRM_meta_on_node", "sp1"},
                                            {"OCF_RESKEY_CRM_meta_timeout", "20000"},
                                            {"OCF_RESKEY_vgname", "vgc"}};
  ocf::Outcome o = agent_.Execute({"stop"}, env, host_, &log_);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("(out of time): vgc/data (open: no); vgc/logs held by: pid 4242 "
                               "(sleep)"));
  EXPECT_LT(Count(kDeactivate), 5);
}

TEST_F(LvmVgTest, LvmNotInstalled) {
  host_.ReplyStatus(kVgs, Status::NotInstalled("program 'lvm' not found"));
  EXPECT_EQ(Run("start").exit_code, 5);
  EXPECT_EQ(Run("stop").exit_code, 0) << "nothing can be active without lvm";
  EXPECT_EQ(Run("monitor").exit_code, 7);
  EXPECT_EQ(Run("monitor", {}, true).exit_code, 1);
}

TEST_F(LvmVgTest, LvmFailingIsAnErrorEvenOnStop) {
  host_.Reply(kVgs, "", 5, "  Couldn't create lock file /run/lock/lvm/V_vgc: Permission denied");
  for (const char* action : {"start", "stop", "monitor"}) {
    ocf::Outcome o = Run(action);
    EXPECT_EQ(o.exit_code, 1) << action;
    EXPECT_THAT(o.err, HasSubstr("lvm vgs exited 5: Couldn't create lock file")) << action;
  }
}

TEST_F(LvmVgTest, BadConfigurationIsRefusedEverywhereWithoutCommands) {
  // LVM-activate: an invalid vg_access_mode made stop exit 0 without deactivating anything.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"method", "clvm"},
      {"vgname", "vg;reboot"},
      {"vgname", "../etc"},
      {"vgname", "-ay"},
      {"vgname", ""},
      {"tag", "a b"},
      {"tag", "$(id)"},
      {"exclusive", "maybe"},
      {"activation_budget", "x"},
      {"vgname", std::string(200, 'v')},
  };
  for (const auto& [k, v] : bad) {
    for (const char* action : {"start", "stop", "monitor", "validate-all"}) {
      host_.ClearCommands();
      ocf::Outcome o = Run(action, {{k, v}});
      EXPECT_EQ(o.exit_code, 6) << action << " " << k << "=" << v;
      EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:")) << k << "=" << v;
      EXPECT_TRUE(host_.commands_run().empty()) << action << " " << k << "=" << v;
    }
  }
}

const Argv kSystemId = {"lvm", "systemid"};

TEST_F(LvmVgTest, SystemIdStartAndMonitor) {
  host_.Reply(kSystemId, Lvm("host_systemid_sp1.txt"));
  Vgs({"host_vgs_plain.json", "host_vgs_sysid_sp1.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_inactive.json", "guest_lvs_active.json"});
  const Argv take = {"lvm", "vgchange", "--systemid", "sp1", "vgc"};
  const Argv act = {"lvm", "vgchange", "-aey", "--activationmode", "complete", "vgc"};
  Ok(take);
  Ok(act);
  ocf::Outcome o = Run("start", {{"method", "system_id"}});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(Ran(take));
  EXPECT_TRUE(Ran(act));
  EXPECT_EQ(Run("monitor", {{"method", "system_id"}}, true).exit_code, 0);
}

TEST_F(LvmVgTest, SystemIdOfOnlineNodeIsRefused) {
  host_.Reply(kSystemId, Lvm("host_systemid_sp1.txt"));
  Vgs({"host_vgs_sysid_sp2.json"});
  Lvs({"guest_lvs_inactive.json"});
  host_.Reply(kCrmMon, Pcmk("crm_mon_sp1_online.xml"));
  ocf::Outcome o = Run("start", {{"method", "system_id"}});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("owned by sp2 (system ID sp2) and node sp2 is online"));
  EXPECT_FALSE(RanAnyChange());
}

TEST_F(LvmVgTest, SystemIdTakeoverFromFencedNode) {
  host_.Reply(kSystemId, Lvm("host_systemid_sp1.txt"));
  host_.Reply(kCrmMon, Pcmk("crm_mon_sp2_fenced.xml"));
  host_.Reply({"stonith_admin", "--history", "sp2", "--output-as=xml"},
              Pcmk("stonith_history_not_connected.xml"), 102);
  Vgs({"host_vgs_sysid_sp2.json", "host_vgs_sysid_sp1.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_inactive.json", "guest_lvs_active.json"});
  const Argv takeover = {
      "lvm",        "vgchange", "-y", "--config", "local/extra_system_ids=[\"sp2\"]",
      "--systemid", "sp1",      "vgc"};
  host_.Reply(takeover, Lvm("host_vgchange_takeover_sysid.txt"));
  Ok({"lvm", "vgchange", "-aey", "--activationmode", "complete", "vgc"});
  ocf::Outcome o = Run("start", {{"method", "system_id"}});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(Ran(takeover));
}

TEST_F(LvmVgTest, SystemIdStopClearsTheId) {
  host_.Reply(kSystemId, Lvm("host_systemid_sp1.txt"));
  Vgs({"host_vgs_sysid_sp1.json"});
  Lvs({"guest_lvs_active.json", "guest_lvs_inactive.json"});
  Ok(kDeactivate);
  const Argv drop = {"lvm", "vgchange", "-y", "--systemid", "", "vgc"};
  host_.Reply(drop, Lvm("host_vgchange_drop_sysid.txt"));
  EXPECT_EQ(Run("stop", {{"method", "system_id"}}).exit_code, 0);
  EXPECT_TRUE(Ran(drop));
}

TEST_F(LvmVgTest, SystemIdWithoutAnIdOnThisHostIsAConfigError) {
  host_.Reply(kSystemId, Lvm("host_systemid_none.txt"));
  ocf::Outcome o = Run("start", {{"method", "system_id"}});
  EXPECT_EQ(o.exit_code, 6);
  EXPECT_THAT(o.err, HasSubstr("this host has no LVM system ID"));
  EXPECT_FALSE(RanAnyChange());
}

TEST_F(LvmVgTest, FailoverBudgetWarnsAtStartAndMonitor) {
  Vgs({"host_vgs_plain.json", "guest_vgs_tag_sp1_active.json"});
  Lvs({"guest_lvs_inactive.json", "guest_lvs_inactive.json", "guest_lvs_snapshot_used.json"});
  Ok({"lvm", "vgchange", "--addtag", "pacemaker_sp1", "vgc"});
  Ok(kActivateSp1);
  // The activation takes 50 s (a large snapshot being read).
  host_.OnRun([this](const Command& c) {
    if (c.argv == kActivateSp1) host_.Advance(milliseconds(50'000));
  });
  ocf::Outcome o = Run("start", {{"activation_budget", "45s"}});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(log_.Text(), HasSubstr("failover budget exceeded: projected activation 50.0 s"));
  // 8 MiB COW area, 37.74% used.
  EXPECT_EQ(host_.FileContent("/run/rsc/sanha-lvm-vg-vg.activation"), "50000 3165860\n");

  o = Run("monitor", {{"activation_budget", "45s"}}, true);
  EXPECT_EQ(o.exit_code, 0) << "still running";
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:failover budget exceeded: projected activation "
                               "50.0 s"));
  EXPECT_THAT(o.err, HasSubstr("> activation_budget 45.0 s"));
  o = Run("monitor", {{"activation_budget", "60s"}}, true);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.err, Not(HasSubstr("ocf-exit-reason")));
}

const Argv kAllVgs = {"lvm",     "vgs", "--reportformat", "json", "--foreign",
                      "--units", "b",   "--nosuffix",     "-o",   lvm::kVgFields};

TEST_F(LvmVgTest, BootDeactivateFindsClusterVgsByOwnerTag) {
  host_.Reply(kAllVgs, Lvm("host_vgs_tag_sp1_backup.json"));
  Ok(kDeactivate);
  EXPECT_EQ(BootDeactivate(host_, log_, {}), 0);
  EXPECT_THAT(host_.commands_run(), ::testing::ElementsAre(kAllVgs, kDeactivate));
}

TEST_F(LvmVgTest, BootDeactivateLeavesOtherVgsAlone) {
  host_.Reply(kAllVgs, Lvm("host_vgs_backup_only.json"));
  Ok(kDeactivate);
  EXPECT_EQ(BootDeactivate(host_, log_, {}), 0);
  EXPECT_FALSE(Ran(kDeactivate)) << "a VG without an owner tag is not a cluster VG";
}

TEST_F(LvmVgTest, BootDeactivateUsesTheGivenTagPrefix) {
  host_.Reply(kAllVgs, Lvm("host_vgs_tag_sp1.json"));
  Ok(kDeactivate);
  EXPECT_EQ(BootDeactivate(host_, log_, {"--tag", "sanha"}), 0);
  EXPECT_FALSE(Ran(kDeactivate)) << "pacemaker_sp1 is no sanha_* owner tag";
}

TEST_F(LvmVgTest, BootDeactivateNamedVgsAndBadUsage) {
  StderrLogger quiet(LogLevel::kError);
  Ok(kDeactivate);
  EXPECT_EQ(BootDeactivate(host_, log_, {"vgc"}), 0);
  EXPECT_THAT(host_.commands_run(), ::testing::ElementsAre(kDeactivate));
  host_.ClearCommands();
  MemoryLogger errors;
  EXPECT_EQ(BootDeactivate(host_, errors, {"vg;x"}), 2);
  EXPECT_EQ(BootDeactivate(host_, errors, {"--bogus"}), 2);
  EXPECT_EQ(BootDeactivate(host_, errors, {"--tag", "a b"}), 2);
  EXPECT_TRUE(host_.commands_run().empty());
  host_.Reply({"lvm", "vgchange", "-an", "vgd"}, "", 5, "  Volume group \"vgd\" not found");
  EXPECT_EQ(BootDeactivate(host_, errors, {"vgd"}), 1);
  EXPECT_THAT(errors.Text(), HasSubstr("cannot deactivate vgd"));
}

}  // namespace
}  // namespace san::agents::lvm_vg
