// Findings of the fence stdin fuzz target (tests/fuzz/fence_options_fuzz.cc): durations whose
// arithmetic overflowed int64 (undefined behaviour; in practice a negative, past deadline).
#include <gtest/gtest.h>

#include "libsan/fence/options.h"
#include "libsan/util/strings.h"

namespace san {
namespace {

TEST(DurationFuzzTest, HugeDurationsAreRefusedNotWrapped) {
  EXPECT_EQ(ParseDuration("999999999999h").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(ParseDuration("999999999999min").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(*ParseDuration("999999999999s"), std::chrono::milliseconds(999'999'999'999'000));
  EXPECT_EQ(*ParseDuration("2562047h"), std::chrono::hours(2562047));
  EXPECT_EQ(fence::ParseSeconds("9223372036854775807.5").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(fence::ParseSeconds("1000000000000.5").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(*fence::ParseSeconds("999999999999.5"), std::chrono::milliseconds(999'999'999'999'500));
}

// Found with the "no negative time" property: the fraction was read with a sign.
TEST(DurationFuzzTest, SecondsWithSignsAreRefused) {
  for (const char* text : {"0.-99", "1.-1", "-0.5", "+1.5", "1.+5", ".5", "1."}) {
    EXPECT_EQ(fence::ParseSeconds(text).status().code(), Code::kInvalidConfig) << text;
  }
  EXPECT_EQ(*fence::ParseSeconds("1.5"), std::chrono::milliseconds(1500));
  EXPECT_EQ(*fence::ParseSeconds("0.05"), std::chrono::milliseconds(50));
  EXPECT_EQ(*fence::ParseSeconds("2.125"), std::chrono::milliseconds(2125));
}

}  // namespace
}  // namespace san
