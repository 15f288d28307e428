// The reconciler on FakeTgtd + FakeIptables: idempotence, the exact resize sequence (hold →
// close sessions → delete LU → re-add with the same identity → release), stale removal, and
// convergence after a crash at every kill point with nothing left blocked.
#include "libsan/target/reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "libsan/target/target_file.h"
#include "libsan/target/tgt_backend.h"
#include "tests/support/fake_iptables.h"
#include "tests/support/fake_tgtd.h"

namespace san::target {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFile[] =
    "iqn-prefix iqn.2024-01.test\n"
    "target alpha\n"
    "  allow-address 192.0.2.50\n"
    "  lun 1 /dev/vg/a scsi_idsn=AMHDSK-240101-01 vendor=SANHA\n"
    "  lun 2 /dev/vg/b scsi_id=ID-B scsi_sn=SN-B mode=blockio\n"
    "target beta\n"
    "  lun 1 /dev/vg/c scsi_idsn=AMHDSK-240101-03 readonly\n";

class ReconcileTest : public ::testing::Test {
 protected:
  ReconcileTest() : iptables_(fw_host_), tgtd_(host_, &fw_host_), backend_(host_, log_, {}) {
    host_.SetBlockDevice("/dev/vg/a", 64 << 20);
    host_.SetBlockDevice("/dev/vg/b", 32 << 20);
    host_.SetBlockDevice("/dev/vg/c", 16 << 20);
    options_.state_dir = "/run/sanha/target";
    options_.firewall = "iptables";
    empty_ = iptables_.Save("iptables");
    // An initiator whose packets are dropped cannot log back in.
    tgtd_.SetHeldCheck([this](const std::string& address) {
      return iptables_.Save("iptables").find("-s " + address + "/32") != std::string::npos;
    });
    Load(kFile);
  }

  void Load(const std::string& text) {
    Result<TargetConfig> c = ParseTargetFile(text, "t.conf");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
  }
  Result<ApplyReport> Run() { return Apply(host_, log_, backend_, config_, options_); }
  std::vector<Step> PlanNow() {
    Result<Inspection> ins = Inspect(host_, backend_, config_, options_);
    EXPECT_TRUE(ins.ok()) << ins.status().ToString();
    return ins.ok() ? ins->plan : std::vector<Step>{};
  }
  // The tgtadm commands that change something, in order, without the common prefix.
  std::vector<std::string> Changes() const {
    std::vector<std::string> out;
    for (const auto& argv : host_.commands_run()) {
      if (argv[0] != "tgtadm" || argv[4] == "show") continue;
      std::string line;
      for (size_t i = 3; i < argv.size(); ++i) line += (i > 3 ? " " : "") + argv[i];
      out.push_back(line);
    }
    return out;
  }

  FakeHost host_, fw_host_;
  testing::FakeIptables iptables_;
  testing::FakeTgtd tgtd_;
  MemoryLogger log_;
  tgt::TgtBackend backend_;
  ReconcileOptions options_;
  TargetConfig config_;
  std::string empty_;
};

TEST_F(ReconcileTest, BringsUpEverythingThenPlansNothing) {
  Result<ApplyReport> r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(tgtd_.targets().size(), 2u);
  const auto& a = tgtd_.targets().at(1);
  EXPECT_EQ(a.name, "iqn.2024-01.test:alpha");
  EXPECT_THAT(a.acl, ElementsAre("192.0.2.50"));
  EXPECT_EQ(a.luns.at(1).scsi_sn, "AMHDSK-240101-01");
  EXPECT_EQ(a.luns.at(1).vendor, "SANHA");
  EXPECT_EQ(a.luns.at(2).bstype, "aio");
  // No allow line: every initiator (the stock agent bound no ACL and refused everyone).
  EXPECT_THAT(tgtd_.targets().at(2).acl, ElementsAre("ALL"));
  EXPECT_TRUE(tgtd_.targets().at(2).luns.at(1).readonly);
  EXPECT_EQ(iptables_.Save("iptables"), empty_) << "nothing to hold for new targets";

  const int changes = tgtd_.changes();
  host_.ClearCommands();
  r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->executed.empty());
  EXPECT_EQ(tgtd_.changes(), changes);
  EXPECT_TRUE(Changes().empty());
  EXPECT_EQ(host_.commands_run().size(), 3u)
      << "a no-op apply is one read: target, account, system";
  EXPECT_TRUE(PlanNow().empty());
}

