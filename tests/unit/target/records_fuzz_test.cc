// Findings of the state records fuzz target (tests/fuzz/records_fuzz.cc).
#include <gtest/gtest.h>

#include <string>

#include "libsan/target/records.h"

namespace san::target {

namespace {

// A torn or edited records file with a negative size ("-01") parsed, wrapped to 2^64-1, and what
// Serialize() then wrote could not be read back: every later run failed on its own state file.
TEST(RecordsFuzzTest, NegativeOrOutOfRangeNumbersAreRefused) {
  for (const char* line : {
           "lun 1 iqn.2008-01.edu.amherst:vol0 1 -01 /dev/vg0/vol0\n",
           "lun -1 iqn.2008-01.edu.amherst:vol0 1 100 /dev/vg0/vol0\n",
           "lun 1 iqn.2008-01.edu.amherst:vol0 -3 100 /dev/vg0/vol0\n",
           "lun 4294967297 iqn.2008-01.edu.amherst:vol0 1 100 /dev/vg0/vol0\n",
           "lun 1 iqn.2008-01.edu.amherst:vol0 4294967296 100 /dev/vg0/vol0\n",
           "target -7 iqn.2008-01.edu.amherst:vol0\n",
           "target 4294967303 iqn.2008-01.edu.amherst:vol0\n",
       }) {
    EXPECT_EQ(Records::Parse(line).status().code(), Code::kCorruption) << line;
  }
  for (const char* line : {"hold -1 iqn.2008-01.edu.amherst:vol0 src=192.0.2.1\n",
                           "hold 4294967297 iqn.2008-01.edu.amherst:vol0 src=192.0.2.1\n"}) {
    EXPECT_EQ(ParseJournal(line).status().code(), Code::kCorruption) << line;
  }
  Result<Records> ok = Records::Parse("lun 1 iqn.2008-01.edu.amherst:vol0 1 100 /dev/vg0/vol0\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  Result<Records> again = Records::Parse(ok->Serialize());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->Serialize(), ok->Serialize());
}

}  // namespace
}  // namespace san::target
