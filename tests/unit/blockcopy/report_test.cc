// --json and the progress line: valid escaping, exact counters, throttled terminal output.
#include "libsan/blockcopy/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "libsan/host/fake_host.h"

namespace san::blockcopy {
namespace {

using ::testing::HasSubstr;

TEST(ReportTest, JsonQuotesHostileStrings) {
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nbreak\x01"), "\"line\\u000abreak\\u0001\"");
  JsonObject j;
  j.Str("path", "/dev/x").Num("n", 18446744073709551615ull).Bool("ok", false).Raw("a", "[1,2]");
  EXPECT_EQ(j.str(), "{\"path\":\"/dev/x\",\"n\":18446744073709551615,\"ok\":false,\"a\":[1,2]}");
}

TEST(ReportTest, StatsCarryExactByteCounts) {
  RunStats s;
  s.bytes_read = 4294967296;
  s.bytes_written = 42991616;
  s.seconds = 1.5;
  JsonObject j;
  AddStats(j, s);
  EXPECT_THAT(j.str(), HasSubstr("\"bytes_read\":4294967296"));
  EXPECT_THAT(j.str(), HasSubstr("\"bytes_written\":42991616"));
  EXPECT_THAT(j.str(), HasSubstr("\"seconds\":1.500"));
}

TEST(ReportTest, ProgressLineShowsBytesRateChangedAndEta) {
  RunStats s;
  s.source_size = 4ull << 30;
  s.bytes_read = 1ull << 30;
  s.bytes_written = 12 << 20;
  EXPECT_EQ(FormatProgress(s, 2.0), "1 GiB / 4 GiB  25%  512 MiB/s  changed 12 MiB  ETA 0:00:06");
  EXPECT_THAT(FormatProgress(s, 0.0), HasSubstr("ETA --:--"));
}

TEST(ReportTest, SummaryMentionsWhatHappened) {
  RunStats s;
  s.bytes_read = 1 << 20;
  s.segments = 64;
  s.segments_changed = 3;
  s.bytes_written = 3 * 16384;
  s.write_ops = 2;
  s.rechecked = 16;
  std::string line = FormatSummary(s);
  EXPECT_THAT(line, HasSubstr("3 of 64 segments changed, wrote 48 KiB in 2 writes"));
  EXPECT_THAT(line, HasSubstr("re-checked 16 segments"));
}

TEST(ReportTest, ProgressPrinterIsSilentWhenDisabled) {
  FakeHost host;
  std::ostringstream out;
  ProgressPrinter p(host, out, false);
  p.Update(RunStats{});
  p.Finish();
  EXPECT_EQ(out.str(), "");
}

TEST(ReportTest, ProgressPrinterRedrawsAtMostFourTimesASecond) {
  FakeHost host;
  std::ostringstream out;
  ProgressPrinter p(host, out, true);
  RunStats s;
  s.source_size = 100;
  p.Update(s);
  p.Update(s);  // same instant: skipped
  host.Advance(std::chrono::milliseconds(300));
  p.Update(s);
  p.Finish();
  std::string text = out.str();
  size_t redraws = 0;
  for (size_t at = 0; (at = text.find("\r\033[K", at)) != std::string::npos; ++at) ++redraws;
  EXPECT_EQ(redraws, 3u);  // two lines and the final clear
}

TEST(ReportTest, ParametersNameTheFormat) {
  std::string p = ParametersText(EngineOptions{});
  EXPECT_THAT(p, HasSubstr("segment_size: 16384\n"));
  EXPECT_THAT(p, HasSubstr("read_size: 1048576\n"));
  EXPECT_THAT(p, HasSubstr("checksum_format: 2\n"));
}

}  // namespace
}  // namespace san::blockcopy
