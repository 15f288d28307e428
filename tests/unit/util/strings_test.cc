// Strict parsing helpers.
#include "libsan/util/strings.h"

#include <gtest/gtest.h>

namespace san {
namespace {

TEST(StringsTest, SplitListTrimsAndDropsEmpty) {
  EXPECT_EQ(SplitList(" a, b,,c  d "), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(StringsTest, Printable) {
  EXPECT_EQ(Printable("a\nb\x1b"), "a?b?");
  EXPECT_EQ(Printable(std::string(100, 'x'), 4), "xxxx...");
}

TEST(StringsTest, ParseInt64) {
  EXPECT_EQ(*ParseInt64("42"), 42);
  EXPECT_EQ(*ParseInt64("-1"), -1);
  for (const char* bad : {"", "4 2", "42x", "+1", "0x10", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInt64(bad).ok()) << bad;
  }
}

TEST(StringsTest, ParseBool) {
  EXPECT_TRUE(*ParseBool("Yes"));
  EXPECT_TRUE(*ParseBool("1"));
  EXPECT_FALSE(*ParseBool("off"));
  EXPECT_FALSE(ParseBool("2").ok());
}

TEST(StringsTest, ParseDuration) {
  using std::chrono::milliseconds;
  EXPECT_EQ(*ParseDuration("30"), milliseconds(30000));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30000));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("2min"), milliseconds(120000));
  EXPECT_EQ(*ParseDuration("1h"), milliseconds(3600000));
  for (const char* bad : {"", "s", "1y", "-5s", "1.5s"})
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
}

TEST(StatusTest, ResultAndContext) {
  Result<int> r = 5;
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(*r, 5);
  Result<int> e = Status::NotFound("gone");
  EXPECT_EQ(e.status().ToString(), "NotFound: gone");
  EXPECT_EQ(e.status().WithContext("vg0").message(), "vg0: gone");
  Result<int> bogus = Status::Ok();  // a Result must never hold an OK status
  EXPECT_FALSE(bogus.ok());
}

}  // namespace
}  // namespace san
