// Records and journal files: round trips, refusal of damaged lines, and no secret inside.
#include "libsan/target/records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::target {
namespace {

using ::testing::HasSubstr;

TEST(RecordsTest, RoundTrip) {
  Records r;
  LunRecord lun;
  lun.tid = 2;
  lun.lun.number = 3;
  lun.lun.path = "/dev/vg/lv";
  lun.lun.mode = IoMode::kBlockio;
  lun.lun.scsi_id = "ID";
  lun.lun.scsi_sn = "SN";
  lun.lun.product = "P";
  lun.lun.readonly = true;
  lun.size = 123456789;
  r.luns[{"iqn.2024-01.t:a", 3}] = lun;
  r.targets["iqn.2024-01.t:a"] = {2, {{"MaxBurstLength", "4096"}}};
  r.key = std::string(kRecordsKeyBytes, 'k');
  r.accounts["u"] = r.Fingerprint("u", "very-secret-1");
  const std::string text = r.Serialize();
  EXPECT_THAT(text, ::testing::Not(HasSubstr("very-secret")));
  Result<Records> back = Records::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Serialize(), text);
  const LunRecord& l = back->luns.at({"iqn.2024-01.t:a", 3});
  EXPECT_EQ(l.size, 123456789u);
  EXPECT_EQ(l.lun.mode, IoMode::kBlockio);
  EXPECT_TRUE(l.lun.readonly);
  EXPECT_EQ(l.lun.vendor, "");
  back->key = r.key;
  EXPECT_EQ(back->accounts.at("u"), r.Fingerprint("u", "very-secret-1"));
  EXPECT_NE(r.Fingerprint("u", "very-secret-1"), r.Fingerprint("u", "very-secret-2"));
  EXPECT_NE(r.Fingerprint("u", "very-secret-1"), r.Fingerprint("v", "very-secret-1"));
  // Keyed: without the key the records file gives nothing to test guesses against.
  Records other;
  other.key = std::string(kRecordsKeyBytes, 'x');
  EXPECT_NE(other.Fingerprint("u", "very-secret-1"), r.Fingerprint("u", "very-secret-1"));
  back->ForgetTarget("iqn.2024-01.t:a");
  EXPECT_TRUE(back->luns.empty());
  EXPECT_TRUE(back->targets.empty());
}

// The reference vector of the SipHash paper (appendix A): key 00..0f, message 00..0e.
TEST(RecordsTest, SipHashMatchesTheReferenceVector) {
  std::string key, message;
  for (int i = 0; i < 16; ++i) key += static_cast<char>(i);
  for (int i = 0; i < 15; ++i) message += static_cast<char>(i);
  EXPECT_EQ(SipHash24(key, message), 0xa129ca6149be45e5ull);
  EXPECT_EQ(SipHash24(key, ""), 0x726fdb47dd0e0e31ull);
}

// The unkeyed hash of older versions is dropped (the account reads as not created by sanha).
TEST(RecordsTest, UnkeyedAccountsOfOlderVersionsAreDropped) {
  Result<Records> r =
      Records::Parse("account u 0123456789abcdef\naccount v mac=00000000000000ff\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accounts.count("u"), 0u);
  EXPECT_EQ(r->accounts.at("v"), 0xffu);
  EXPECT_FALSE(Records::Parse("account v mac=xyz\n").ok());
}

TEST(RecordsTest, KeyIsCreatedOncePrivateAndReused) {
  FakeHost host;
  Result<std::string> k = LoadRecordsKey(host, "/run/s");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->size(), kRecordsKeyBytes);
  EXPECT_EQ(host.FileMode("/run/s/key"), 0600u);
  EXPECT_EQ(host.FileContent("/run/s/key").size(), 2 * kRecordsKeyBytes + 1);
  Result<std::string> again = LoadRecordsKey(host, "/run/s");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *k);
  host.SetFile("/run/s/key", "not hex\n");
  EXPECT_EQ(LoadRecordsKey(host, "/run/s").status().code(), Code::kCorruption);
}

TEST(RecordsTest, DamagedLinesAreCorruption) {
  EXPECT_EQ(Records::Parse("lun x iqn.a 1 2 /p\n").status().code(), Code::kCorruption);
  EXPECT_EQ(Records::Parse("lun 1 iqn.a 1 2 /p bogus=1\n").status().code(), Code::kCorruption);
  EXPECT_EQ(Records::Parse("what\n").status().code(), Code::kCorruption);
  EXPECT_TRUE(Records::Parse("").ok());
}

TEST(RecordsTest, JournalRoundTrip) {
  HoldRecord h;
  h.tid = 4;
  h.target = "iqn.2024-01.t:a";
  h.sources = {"192.0.2.2", "198.51.100.0/24"};
  h.firewall = "nft";
  h.chain = "sanha-target";
  h.ports = "3260";
  const std::string text = SerializeJournal({h, h});
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "hold 4 iqn.2024-01.t:a src=192.0.2.2,198.51.100.0/24 fw=nft chain=sanha-target "
            "ports=3260 dst=");
  Result<std::vector<HoldRecord>> back = ParseJournal(text);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].sources, h.sources);
  EXPECT_EQ((*back)[1].destinations, "");
  EXPECT_FALSE(ParseJournal("hold x y\n").ok());
  EXPECT_FALSE(ParseJournal("release 1 a\n").ok());
}

}  // namespace
}  // namespace san::target
