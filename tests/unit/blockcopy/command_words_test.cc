// -i CMD is split into words without a shell; shell syntax is refused with advice.
#include "libsan/blockcopy/command_words.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::blockcopy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Words(std::string_view cmd) {
  Result<std::vector<std::string>> w = SplitCommandWords(cmd);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? *w : std::vector<std::string>{};
}

std::string Refusal(std::string_view cmd) {
  Result<std::vector<std::string>> w = SplitCommandWords(cmd);
  EXPECT_EQ(w.status().code(), Code::kInvalidConfig) << cmd;
  return w.status().message();
}

TEST(CommandWordsTest, SplitsOnBlanks) {
  EXPECT_THAT(Words("  lvcreate -s -n snap   vg/lv "),
              ElementsAre("lvcreate", "-s", "-n", "snap", "vg/lv"));
}

TEST(CommandWordsTest, QuotesGroupWords) {
  EXPECT_THAT(Words("touch '/tmp/a b' \"c d\" e\\ f"),
              ElementsAre("touch", "/tmp/a b", "c d", "e f"));
  EXPECT_THAT(Words("echo \"say \\\"hi\\\"\" 'it''s'"), ElementsAre("echo", "say \"hi\"", "its"));
  EXPECT_THAT(Words("x '' y"), ElementsAre("x", "", "y"));
}

TEST(CommandWordsTest, QuotedShellCharactersAreLiteral) {
  EXPECT_THAT(Words("sh -c 'lvs | grep snap; exit 0'"),
              ElementsAre("sh", "-c", "lvs | grep snap; exit 0"));
  EXPECT_THAT(Words("echo 'a$b' \"c;d\""), ElementsAre("echo", "a$b", "c;d"));
}

TEST(CommandWordsTest, ShellSyntaxIsRefused) {
  for (const char* cmd : {"a | b", "a; rm -rf /", "a && b", "a > /etc/x", "a < b", "$(id)", "`id`",
                          "echo $HOME", "(a)"}) {
    EXPECT_THAT(Refusal(cmd), HasSubstr("without a shell")) << cmd;
  }
  EXPECT_THAT(Refusal("echo \"$HOME\""), HasSubstr("use single quotes"));
}

TEST(CommandWordsTest, MalformedCommandsAreRefused) {
  EXPECT_THAT(Refusal(""), HasSubstr("empty command"));
  EXPECT_THAT(Refusal("   "), HasSubstr("empty command"));
  EXPECT_THAT(Refusal("echo 'open"), HasSubstr("unbalanced single quote"));
  EXPECT_THAT(Refusal("echo \"open"), HasSubstr("unbalanced double quote"));
  EXPECT_THAT(Refusal("echo \\"), HasSubstr("trailing backslash"));
  EXPECT_THAT(Refusal("echo a\nrm -rf /"), HasSubstr("control characters"));
}

}  // namespace
}  // namespace san::blockcopy
