// tgtadm --op show parsers on output captured from tgt 1.0.85 (tests/data/tgtadm/capture.sh).
#include "libsan/target/tgtadm_show.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "tests/support/test_data.h"

namespace san::target::tgt {
namespace {

using san::testing::ReadTestData;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TgtadmShowTest, EmptyDaemon) {
  Result<TargetListing> t = ParseShowTargets(ReadTestData("tgtadm/show_target_empty.txt"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->targets.empty());
  Result<std::vector<std::string>> a =
      ParseShowAccounts(ReadTestData("tgtadm/show_account_empty.txt"));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
  Result<DiscoveryAccounts> d = ParseShowSystemAccounts(ReadTestData("tgtadm/show_system.txt"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->incoming.empty());
  EXPECT_FALSE(d->outgoing);
}

TEST(TgtadmShowTest, ThreeTargetsExactly) {
  Result<TargetListing> l = ParseShowTargets(ReadTestData("tgtadm/show_target_three.txt"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->anomalies.empty());
  EXPECT_TRUE(l->unverified_tids.empty());
  const std::vector<RunningTarget>* r = &l->targets;
  ASSERT_EQ(r->size(), 3u);
  const RunningTarget& a = (*r)[0];
  EXPECT_EQ(a.tid, 1);
  EXPECT_EQ(a.name, "iqn.2024-01.test.sanha:alpha");
  EXPECT_THAT(a.acl, ElementsAre("127.0.0.1", "192.0.2.0/24", "iqn.2024-01.test:client"));
  EXPECT_THAT(a.incoming_users, ElementsAre("alpha-user"));
  EXPECT_EQ(a.outgoing_user, "alpha-out");
  EXPECT_TRUE(a.sessions.empty());
  ASSERT_EQ(a.luns.size(), 3u);
  EXPECT_EQ(a.luns[0].type, "controller");
  EXPECT_EQ(a.luns[0].scsi_id, "IET     00010000");
  EXPECT_EQ(a.luns[0].path, "");
  const RunningLun& l1 = a.luns[1];
  EXPECT_EQ(l1.number, 1);
  EXPECT_EQ(l1.scsi_id, "AMHDSK-240101-01");
  EXPECT_EQ(l1.scsi_sn, "AMHDSK-240101-01");
  EXPECT_EQ(l1.size_mb, 67u);  // 64 MiB in tgt's decimal MB
  EXPECT_EQ(l1.backing_type, "rdwr");
  EXPECT_EQ(l1.path, "/tmp/sanha-tgtadm-capture/a1.img");
  EXPECT_FALSE(l1.readonly);
  EXPECT_EQ(a.luns[2].backing_type, "aio");
  EXPECT_EQ(a.luns[2].size_mb, 34u);  // 32 MiB
  const RunningTarget& b = (*r)[1];
  EXPECT_THAT(b.acl, ElementsAre("ALL"));
  EXPECT_TRUE(b.luns[1].readonly);
  EXPECT_EQ(b.luns[1].size_mb, 1u);  // 1,500,000 bytes
  EXPECT_TRUE((*r)[2].acl.empty());
}

TEST(TgtadmShowTest, SessionsWithAddresses) {
  Result<TargetListing> l = ParseShowTargets(ReadTestData("tgtadm/show_target_session.txt"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->anomalies.empty());
  // Targets 2 and 3 come after an initiator name: the backend asks whether they exist.
  EXPECT_THAT(l->unverified_tids, ElementsAre(2, 3));
  const std::vector<RunningTarget>* r = &l->targets;
  ASSERT_EQ((*r)[0].sessions.size(), 1u);
  const Session& s = (*r)[0].sessions[0];
  EXPECT_EQ(s.id, 1u);
  EXPECT_EQ(s.initiator, "iqn.2024-01.test:client");
  ASSERT_EQ(s.connections.size(), 1u);
  EXPECT_EQ(s.connections[0].first, 0);
  EXPECT_EQ(s.connections[0].second, "127.0.0.1");
}

TEST(TgtadmShowTest, AccountsAndDiscovery) {
  Result<std::vector<std::string>> a = ParseShowAccounts(ReadTestData("tgtadm/show_account.txt"));
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(*a, ElementsAre("disc-out", "disc-user", "alpha-out", "alpha-user"));
  Result<DiscoveryAccounts> d =
      ParseShowSystemAccounts(ReadTestData("tgtadm/show_system_discovery.txt"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_THAT(d->incoming, ElementsAre("disc-user"));
  EXPECT_EQ(d->outgoing, "disc-out");
}

TEST(TgtadmShowTest, TargetParams) {
  Result<std::map<std::string, std::string>> p =
      ParseShowTargetParams(ReadTestData("tgtadm/show_target_params.txt"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->at("MaxRecvDataSegmentLength"), "65536");
  EXPECT_EQ(p->at("MaxBurstLength"), "262144");
  EXPECT_EQ(p->size(), 26u);
}

TEST(TgtadmShowTest, UnknownLayoutIsCorruptionNamingTheLine) {
  std::string text = ReadTestData("tgtadm/show_target_three.txt");
  text.insert(text.find("    LUN information:"), "    Mystery section:\n");
  Result<TargetListing> r = ParseShowTargets(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("line 6: unknown section"));
  EXPECT_FALSE(ParseShowTargets("Target x: iqn.a\n").ok());
  EXPECT_FALSE(ParseShowTargets("    LUN: 1\n").ok());
  EXPECT_FALSE(ParseShowAccounts("Accounts:\n").ok());
}

// ---- listings captured while a hostile initiator was logged in (capture_hostile.sh) ----------

// The first pass cannot tell a forged "Target 3:" from a real one; it marks every target line
// after an initiator name for the backend to check. With tid 3 known not to exist, the second
// pass gives target 2 its real LUNs back and drops the ghost.
TEST(TgtadmShowHostileTest, ForgedTargetIsNeutralisedOnceKnownMissing) {
  const std::string text = ReadTestData("tgtadm/hostile_forged_target.txt");
  Result<TargetListing> first = ParseShowTargets(text);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_THAT(first->unverified_tids, ElementsAre(3, 5));
  Result<TargetListing> l = ParseShowTargets(text, {3});
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->targets.size(), 2u);
  EXPECT_EQ(l->targets[0].tid, 2);
  EXPECT_EQ(l->targets[0].name, "iqn.2024-01.test.sanha:alpha");
  ASSERT_EQ(l->targets[0].luns.size(), 2u);
  EXPECT_EQ(l->targets[0].luns[1].path, "/tmp/sanha-tgtadm-capture/a1.img");
  EXPECT_THAT(l->targets[0].acl, ElementsAre("ALL"));
  EXPECT_EQ(l->targets[1].tid, 5);
  EXPECT_EQ(l->targets[1].name, "iqn.2024-01.test.sanha:gamma");
  EXPECT_EQ(l->targets[1].luns.size(), 2u);
  EXPECT_EQ(l->targets[1].sessions.size(), 0u);
  ASSERT_FALSE(l->anomalies.empty());
  EXPECT_THAT(l->anomalies[0], HasSubstr("initiator name without ' alias:'"));
  EXPECT_THAT(l->anomalies, ::testing::Contains(HasSubstr("target 3 does not exist")));
  // Nothing of the ghost survives.
  for (const auto& t : l->targets) EXPECT_NE(t.name, "iqn.2024-01.test.sanha:ghost");
}

TEST(TgtadmShowHostileTest, RepeatedTidIsAnAnomaly) {
  Result<TargetListing> l = ParseShowTargets(ReadTestData("tgtadm/hostile_duplicate_tid.txt"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_THAT(l->anomalies, ::testing::Contains(HasSubstr("out of tid order or listed twice")));
  // Target 5 is listed once only: the copy is set aside.
  int fives = 0;
  for (const auto& t : l->targets) fives += t.tid == 5;
  EXPECT_EQ(fives, 1);
}

TEST(TgtadmShowHostileTest, ForgedSectionInsideTheTargetIsAnAnomaly) {
  Result<TargetListing> l = ParseShowTargets(ReadTestData("tgtadm/hostile_forged_lun.txt"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_THAT(l->anomalies, ::testing::Contains(HasSubstr("section out of order or repeated")));
  ASSERT_EQ(l->targets.size(), 2u);
  for (const auto& lun : l->targets[0].luns) EXPECT_NE(lun.number, 9);
}

TEST(TgtadmShowHostileTest, GarbageNameDoesNotFailTheParse) {
  Result<TargetListing> l = ParseShowTargets(ReadTestData("tgtadm/hostile_garbage.txt"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->targets.size(), 2u);
  EXPECT_EQ(l->targets[0].luns.size(), 2u);
  ASSERT_EQ(l->targets[0].sessions.size(), 1u);
  EXPECT_TRUE(l->targets[0].sessions[0].suspect);
  EXPECT_THAT(l->anomalies, ::testing::Contains(HasSubstr("control character")));
  EXPECT_THAT(l->anomalies, ::testing::Contains(HasSubstr("indentation")));
}

// Generated hostile variants on top of the captured session listing: each must parse (no
// Corruption: stop and monitor go on) and each must be noticed (an anomaly), or parse exactly as
// the clean listing when the injected text is harmless.
TEST(TgtadmShowHostileTest, InjectedLinesNeverFailAndAreNoticed) {
  const std::string clean = ReadTestData("tgtadm/show_target_session.txt");
  const std::string at = "iqn.2024-01.test:client";
  const std::vector<std::string> payloads = {
      "\nTarget 9: iqn.2024-01.x:y",
      "\n    LUN information:",
      "\n        LUN: 7",
      "\n            Backing store path: /etc/shadow",
      "\n    ACL information:\n        10.0.0.0/8",
      "\n    Account information:\n        evil-user",
      "\n                IP Address: 10.1.2.3/8",
      "\n                IP Address: not-an-ip",
      "\n\t\t",
      "\n   three spaces",
      "\nTarget 0: iqn.2024-01.x:zero",
      "\nTarget -1: iqn.2024-01.x:neg",
      "\nTarget 99999999999: iqn.2024-01.x:big",
      "\nTarget 1: iqn.2024-01.test.sanha:alpha",
      "\x01\x7f",
      " with blanks",
      "\nSystem:",
  };
  int cases = 0;
  for (std::string p : payloads) {
    std::string text = clean;
    text.insert(text.find(at) + at.size(), p);
    Result<TargetListing> l = ParseShowTargets(text, {9});
    ASSERT_TRUE(l.ok()) << "payload " << cases << ": " << l.status().ToString();
    EXPECT_FALSE(l->anomalies.empty()) << "payload " << cases << " went unnoticed";
    ++cases;
  }
  std::cout << "hostile listing variants: " << cases << " cases\n";
}

// Randomised (fixed seed, so reproducible): names made of lines of tgt's own output with random
// indentation and numbers. Whatever the name, the parse never fails, every real target is listed
// once, and once the daemon said which tids exist no invented target survives.
TEST(TgtadmShowHostileTest, RandomForgedNamesNeverFailOrInventTargets) {
  const std::string clean = ReadTestData("tgtadm/show_target_session.txt");
  std::vector<std::string> pieces;
  for (size_t pos = 0; pos < clean.size();) {
    size_t end = clean.find('\n', pos);
    std::string line = clean.substr(pos, end - pos);
    pieces.push_back(line.substr(line.find_first_not_of(' ')));
    pos = end + 1;
  }
  const std::string at = "iqn.2024-01.test:client";
  uint64_t seed = 0x5eed;
  auto next = [&seed](uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  const std::set<std::string> real = {"iqn.2024-01.test.sanha:alpha", "iqn.2024-01.test.sanha:beta",
                                      "iqn.2024-01.test.sanha:alpha2"};
  int cases = 0;
  for (; cases < 3000; ++cases) {
    std::string name;
    const uint64_t lines = 1 + next(12);
    for (uint64_t i = 0; i < lines; ++i) {
      std::string piece = pieces[next(pieces.size())];
      if (piece.starts_with("Target ")) {
        piece = "Target " + std::to_string(next(6)) + ": iqn.2024-01.test.sanha:f" +
                std::to_string(next(3));
      }
      if (piece.starts_with("LUN: ") || piece.starts_with("I_T nexus: ")) {
        piece = piece.substr(0, piece.find(": ") + 2) + std::to_string(next(4));
      }
      name += "\n" + std::string(next(5) * 4 + (next(8) == 0 ? 1 : 0), ' ') + piece;
    }
    std::string text = clean;
    text.insert(text.find(at) + at.size(), name);
    Result<TargetListing> first = ParseShowTargets(text);
    ASSERT_TRUE(first.ok()) << "case " << cases << ": " << first.status().ToString();
    std::set<int> forged;
    for (int tid : first->unverified_tids) {
      if (tid != 2 && tid != 3) forged.insert(tid);  // the daemon has tids 1..3
    }
    Result<TargetListing> l = ParseShowTargets(text, forged);
    ASSERT_TRUE(l.ok()) << "case " << cases << ": " << l.status().ToString();
    std::map<std::string, int> seen;
    for (const auto& t : l->targets) {
      ++seen[t.name];
      // A name that is no real target may only survive under a real tid, and then the listing
      // says it is anomalous (a repeated tid), so nothing acts on it.
      if (!real.count(t.name)) {
        EXPECT_FALSE(l->anomalies.empty()) << "case " << cases << ": invented " << t.name;
      }
    }
    for (const auto& [n, count] : seen) EXPECT_EQ(count, 1) << "case " << cases << ": " << n;
  }
  std::cout << "random hostile listings: " << cases << " cases\n";
}

// Names an administrator gave tgt directly (not IQNs, odd account names) are no anomaly before
// any initiator text: they cannot be forged there.
TEST(TgtadmShowTest, AdministratorsOddNamesAreNoAnomaly) {
  std::string text = ReadTestData("tgtadm/show_target_three.txt");
  text.replace(text.find("iqn.2024-01.test.sanha:alpha"), 28, "MyTarget");
  text.replace(text.find("alpha-user"), 10, "Alpha User");
  Result<TargetListing> l = ParseShowTargets(text);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->anomalies.empty());
  EXPECT_EQ(l->targets[0].name, "MyTarget");
  EXPECT_EQ(l->targets[0].incoming_users[0], "Alpha User");
}

TEST(TgtadmShowTest, SizeUnitsMatchTgt) {
  EXPECT_EQ(TgtSizeMb(67108864), 67u);
  EXPECT_EQ(TgtSizeMb(33554432), 34u);
  EXPECT_EQ(TgtSizeMb(1500000), 1u);
  EXPECT_EQ(TgtSizeMb(2500000), 2u);
  EXPECT_EQ(TgtSizeMb(104857600), 105u);
}

}  // namespace
}  // namespace san::target::tgt
