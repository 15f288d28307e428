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

// Listings of a real tgtd with libiscsi logged in under hostile names
// (tests/fuzz/capture_hostile_initiator.sh): tgtd prints them verbatim.
TEST(TgtadmShowFuzzTest, ControlCharactersInAnInitiatorNameAreNeutralised) {
  const std::pair<const char*, const char*> cases[] = {
      {"fuzz/tgtadm_show/real-escape-initiator.txt", "iqn.2024-01.test:cl?[2Jient"},
      {"fuzz/tgtadm_show/real-control-initiator.txt", "iqn.2024-01.test:a?b?c?d"},
      {"fuzz/tgtadm_show/real-tab-initiator.txt", "iqn.2024-01.test:tab?here"},
  };
  for (const auto& [file, shown] : cases) {
    Result<std::vector<RunningTarget>> r = ParseShowTargets(ReadTestData(file));
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();  // monitor and stop read it
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].name, "iqn.2024-01.test.sanha:alpha");
    ASSERT_EQ((*r)[0].sessions.size(), 1u) << file;
    EXPECT_EQ((*r)[0].sessions[0].initiator, shown);
    EXPECT_EQ((*r)[0].luns.size(), 2u);
  }
  // The alias is cut off; control characters in it change nothing.
  Result<std::vector<RunningTarget>> r =
      ParseShowTargets(Edited("Initiator: iqn.2024-01.test:client alias: none",
                              "Initiator: iqn.2024-01.test:client alias: no\a\x1b[Hne"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->empty());
  ASSERT_EQ((*r)[0].sessions.size(), 1u);
  EXPECT_EQ((*r)[0].sessions[0].initiator, "iqn.2024-01.test:client");
}

TEST(TgtadmShowFuzzTest, ControlCharactersAnywhereElseAreRefused) {
  const std::pair<std::string, std::string> edits[] = {
      {"Target 1: iqn.2024-01.test.sanha:alpha", "Target 1: iqn.2024-01.test.sanha:al\x01pha"},
      {"IP Address: 127.0.0.1", "IP Address: 127.0.0.1\x1b"},
      {"SCSI SN: beaf10", "SCSI SN: beaf\t10"},
      {"Driver: iscsi",
       "Driver: is\x7f"
       "csi"},
  };
  for (const auto& [from, to] : edits) {
    Result<std::vector<RunningTarget>> r = ParseShowTargets(Edited(from, to));
    ASSERT_FALSE(r.ok()) << to;
    EXPECT_EQ(r.status().code(), Code::kCorruption);
    EXPECT_THAT(r.status().message(), HasSubstr("control character in line"));
    EXPECT_EQ(r.status().message().find('\x1b'), std::string::npos);  // the message is printable
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

// "Target 1032456887999427115:" passed the "a non-negative number" check and wrapped to a
// negative tid on the cast to int (so did LUN numbers and connection ids).
TEST(TgtadmShowFuzzTest, NumbersBeyondIntAreRefused) {
  const std::pair<std::string, std::string> edits[] = {
      {"Target 1:", "Target 1032456887999427115:"},
      {"Target 1:", "Target 2147483648:"},
      {"LUN: 0", "LUN: 4294967296"},
      {"Connection: 0", "Connection: 2147483648"},
  };
  for (const auto& [from, to] : edits) {
    Result<std::vector<RunningTarget>> r = ParseShowTargets(Edited(from, to));
    ASSERT_FALSE(r.ok()) << to;
    EXPECT_THAT(r.status().message(), HasSubstr("number out of range")) << to;
  }
  Result<std::vector<RunningTarget>> r =
      ParseShowTargets(Edited("Target 1:", "Target 2147483647:"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].tid, 2147483647);
}

}  // namespace
}  // namespace san::target::tgt
