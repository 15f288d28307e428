// TgtBackend: exact tgtadm argv vectors, stderr-based error classification on captured tgtadm
// errors, idempotent steps, the control socket in the environment, and FakeTgtd's fidelity to the
// real show layout (so the reconciler tests run against what tgtadm really prints).
#include "libsan/target/tgt_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "libsan/target/target_file.h"
#include "tests/support/fake_tgtd.h"
#include "tests/support/test_data.h"

namespace san::target::tgt {
namespace {

using san::testing::ReadTestData;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A captured error file: "exit N" then tgtadm's stderr.
Output Captured(const std::string& name) {
  std::string text = ReadTestData("tgtadm/" + name);
  Output out;
  out.exit_code = std::stoi(text.substr(5, text.find('\n') - 5));
  out.err = text.substr(text.find('\n') + 1);
  return out;
}

TEST(TgtBackendTest, ClassifiesCapturedErrors) {
  EXPECT_EQ(ClassifyTgtadm(Captured("err_no_target.txt")), TgtError::kNotFound);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_no_lun.txt")), TgtError::kNotFound);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_no_session.txt")), TgtError::kNotFound);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_no_account.txt")), TgtError::kNotFound);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_acl_absent.txt")), TgtError::kNotFound);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_target_exists.txt")), TgtError::kExists);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_lun_exists.txt")), TgtError::kExists);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_acl_exists.txt")), TgtError::kExists);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_account_exists.txt")), TgtError::kExists);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_outgoing_exists.txt")), TgtError::kExists);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_lun_active.txt")), TgtError::kBusy);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_invalid_option.txt")), TgtError::kInvalid);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_bad_path.txt")), TgtError::kInvalid);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_system_busy.txt")), TgtError::kInvalid);
  EXPECT_EQ(ClassifyTgtadm(Captured("err_daemon_down.txt")), TgtError::kDaemonDown);
  EXPECT_EQ(ClassifyTgtadm(Output{}), TgtError::kNone);
}

TEST(TgtBackendTest, FakeTgtdRendersExactlyWhatTgtadmPrints) {
  FakeHost host;
  testing::FakeTgtd tgtd(host);
  const std::string dir = "/tmp/sanha-tgtadm-capture/";
  host.SetFile(dir + "a1.img", std::string());
  host.SetBlockDevice(dir + "a1.img", 64 << 20);
  host.SetBlockDevice(dir + "a2.img", 32 << 20);
  host.SetBlockDevice(dir + "b1.img", 1500000);
  auto& t = tgtd.targets();
  t[1].name = "iqn.2024-01.test.sanha:alpha";
  t[1].acl = {"127.0.0.1", "192.0.2.0/24", "iqn.2024-01.test:client"};
  t[1].users = {"alpha-user"};
  t[1].outgoing = "alpha-out";
  t[1].luns[1] = {dir + "a1.img", "rdwr",  "AMHDSK-240101-01", "AMHDSK-240101-01", "", "",
                  false,          64 << 20};
  t[1].luns[2] = {dir + "a2.img", "aio", "ID-A2", "SN-A2", "", "", false, 32 << 20};
  t[2].name = "iqn.2024-01.test.sanha:beta";
  t[2].acl = {"ALL"};
  t[2].luns[1] = {dir + "b1.img", "rdwr", "B1", "B1", "", "", true, 1500000};
  t[3].name = "iqn.2024-01.test.sanha:alpha2";
  EXPECT_EQ(tgtd.ShowTargets(), ReadTestData("tgtadm/show_target_three.txt"));
}

TEST(TgtBackendTest, ReadStateUsesThreeShowsAndTheSocket) {
  FakeHost host;
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "target"}),
             ReadTestData("tgtadm/show_target_session.txt"));
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "account"}),
             ReadTestData("tgtadm/show_account.txt"));
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "system"}),
             ReadTestData("tgtadm/show_system_discovery.txt"));
  // Targets 2 and 3 are listed after target 1's initiator name: each is checked to exist.
  for (const char* tid : {"2", "3"}) {
    host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "target", "--tid", tid}),
               ReadTestData("tgtadm/show_target_params.txt"));
  }
  NullLogger log;
  TgtBackend backend(host, log, {"/run/t/sock", {}});
  Result<RunningState> s = backend.ReadState(true);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->targets.size(), 3u);
  EXPECT_TRUE(s->targets[0].luns[0].controller);
  EXPECT_EQ(s->targets[0].luns[1].mode, IoMode::kFileio);
  EXPECT_EQ(s->targets[0].luns[2].mode, IoMode::kBlockio);
  EXPECT_THAT(s->discovery_incoming, ElementsAre("disc-user"));
  EXPECT_TRUE(s->anomalies.empty());
  ASSERT_EQ(host.full_commands().size(), 5u);
  for (const auto& c : host.full_commands()) {
    EXPECT_THAT(c.extra_env, ElementsAre("TGT_IPC_SOCKET=/run/t/sock"));
  }
  host.ClearCommands();
  ASSERT_TRUE(backend.ReadState(false).ok());
  EXPECT_EQ(host.commands_run().size(), 3u) << "the cheap read: one listing, two tid checks";
}

