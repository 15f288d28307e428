// The drill writer's log: the line format, and a parser that refuses every malformed line.
#include "ha-examples/drill/writer/write_log.h"

#include <gtest/gtest.h>

namespace san::drill {
namespace {

TEST(WriteLogTest, FormatsLines) {
  EXPECT_EQ(FormatLogLine({12, 12, 1764640000000100, 1764640000002000, "ok"}),
            "12 12 1764640000.000100 1764640000.002000 ok\n");
  EXPECT_EQ(FormatLogLine({3, 1, 5, 1000005, "timeout"}), "3 1 0.000005 1.000005 err:timeout\n");
}

TEST(WriteLogTest, ParsesWhatItFormats) {
  std::vector<LogEntry> in = {{0, 0, 1764640000000001, 1764640000000900, "ok"},
                              {1, 1, 1764640000001000, 1764640003500000, "not_ready"},
                              {2, 0, 1764640003500100, 1764640003500200, "ok"}};
  std::string text;
  for (const LogEntry& e : in) text += FormatLogLine(e);
  Result<std::vector<LogEntry>> out = ParseLog(text);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
  EXPECT_TRUE((*out)[0].ok());
  EXPECT_FALSE((*out)[1].ok());
}

TEST(WriteLogTest, EmptyLogHasNoEntries) {
  Result<std::vector<LogEntry>> out = ParseLog("");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(WriteLogTest, RefusesMalformedLines) {
  const std::string good = "0 0 1.000000 1.000001 ok\n";
  struct Case {
    std::string line;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"1 1 2.000000 2.000001\n", "expected 5 fields"},
           {"1 1 2.000000 2.000001 ok extra\n", "expected 5 fields"},
           {"1  1 2.000000 2.000001 ok\n", "expected 5 fields"},
           {"1 1 2.000000 2.000001 ok \n", "expected 5 fields"},
           {"+1 1 2.000000 2.000001 ok\n", "bad SEQ"},
           {"1x 1 2.000000 2.000001 ok\n", "bad SEQ"},
           {"99999999999999999999 1 2.000000 2.000001 ok\n", "bad SEQ"},
           {"1 -1 2.000000 2.000001 ok\n", "bad LBA"},
           {"1 1 2.00000 2.000001 ok\n", "bad T_SUBMIT"},
           {"1 1 2 2.000001 ok\n", "bad T_SUBMIT"},
           {"1 1 2.000000 2.0000010 ok\n", "bad T_DONE"},
           {"1 1 2.000000 .000001 ok\n", "bad T_DONE"},
           {"1 1 2.000002 2.000001 ok\n", "T_DONE before T_SUBMIT"},
           {"1 1 2.000000 2.000001 OK\n", "RESULT"},
           {"1 1 2.000000 2.000001 err:\n", "RESULT"},
           {"1 1 2.000000 2.000001 err:Not_Ready\n", "RESULT"},
           {"1 1 2.000000 2.000001 err:ok\n", "RESULT"},
           {"1 1 2.000000 2.000001 err:two words\n", "expected 5 fields"},
           {"0 1 2.000000 2.000001 ok\n", "SEQ not greater"},
           {"1 1 2.000000 2.000001 ok\r\n", "RESULT"},
           {"1 1 2.000000 2.000001 ok", "no newline at the end"},
       }) {
    Result<std::vector<LogEntry>> out = ParseLog(good + c.line);
    ASSERT_FALSE(out.ok()) << c.line;
    EXPECT_EQ(out.status().code(), Code::kCorruption) << c.line;
    EXPECT_NE(out.status().message().find("log line 2: " + c.why), std::string::npos)
        << c.line << " -> " << out.status().message();
  }
}

TEST(WriteLogTest, ErrorQuotesTheLineSafely) {
  Result<std::vector<LogEntry>> out = ParseLog("1 1 2.000000 2.000001 \x1b[31mok\n");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message().find('\x1b'), std::string::npos);
}

TEST(WriteLogTest, ReasonWords) {
  EXPECT_TRUE(IsReasonWord("unit_attention"));
  EXPECT_TRUE(IsReasonWord("status_8"));
  EXPECT_FALSE(IsReasonWord(""));
  EXPECT_FALSE(IsReasonWord("ok"));
  EXPECT_FALSE(IsReasonWord("a-b"));
  EXPECT_FALSE(IsReasonWord(std::string(33, 'a')));
}

}  // namespace
}  // namespace san::drill