TEST_F(ReconcileTest, ResizeHoldsClosesReaddsAndReleases) {
  ASSERT_TRUE(Run().ok());
  tgtd_.AddSession(1, "iqn.2024-01.test:client", "192.0.2.50", /*reconnect=*/true);
  host_.SetBlockDevice("/dev/vg/a", 96 << 20);
  std::vector<Step> plan = PlanNow();
  ASSERT_EQ(plan.size(), 5u);
  EXPECT_EQ(plan[0].Describe(), "hold initiators 192.0.2.50 of target 1 (iqn.2024-01.test:alpha)");
  EXPECT_EQ(plan[2].Describe(),
            "delete target 1 (iqn.2024-01.test:alpha) lun 1 /dev/vg/a — size is 64 MiB, backing "
            "device is now 96 MiB");

  host_.ClearCommands();
  std::vector<std::string> blocked_during;
  host_.OnRun([&](const Command& cmd) {
    if (cmd.argv[0] == "tgtadm" && cmd.argv.size() > 6 && cmd.argv[6] == "logicalunit") {
      blocked_during.push_back(iptables_.Save("iptables"));
    }
  });
  Result<ApplyReport> r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Changes(),
              ElementsAre("--op delete --mode conn --tid 1 --sid 1 --cid 0",
                          "--op delete --mode logicalunit --tid 1 --lun 1",
                          "--op new --mode logicalunit --tid 1 --lun 1 --backing-store /dev/vg/a "
                          "--bstype rdwr",
                          "--op update --mode logicalunit --tid 1 --lun 1 --params "
                          "scsi_id=AMHDSK-240101-01,scsi_sn=AMHDSK-240101-01,vendor_id=SANHA"));
  ASSERT_EQ(blocked_during.size(), 3u);
  for (const auto& rules : blocked_during) {
    EXPECT_THAT(rules, HasSubstr("-s 192.0.2.50/32 -p tcp -m tcp --dport 3260 "
                                 "--tcp-flags FIN,SYN,RST,ACK SYN -j DROP"));
  }
  EXPECT_EQ(iptables_.Save("iptables"), empty_) << "the hold is lifted";
  EXPECT_EQ(tgtd_.targets().at(1).luns.at(1).size, 96u << 20);
  EXPECT_EQ(tgtd_.targets().at(1).luns.at(1).scsi_id, "AMHDSK-240101-01");
  EXPECT_FALSE(host_.HasFile("/run/sanha/target/journal"));
  EXPECT_TRUE(PlanNow().empty());
  EXPECT_THAT(log_.Text(), HasSubstr("were held for"));
}

TEST_F(ReconcileTest, GrowthBelowTgtsMegabyteIsSeenThroughTheRecord) {
  ASSERT_TRUE(Run().ok());
  host_.SetBlockDevice("/dev/vg/a", (64 << 20) + 4096);  // same "67 MB" in tgt's report
  std::vector<Step> plan = PlanNow();
  ASSERT_FALSE(plan.empty());
  EXPECT_THAT(plan[2].why, HasSubstr("backing device is now 64.00 MiB (67112960 bytes)"));
}

TEST_F(ReconcileTest, StaleLunsAndTargetsAreRemovedGracefully) {
  ASSERT_TRUE(Run().ok());
  tgtd_.AddSession(2, "iqn.2024-01.test:other", "192.0.2.60");
  Load(
      "iqn-prefix iqn.2024-01.test\ntarget alpha\n  allow-address 192.0.2.50\n"
      "  lun 1 /dev/vg/a scsi_idsn=AMHDSK-240101-01 vendor=SANHA\n");
  options_.remove_stale = false;
  std::vector<Step> kept = PlanNow();
  EXPECT_TRUE(kept.empty()) << kept.front().Describe();
  options_.remove_stale = true;
  host_.ClearCommands();
  Result<ApplyReport> r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Changes(), ElementsAre("--op delete --mode logicalunit --tid 1 --lun 2",
                                     "--op delete --mode conn --tid 2 --sid 1 --cid 0",
                                     "--op delete --mode target --tid 2"));
  EXPECT_EQ(tgtd_.targets().size(), 1u);
  EXPECT_EQ(iptables_.Save("iptables"), empty_);
}

