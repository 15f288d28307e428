// Findings of the target file fuzz target (tests/fuzz/target_file_fuzz.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/target/target_file.h"

namespace san::target {
namespace {

using ::testing::HasSubstr;

// Uniqueness was checked on the text, so "tid 7" and "tid 07" both passed and an apply failed
// halfway, after deleting a target, when the daemon refused the second tid 7.
TEST(TargetFileFuzzTest, TidsAreUniqueByValueNotByText) {
  for (const char* other : {"07", "007", "+7"}) {
    std::string text =
        std::string(
            "iqn-prefix iqn.2008-01.edu.amherst\ntarget vol0\n  tid 7\n  lun 1 /dev/vg0/a\n") +
        "target vol1\n  tid " + other + "\n  lun 1 /dev/vg0/b\n";
    Result<TargetConfig> r = ParseTargetFile(text, "t.conf");
    if (r.ok()) {
      ADD_FAILURE() << "tid " << other << " accepted next to tid 7";
      continue;
    }
    EXPECT_EQ(r.status().code(), Code::kInvalidConfig);
    EXPECT_THAT(r.status().message(), HasSubstr("t.conf:6:"));
  }
  EXPECT_TRUE(ParseTargetFile(
                  "iqn-prefix iqn.2008-01.edu.amherst\ntarget vol0\n  tid 7\n  lun 1 /dev/vg0/a\n"
                  "target vol1\n  tid 8\n  lun 1 /dev/vg0/b\n",
                  "t.conf")
                  .ok());
}

}  // namespace
}  // namespace san::target
