// Findings of the crm_mon/stonith_admin fuzz target (tests/fuzz/crm_mon_fuzz.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libsan/lvm/fencing.h"
#include "tests/support/test_data.h"

namespace san::lvm {
namespace {

using ::testing::HasSubstr;

// Pacemaker's <error> text (here with newlines, as a multi-line message would print) became the
// error message verbatim, and from there lvm-vg's one-line exit reason.
TEST(FencingFuzzTest, ErrorTextFromTheXmlIsOneLine) {
  std::string xml = san::testing::ReadTestData("pacemaker/stonith_history_not_connected.xml");
  const std::string from = "Could not connect to fencer: ";
  xml.replace(xml.find(from), from.size(), "Could not connect\nto fencer:\r\n\x1b[2J ");
  for (const Status& s :
       {ParseLastFencing(xml, "sp1").status(), ParseCrmMonNode(xml, "sp1").status()}) {
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("Could not connect?to fencer"));
    EXPECT_EQ(s.message().find_first_of("\n\r\x1b"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace san::lvm