TEST_F(ReconcileTest, EveryKillPointConvergesAndLeavesNothingBlocked) {
  for (const char* point : {"hold", "close-sessions", "delete-lun", "add-lun", "release"}) {
    SCOPED_TRACE(point);
    FakeHost host, fw_host;
    testing::FakeIptables iptables(fw_host);
    testing::FakeTgtd tgtd(host, &fw_host);
    tgtd.SetHeldCheck([&](const std::string& address) {
      return iptables.Save("iptables").find("-s " + address + "/32") != std::string::npos;
    });
    host.SetBlockDevice("/dev/vg/a", 64 << 20);
    host.SetBlockDevice("/dev/vg/b", 32 << 20);
    host.SetBlockDevice("/dev/vg/c", 16 << 20);
    tgt::TgtBackend backend(host, log_, {});
    ASSERT_TRUE(Apply(host, log_, backend, config_, options_).ok());
    tgtd.AddSession(1, "iqn.2024-01.test:client", "192.0.2.50", true);
    host.SetBlockDevice("/dev/vg/a", 128 << 20);

    ReconcileOptions crashing = options_;
    crashing.kill_point = [&](std::string_view p) { return p == point; };
    Result<ApplyReport> crashed = Apply(host, log_, backend, config_, crashing);
    ASSERT_FALSE(crashed.ok());
    EXPECT_THAT(crashed.status().message(), HasSubstr(std::string("kill point ") + point));
    if (std::string(point) != "release") {
      EXPECT_TRUE(host.HasFile("/run/sanha/target/journal")) << "the hold is journaled";
      EXPECT_THAT(iptables.Save("iptables"), HasSubstr("192.0.2.50")) << "crashed while held";
    }
    Result<ApplyReport> rerun = Apply(host, log_, backend, config_, options_);
    ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
    EXPECT_EQ(iptables.Save("iptables"), iptables_.Save("iptables")) << "nothing stays blocked";
    EXPECT_FALSE(host.HasFile("/run/sanha/target/journal"));
    const auto& lun = tgtd.targets().at(1).luns.at(1);
    EXPECT_EQ(lun.size, 128u << 20);
    EXPECT_EQ(lun.scsi_id, "AMHDSK-240101-01");
    EXPECT_EQ(lun.scsi_sn, "AMHDSK-240101-01");
    Result<Inspection> after = Inspect(host, backend, config_, options_);
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->plan.empty()) << after->plan.front().Describe();
  }
}

TEST_F(ReconcileTest, AFailureInsideTheHoldStillReleasesIt) {
  ASSERT_TRUE(Run().ok());
  tgtd_.AddSession(1, "iqn.2024-01.test:client", "192.0.2.50", true);
  host_.SetBlockDevice("/dev/vg/a", 96 << 20);
  // The backing device vanishes between delete and re-add (an LV removed by someone).
  host_.OnRun([&](const Command& cmd) {
    if (cmd.argv.size() > 4 && cmd.argv[4] == "new" && cmd.argv[6] == "logicalunit") {
      host_.RemoveFile("/dev/vg/a").IgnoreError();
    }
  });
  Result<ApplyReport> r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("add lun 1 to target 1: tgtadm exited 22"));
  EXPECT_EQ(iptables_.Save("iptables"), empty_);
  EXPECT_FALSE(host_.HasFile("/run/sanha/target/journal"));
}

TEST_F(ReconcileTest, ChangedSecretRecreatesTheAccountAndNeverShowsIt) {
  Load(std::string(kFile) + "  incoming-user beta-user first-secret-1\n");
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(tgtd_.accounts().at("beta-user"), "first-secret-1");
  Load(std::string(kFile) + "  incoming-user beta-user second-secret-2\n");
  host_.ClearCommands();
  std::vector<Step> plan = PlanNow();
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].Describe(),
            "unbind account beta-user from target 2 (iqn.2024-01.test:beta) — secret changed");
  for (const auto& s : plan) EXPECT_THAT(s.Describe(), ::testing::Not(HasSubstr("second")));
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(tgtd_.accounts().at("beta-user"), "second-secret-2");
  EXPECT_THAT(tgtd_.targets().at(2).users, ElementsAre("beta-user"));
  for (const auto& cmd : host_.full_commands()) {
    if (cmd.argv.size() > 9 && cmd.argv[9] == "--password") {
      EXPECT_EQ(cmd.LoggableArgv(),
                "tgtadm --lld iscsi --op new --mode account --user beta-user --password ***");
    }
  }
  EXPECT_THAT(log_.Text(), ::testing::Not(HasSubstr("second-secret")));
  EXPECT_THAT(host_.FileContent("/run/sanha/target/records"),
              ::testing::Not(HasSubstr("second-secret")));
}

