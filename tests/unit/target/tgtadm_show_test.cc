// tgtadm --op show parsers on output captured from tgt 1.0.85 (tests/data/tgtadm/capture.sh).
#include "libsan/target/tgtadm_show.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_data.h"

namespace san::target::tgt {
namespace {

using san::testing::ReadTestData;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TgtadmShowTest, EmptyDaemon) {
  Result<std::vector<RunningTarget>> t =
      ParseShowTargets(ReadTestData("tgtadm/show_target_empty.txt"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->empty());
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
  Result<std::vector<RunningTarget>> r =
      ParseShowTargets(ReadTestData("tgtadm/show_target_three.txt"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
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
  Result<std::vector<RunningTarget>> r =
      ParseShowTargets(ReadTestData("tgtadm/show_target_session.txt"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
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
  Result<std::vector<RunningTarget>> r = ParseShowTargets(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_THAT(r.status().message(), HasSubstr("line 6: unknown section"));
  EXPECT_FALSE(ParseShowTargets("Target x: iqn.a\n").ok());
  EXPECT_FALSE(ParseShowTargets("    LUN: 1\n").ok());
  EXPECT_FALSE(ParseShowAccounts("Accounts:\n").ok());
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