// tgtd's real answers while a hostile initiator had forged "Target 3:" (capture_hostile.sh):
// the backend asks for tid 3, learns it does not exist, and gives target 2 its LUNs back.
TEST(TgtBackendTest, ForgedTargetLinesAreCheckedWithTheDaemon) {
  FakeHost host;
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "target"}),
             ReadTestData("tgtadm/hostile_forged_target.txt"));
  Output missing = Captured("err_no_target_tid3.txt");
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "target", "--tid", "3"}), missing.out,
             missing.exit_code, missing.err);
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "target", "--tid", "5"}),
             ReadTestData("tgtadm/show_target_params_tid5.txt"));
  NullLogger log;
  TgtBackend backend(host, log, {"", {}});
  Result<RunningState> s = backend.ReadState(false);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->targets.size(), 2u);
  EXPECT_EQ(s->targets[0].tid, 2);
  EXPECT_EQ(s->targets[0].luns.size(), 2u);
  EXPECT_EQ(s->targets[1].tid, 5);
  EXPECT_FALSE(s->anomalies.empty());
  EXPECT_EQ(s->Find("iqn.2024-01.test.sanha:ghost"), nullptr);
}

TEST(TgtBackendTest, DaemonDownIsAValueOrNotFound) {
  FakeHost host;
  Output down = Captured("err_daemon_down.txt");
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "system"}), "", down.exit_code, down.err);
  host.Reply(TgtBackend::Argv({"--op", "show", "--mode", "target"}), "", down.exit_code, down.err);
  NullLogger log;
  TgtBackend backend(host, log, {});
  Result<bool> up = backend.DaemonRunning();
  ASSERT_TRUE(up.ok());
  EXPECT_FALSE(*up);
  Result<RunningState> s = backend.ReadState(true);
  EXPECT_EQ(s.status().code(), Code::kNotFound);
}

TEST(TgtBackendTest, ExactArgvForEachStep) {
  FakeHost host;
  host.SetDefault([](const Command&) -> Result<Output> { return Output{}; });
  NullLogger log;
  TgtBackend backend(host, log, {});
  Step add;
  add.kind = StepKind::kAddLun;
  add.tid = 3;
  add.lun.number = 2;
  add.lun.path = "/dev/vg/lv";
  add.lun.mode = IoMode::kBlockio;
  add.lun.scsi_id = "ID";
  add.lun.scsi_sn = "SN";
  add.lun.readonly = true;
  ASSERT_TRUE(backend.Execute(add).ok());
  Step acl;
  acl.kind = StepKind::kBindInitiator;
  acl.tid = 3;
  acl.name = "iqn.2024-01.test:c";
  ASSERT_TRUE(backend.Execute(acl).ok());
  Step out;
  out.kind = StepKind::kUnbindUser;
  out.tid = 3;
  out.name = "u";
  out.outgoing = true;
  ASSERT_TRUE(backend.Execute(out).ok());
  Step disc;
  disc.kind = StepKind::kBindDiscovery;
  disc.name = "d";
  ASSERT_TRUE(backend.Execute(disc).ok());
  EXPECT_THAT(
      host.commands_run(),
      ElementsAre(TgtBackend::Argv({"--op", "new", "--mode", "logicalunit", "--tid", "3", "--lun",
                                    "2", "--backing-store", "/dev/vg/lv", "--bstype", "aio"}),
                  TgtBackend::Argv({"--op", "update", "--mode", "logicalunit", "--tid", "3",
                                    "--lun", "2", "--params", "scsi_id=ID,scsi_sn=SN,readonly=1"}),
                  TgtBackend::Argv({"--op", "bind", "--mode", "target", "--tid", "3",
                                    "--initiator-name", "iqn.2024-01.test:c"}),
                  TgtBackend::Argv({"--op", "unbind", "--mode", "account", "--tid", "3", "--user",
                                    "u", "--outgoing"}),
                  TgtBackend::Argv({"--op", "bind", "--mode", "account", "--user", "d"})));
}