// tgt admits an address OR a name: with names only, ALL must not be bound (it admits any name).
TEST_F(ReconcileTest, InitiatorNamesOnlyBindNoAddress) {
  Load("target iqn.2024-01.test:n\n  allow-initiator iqn.2024-01.test:ok\n  lun 1 /dev/vg/a\n");
  ASSERT_TRUE(Run().ok());
  EXPECT_THAT(tgtd_.targets().at(1).acl, ElementsAre("iqn.2024-01.test:ok"));
  Load("target iqn.2024-01.test:n\n  lun 1 /dev/vg/a\n");
  ASSERT_TRUE(Run().ok());
  EXPECT_THAT(tgtd_.targets().at(1).acl, ElementsAre("ALL"));
}

TEST_F(ReconcileTest, DaemonDownIsNotFound) {
  tgtd_.set_running(false);
  Result<ApplyReport> r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("tgtd is not running"));
}

TEST_F(ReconcileTest, LockIsHeldDuringApply) {
  std::set<std::string> seen;
  host_.OnRun([&](const Command&) {
    for (const auto& l : host_.held_locks()) seen.insert(l);
  });
  ASSERT_TRUE(Run().ok());
  EXPECT_TRUE(seen.count("/run/sanha/target/lock"));
  EXPECT_TRUE(seen.count("/run/lock/sanha/tgt_3a_2frun_2ftgtd_2fsocket.lock"));
  EXPECT_TRUE(host_.held_locks().empty());
}

// Two applies with different state dirs against one daemon used to run interleaved: the lock
// was only the state dir's. Now the daemon's own lock (named after its socket) is taken first.
TEST_F(ReconcileTest, RunsWithDifferentStateDirsOnOneDaemonAreSerialised) {
  const std::string daemon_lock = DaemonLockPath(backend_, options_);
  EXPECT_EQ(daemon_lock, "/run/lock/sanha/tgt_3a_2frun_2ftgtd_2fsocket.lock");
  Result<std::unique_ptr<LockHandle>> other = host_.Lock(daemon_lock, milliseconds(0));
  ASSERT_TRUE(other.ok());
  options_.state_dir = "/run/sanha/other";
  Result<ApplyReport> r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBusy);
  EXPECT_THAT(r.status().message(), HasSubstr(daemon_lock));
  EXPECT_EQ(tgtd_.changes(), 0);
  EXPECT_EQ(RemoveConfigured(host_, log_, backend_, config_, options_).code(), Code::kBusy);
  other->reset();
  ASSERT_TRUE(Run().ok());
}

TEST_F(ReconcileTest, EverySpellingOfOneSocketIsOneDaemon) {
  auto id = [this](const std::string& socket) {
    BackendOptions o;
    o.socket = socket;
    return tgt::TgtBackend(host_, log_, o).DaemonIdentity();
  };
  EXPECT_EQ(id(""), "tgt:/run/tgtd/socket");
  EXPECT_EQ(id("/var/run/tgtd/socket"), id("/run/tgtd/socket"));
  EXPECT_EQ(id("/run//tgtd/./socket"), id("/run/tgtd/socket"));
  EXPECT_NE(id("/run/tgtd/socket2"), id("/run/tgtd/socket"));
}

// A journal entry poisoned by an invalid firewall value (a CLI run that skipped validation) made
// every later run fail, stop included (a failed stop gets the node fenced).
TEST_F(ReconcileTest, AJournalEntryThatCannotBeReplayedNeverBlocksStop) {
  ASSERT_TRUE(Run().ok());
  ASSERT_TRUE(host_
                  .WriteFileAtomically("/run/sanha/target/journal",
                                       "hold 9 iqn.2024-01.test:gone src=192.0.2.50 "
                                       "fw=nft;reboot chain=sanha-target ports=3260\n")
                  .ok());
  Status stopped = RemoveConfigured(host_, log_, backend_, config_, options_);
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_TRUE(tgtd_.targets().empty());
  EXPECT_FALSE(host_.HasFile("/run/sanha/target/journal"));
  EXPECT_THAT(log_.Text(), HasSubstr("discarding the journal entry of target "
                                     "iqn.2024-01.test:gone that cannot be replayed"));
  // A journal that cannot even be parsed: kept aside, never blocking.
  ASSERT_TRUE(Run().ok());
  ASSERT_TRUE(host_.WriteFileAtomically("/run/sanha/target/journal", "hold x\n").ok());
  stopped = RemoveConfigured(host_, log_, backend_, config_, options_);
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_TRUE(tgtd_.targets().empty());
  EXPECT_EQ(host_.FileContent("/run/sanha/target/journal.discarded"), "hold x\n");
  EXPECT_FALSE(host_.HasFile("/run/sanha/target/journal"));
  // A valid entry still lifts its hold.
  EXPECT_EQ(iptables_.Save("iptables"), empty_);
}

}  // namespace
}  // namespace san::target
