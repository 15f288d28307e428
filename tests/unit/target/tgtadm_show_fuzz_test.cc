// Findings of the tgtadm listing fuzz target (tests/fuzz/tgtadm_show_fuzz.cc): control characters
// in a listing. tgt prints an initiator's name and alias verbatim, so those are remote text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libsan/target/tgtadm_show.h"
#include "tests/support/test_data.h"

namespace san::target::tgt {
namespace {

using san::testing::ReadTestData;
using ::testing::HasSubstr;

// The captured listing with `from` replaced by `to` once.
std::string Edited(const std::string& from, const std::string& to) {
  std::string text = ReadTestData("tgtadm/show_target_session.txt");
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

bool Printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Every string the parse hands on is free of control characters.
void ExpectClean(const TargetListing& listing) {
  for (const RunningTarget& t : listing.targets) {
    EXPECT_TRUE(Printable(t.name));
    for (const auto& s : t.sessions) {
      EXPECT_TRUE(Printable(s.initiator)) << s.initiator;
      for (const auto& [cid, address] : s.connections) EXPECT_TRUE(Printable(address));
    }
    for (const auto& l : t.luns) {
      EXPECT_TRUE(Printable(l.path));
      EXPECT_TRUE(Printable(l.scsi_id));
      EXPECT_TRUE(Printable(l.scsi_sn));
    }
  }
  for (const std::string& a : listing.anomalies) EXPECT_TRUE(Printable(a)) << a;
}

// Listings of a real tgtd with libiscsi logged in under hostile names
// (tests/fuzz/capture_hostile_initiator.sh): tgtd prints them verbatim. The target, its LUNs and
// its session stay readable (monitor and stop use them); the name is an anomaly, never trusted.
TEST(TgtadmShowFuzzTest, ControlCharactersInAnInitiatorNameAreAnomalies) {
  const char* files[] = {
      "fuzz/tgtadm_show/real-escape-initiator.txt",
      "fuzz/tgtadm_show/real-control-initiator.txt",
      "fuzz/tgtadm_show/real-tab-initiator.txt",
  };
  for (const char* file : files) {
    Result<TargetListing> r = ParseShowTargets(ReadTestData(file));
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    ASSERT_EQ(r->targets.size(), 1u);
    EXPECT_EQ(r->targets[0].name, "iqn.2024-01.test.sanha:alpha");
    ASSERT_EQ(r->targets[0].sessions.size(), 1u) << file;
    EXPECT_EQ(r->targets[0].luns.size(), 2u);
    EXPECT_FALSE(r->anomalies.empty()) << file;
    ExpectClean(*r);
  }
}

// Before any initiator text a control character means a listing sanha does not understand
// (refused); after it, the line is set aside as an anomaly. Either way nothing with a control
// character is believed, and every message is printable.
TEST(TgtadmShowFuzzTest, ControlCharactersAnywhereElseAreNeverBelieved) {
  const std::pair<std::string, std::string> edits[] = {
      {"Target 1: iqn.2024-01.test.sanha:alpha", "Target 1: iqn.2024-01.test.sanha:al\x01pha"},
      {"IP Address: 127.0.0.1", "IP Address: 127.0.0.1\x1b"},
      {"SCSI SN: beaf10", "SCSI SN: beaf\t10"},
      {"Driver: iscsi",
       "Driver: is\x7f"
       "csi"},
  };
  for (const auto& [from, to] : edits) {
    Result<TargetListing> r = ParseShowTargets(Edited(from, to));
    if (r.ok()) {
      EXPECT_FALSE(r->anomalies.empty()) << to;
      ExpectClean(*r);
    } else {
      EXPECT_EQ(r.status().code(), Code::kCorruption);
      EXPECT_THAT(r.status().message(), HasSubstr("control character"));
      EXPECT_EQ(r.status().message().find('\x1b'), std::string::npos);
    }
  }
  EXPECT_FALSE(ParseShowAccounts("Account list:\n    us\x1b"
                                 "er\n")
                   .ok());
  EXPECT_FALSE(ParseShowSystemAccounts("System:\n    Account information:\n    us\x01"
                                       "er\n")
                   .ok());
  EXPECT_FALSE(ParseShowTargetParams("MaxBurstLength=26\x1b"
                                     "2144\n")
                   .ok());
}

// "Target 1032456887999427115:" once passed the "a non-negative number" check and wrapped to a
// negative tid on the cast to int (so did LUN numbers and connection ids).
TEST(TgtadmShowFuzzTest, NumbersBeyondTheirRangeAreNeverBelieved) {
  const std::pair<std::string, std::string> edits[] = {
      {"Target 1:", "Target 1032456887999427115:"},
      {"Target 1:", "Target 2147483648:"},
      {"LUN: 0", "LUN: 4294967296"},
      {"Connection: 0", "Connection: 2147483648"},
  };
  for (const auto& [from, to] : edits) {
    Result<TargetListing> r = ParseShowTargets(Edited(from, to));
    if (!r.ok()) continue;  // refused: fine
    EXPECT_FALSE(r->anomalies.empty()) << to;
    for (const RunningTarget& t : r->targets) {
      EXPECT_GT(t.tid, 0) << to;
      for (const auto& l : t.luns) EXPECT_GE(l.number, 0) << to;
      for (const auto& s : t.sessions) {
        for (const auto& [cid, address] : s.connections) EXPECT_GE(cid, 0) << to;
      }
    }
  }
  Result<TargetListing> r = ParseShowTargets(Edited("Target 1:", "Target 2147483647:"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->targets[0].tid, 2147483647);
}

}  // namespace
}  // namespace san::target::tgt