TEST(TgtBackendTest, IdempotentStepsAndBusyRetries) {
  FakeHost host;
  NullLogger log;
  TgtBackend backend(host, log, {});
  Output gone = Captured("err_no_lun.txt");
  Output busy = Captured("err_lun_active.txt");
  const auto del =
      TgtBackend::Argv({"--op", "delete", "--mode", "logicalunit", "--tid", "1", "--lun", "4"});
  host.Reply(del, "", busy.exit_code, busy.err);
  host.Reply(del, "", busy.exit_code, busy.err);
  host.Reply(del, "", gone.exit_code, gone.err);
  Step s;
  s.kind = StepKind::kDeleteLun;
  s.tid = 1;
  s.lun.number = 4;
  ASSERT_TRUE(backend.Execute(s).ok()) << "busy twice, then already gone: fine";
  EXPECT_EQ(host.commands_run().size(), 3u);
  EXPECT_EQ(host.total_slept(), milliseconds(200));

  FakeHost always_busy;
  TgtBackend b2(always_busy, log, {});
  always_busy.Reply(del, "", busy.exit_code, busy.err);
  Status st = b2.Execute(s);
  EXPECT_EQ(st.code(), Code::kBusy);
  EXPECT_THAT(st.message(), HasSubstr("this logical unit is still active"));
  EXPECT_LE(always_busy.total_slept(), milliseconds(10'100)) << "bounded";
}

TEST(TgtBackendTest, CheckConfigRefusesLunZeroAndUnknownOptions) {
  NullLogger log;
  FakeHost host;
  TgtBackend backend(host, log, {});
  Result<TargetConfig> c = ParseTargetFile("target iqn.2024-01.t:a\n lun 0 /a\n", "t.conf");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(backend.CheckConfig(*c).message(),
            "t.conf:2: lun 0: LUN 0 is tgt's controller LUN; number data LUNs from 1");
  c = ParseTargetFile("option Bogus 1\ntarget iqn.2024-01.t:a\n", "t.conf");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(backend.CheckConfig(*c).message(), HasSubstr("Bogus is not a tgt target parameter"));
}

TEST(TgtBackendTest, PersistentConfigInTgtSyntax) {
  NullLogger log;
  FakeHost host;
  TgtBackend backend(host, log, {});
  Result<TargetConfig> c = ParseTargetFile(
      "incoming-user d disc-secret-123\noption MaxBurstLength 65536\n"
      "target iqn.2024-01.t:a\n allow-address 192.0.2.1\n incoming-user u user-secret-12\n"
      " lun 1 /dev/vg/a scsi_idsn=S1 mode=blockio readonly\n",
      "t.conf");
  ASSERT_TRUE(c.ok());
  Result<std::string> text = backend.PersistentConfig(*c);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("incomingdiscoveryuser d disc-secret-123\n"));
  EXPECT_THAT(*text, HasSubstr("<target iqn.2024-01.t:a>\n    controller_tid 1\n"
                               "    <backing-store /dev/vg/a>\n"
                               "        lun 1\n        bs-type aio\n        scsi_id S1\n"
                               "        scsi_sn S1\n        readonly 1\n    </backing-store>\n"
                               "    initiator-address 192.0.2.1\n"
                               "    incominguser u user-secret-12\n"
                               "    MaxBurstLength 65536\n</target>\n"));
}

// Pinned tids survive a boot: tgt-admin takes `controller_tid`; unpinned targets get the tid an
// apply on an empty daemon would give them, so tgt-admin's own numbering cannot collide with a
// pin further down the file.
TEST(TgtBackendTest, PersistentConfigPinsEveryTid) {
  NullLogger log;
  FakeHost host;
  TgtBackend backend(host, log, {});
  Result<TargetConfig> c = ParseTargetFile(
      "target iqn.2024-01.t:a\ntarget iqn.2024-01.t:b\n tid 1\ntarget iqn.2024-01.t:c\n"
      "target iqn.2024-01.t:d\n tid 07\n",
      "t.conf");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<std::string> text = backend.PersistentConfig(*c);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("<target iqn.2024-01.t:a>\n    controller_tid 2\n"));
  EXPECT_THAT(*text, HasSubstr("<target iqn.2024-01.t:b>\n    controller_tid 1\n"));
  EXPECT_THAT(*text, HasSubstr("<target iqn.2024-01.t:c>\n    controller_tid 3\n"));
  EXPECT_THAT(*text, HasSubstr("<target iqn.2024-01.t:d>\n    controller_tid 7\n"));
  // A value outside the class (a TargetConfig built by hand) never reaches tgt-admin's shell.
  TargetConfig bad = *c;
  LunSpec hostile;
  hostile.number = 1;
  hostile.path = "/dev/x;reboot";
  bad.targets[0].luns.push_back(hostile);
  EXPECT_EQ(backend.PersistentConfig(bad).status().code(), Code::kInvalidConfig);
}

}  // namespace
}  // namespace san::target::tgt
