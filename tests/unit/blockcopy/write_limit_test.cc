// -m: a run stops once the limit of changed target bytes is reached, the file is left "partial"
// and the next run resumes where it stopped, until the target equals the source. Also -r through
// the engine on FakeHost's instant clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/blockcopy/copy_engine.h"
#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

using testing::EngineFixture;
using testing::RandomBytes;
constexpr uint64_t kSeg = kSegmentSize;

TEST(WriteLimitTest, StopsResumesAndConverges) {
  EngineFixture f(2 << 20);
  ASSERT_TRUE(f.Copy().ok());
  for (uint64_t seg = 0; seg < 128; seg += 5) f.source.Poke(seg * kSeg, RandomBytes(kSeg, seg));
  f.options.write_limit = 4 * kSeg;
  int runs = 0;
  uint64_t last_stop = 0;
  while (true) {
    ++runs;
    ASSERT_LT(runs, 20);
    f.target.ResetCounters();
    Result<RunResult> r = f.Copy();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_LE(f.target.counters().bytes_written, 4 * kSeg);
    if (r->end == RunEnd::kComplete) break;
    EXPECT_EQ(r->stats.start, last_stop);  // resumed where the last one stopped
    EXPECT_GT(r->stats.stop, last_stop);
    last_stop = r->stats.stop;
    Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
    ASSERT_TRUE(file.ok());
    EXPECT_EQ(file->header().state, FileState::kPartial);
    EXPECT_EQ(file->header().committed, r->stats.stop);
  }
  EXPECT_EQ(runs, 7);  // 26 changed segments, 4 per run
  EXPECT_TRUE(f.TargetMatches());
}

TEST(WriteLimitTest, StopsInsideARunAtASegmentBoundary) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  f.source.Poke(10 * kSeg, RandomBytes(6 * kSeg, 3));  // one run of 6 segments
  f.options.write_limit = 2 * kSeg + 5000;
  f.target.ResetCounters();
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->end, RunEnd::kWriteLimit);
  EXPECT_EQ(r->stats.stop, 12 * kSeg);
  EXPECT_EQ(f.target.counters().bytes_written, 2 * kSeg);
  Result<RunResult> r2 = f.Copy();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->stats.stop, 14 * kSeg);
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
}

TEST(WriteLimitTest, ALimitBelowOneSegmentStillMakesProgress) {
  EngineFixture f(256 << 10);
  f.options.write_limit = 1;
  int runs = 0;
  while (true) {
    Result<RunResult> r = f.Copy();
    ASSERT_TRUE(r.ok());
    ++runs;
    if (r->end == RunEnd::kComplete) break;
    EXPECT_EQ(r->stats.changed_bytes(), kSeg);
  }
  EXPECT_EQ(runs, 17);  // 16 segments, one per run, then a run finding nothing to do
  EXPECT_TRUE(f.TargetMatches());
}

TEST(WriteLimitTest, RestartIgnoresTheResumePosition) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  f.source.Poke(50 * kSeg, RandomBytes(kSeg, 1));
  f.source.Poke(60 * kSeg, RandomBytes(kSeg, 2));
  f.options.write_limit = kSeg;
  ASSERT_EQ(f.Copy()->end, RunEnd::kWriteLimit);
  // A new snapshot changes a segment before the resume position.
  f.source.Poke(3 * kSeg, RandomBytes(kSeg, 3));
  f.options.write_limit = 0;
  f.options.restart = true;
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stats.start, 0u);
  EXPECT_TRUE(f.TargetMatches());
}

TEST(WriteLimitTest, ExactLimitStopsBeforeTheNextRun) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  f.source.Poke(4 * kSeg, RandomBytes(2 * kSeg, 1));
  f.source.Poke(20 * kSeg, RandomBytes(kSeg, 2));
  f.options.write_limit = 2 * kSeg;
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->end, RunEnd::kWriteLimit);
  EXPECT_EQ(r->stats.stop, 20 * kSeg);
  EXPECT_EQ(r->stats.changed_bytes(), 2 * kSeg);
}

TEST(WriteLimitTest, ReadRateIsEnforcedThroughTheHostClock) {
  EngineFixture f(4 << 20);
  f.options.read_rate = 1 << 20;  // 1 MiB/s
  ASSERT_TRUE(f.Copy().ok());
  // 4 MiB, 64 KiB burst: a little under 4 s.
  EXPECT_NEAR(f.host.total_slept().count(), 3'940, 20);
}

}  // namespace
}  // namespace san::blockcopy
