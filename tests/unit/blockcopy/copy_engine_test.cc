// RunCopy on in-memory devices: first copy, incremental copies writing only changed segments,
// coalescing (also across read chunks), zero segments, checksum-only files, short transfers.
#include "libsan/blockcopy/copy_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/blockcopy/fake_faulty_device.h"
#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

using testing::EngineFixture;
using testing::RandomBytes;
constexpr uint64_t kSeg = kSegmentSize;

FaultPlan Plan(size_t max_read, size_t max_write) {
  FaultPlan p;
  p.max_read = max_read;
  p.max_write = max_write;
  return p;
}

void ChangeSegment(MemoryDevice& dev, uint64_t segment, uint64_t seed) {
  dev.Poke(segment * kSeg, RandomBytes(kSeg, seed));
}

TEST(CopyEngineTest, FirstCopyWritesEverythingAndLeavesACleanFile) {
  EngineFixture f(2 << 20);
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->end, RunEnd::kComplete);
  EXPECT_TRUE(f.TargetMatches());
  EXPECT_EQ(r->stats.segments, 128u);
  EXPECT_EQ(r->stats.segments_changed, 128u);
  EXPECT_EQ(r->stats.bytes_written, 2u << 20);
  EXPECT_EQ(r->stats.bytes_read, 2u << 20);
  // Runs are capped at 128 KiB: 16 writes.
  EXPECT_EQ(r->stats.write_ops, 16u);
  Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().state, FileState::kClean);
  EXPECT_EQ(file->header().valid_end, 2u << 20);
  EXPECT_TRUE(file->header().window.empty());
}

TEST(CopyEngineTest, UnchangedSourceWritesNothing) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  f.target.ResetCounters();
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stats.segments_changed, 0u);
  EXPECT_EQ(f.target.counters().writes, 0u);
}

TEST(CopyEngineTest, OnlyChangedSegmentsAreWritten) {
  EngineFixture f(4 << 20);
  ASSERT_TRUE(f.Copy().ok());
  for (uint64_t seg : {3, 50, 51, 200, 255}) ChangeSegment(f.source, seg, seg + 100);
  f.target.ResetCounters();
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(f.TargetMatches());
  EXPECT_EQ(r->stats.segments_changed, 5u);
  EXPECT_EQ(f.target.counters().bytes_written, 5 * kSeg);
  EXPECT_EQ(f.target.counters().writes, 4u);  // 50 and 51 coalesced
}

TEST(CopyEngineTest, NeighboursAcrossAReadChunkBoundaryBecomeOneWrite) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  // Chunks hold 4 segments: 2..5 straddle the boundary between chunks 0 and 1.
  for (uint64_t seg = 2; seg <= 5; ++seg) ChangeSegment(f.source, seg, seg);
  f.target.ResetCounters();
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_EQ(f.target.counters().writes, 1u);
  EXPECT_EQ(f.target.counters().bytes_written, 4 * kSeg);
  EXPECT_TRUE(f.TargetMatches());
}

TEST(CopyEngineTest, LongRunsAreSplitAtTheMaximum) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  for (uint64_t seg = 1; seg <= 20; ++seg) ChangeSegment(f.source, seg, seg);
  f.target.ResetCounters();
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_EQ(f.target.counters().writes, 3u);  // 8 + 8 + 4 segments
  EXPECT_TRUE(f.TargetMatches());
}

TEST(CopyEngineTest, SourceWithAnUnalignedTail) {
  EngineFixture f(1 * kSeg * 37 + 1000);
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
  f.source.Poke(f.source.size() - 10, "0123456789");
  f.target.ResetCounters();
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
  EXPECT_EQ(f.target.counters().bytes_written, 1000u);
}

TEST(CopyEngineTest, ZeroSegmentsArePunchedOnAFileTarget) {
  EngineFixture f(1 << 20, DeviceInfo::Kind::kRegularFile);
  ASSERT_TRUE(f.Copy().ok());
  f.source.Poke(5 * kSeg, std::string(3 * kSeg, '\0'));
  f.target.ResetCounters();
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(f.TargetMatches());
  EXPECT_EQ(f.target.counters().writes, 0u);
  EXPECT_EQ(f.target.counters().punches, 1u);
  EXPECT_EQ(r->stats.bytes_deallocated, 3 * kSeg);
  EXPECT_EQ(r->stats.segments_zero, 3u);
}

TEST(CopyEngineTest, ZeroSegmentsAreWrittenOnABlockDeviceUnlessAskedToPunch) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  f.source.Poke(5 * kSeg, std::string(2 * kSeg, '\0'));
  f.target.ResetCounters();
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_EQ(f.target.counters().bytes_written, 2 * kSeg);
  EXPECT_EQ(f.target.counters().punches, 0u);

  f.source.Poke(9 * kSeg, std::string(kSeg, '\0'));
  f.target.set_punch_supported(true);
  f.options.punch_zeros = true;
  f.target.ResetCounters();
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_EQ(f.target.counters().punches, 1u);
  EXPECT_EQ(f.target.counters().writes, 0u);
  EXPECT_TRUE(f.TargetMatches());
}

TEST(CopyEngineTest, PunchNotSupportedFallsBackToWritingZeros) {
  EngineFixture f(1 << 20);
  f.options.punch_zeros = true;  // but the device cannot
  f.source.Poke(0, std::string(4 * kSeg, '\0'));
  Result<RunResult> r = f.Copy();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(f.TargetMatches());
  EXPECT_EQ(r->stats.bytes_written, 1u << 20);
  EXPECT_THAT(f.log.Text(), ::testing::HasSubstr("writing zeros instead"));
}

TEST(CopyEngineTest, ShortReadsAndShortWritesAreRetried) {
  EngineFixture f(1 << 20);
  FaultyDevice src(f.source, Plan(5000, 0));
  FaultyDevice dst(f.target, Plan(0, 7000));
  FaultyDevice ck(f.checksum, Plan(100, 300));
  ASSERT_TRUE(f.Copy(&src, &dst, &ck).ok());
  EXPECT_TRUE(f.TargetMatches());
  ChangeSegment(f.source, 33, 9);
  ASSERT_TRUE(f.Copy(&src, &dst, &ck).ok());
  EXPECT_TRUE(f.TargetMatches());
}

TEST(CopyEngineTest, TargetSmallerThanSourceIsRefused) {
  EngineFixture f(1 << 20);
  MemoryDevice small("small", 1 << 19);
  Result<RunResult> r = f.Copy(nullptr, &small);
  EXPECT_EQ(r.status().code(), Code::kInvalidConfig);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("smaller than the source"));
}

TEST(CopyEngineTest, ChecksumOnlyFileOfTheTargetMakesTheFirstCopyIncremental) {
  EngineFixture f(1 << 20);
  f.target.SetContents(f.source.Contents());
  ChangeSegment(f.source, 7, 1);
  // ddless -s TARGET -c CK: digests describe the target itself.
  ChecksumHeader h;
  h.seed = 3;
  h.source = "dst";
  h.source_size = 1 << 20;
  Result<ChecksumFile> file = ChecksumFile::Create(f.checksum, h);
  ASSERT_TRUE(file.ok());
  Result<RunResult> only =
      RunCopy({&f.target, nullptr, &*file, "dst", ""}, f.options, f.host, f.log);
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  EXPECT_EQ(only->stats.segments_changed, 0u);
  EXPECT_EQ(file->header().target, "");
  EXPECT_EQ(Mismatch(file->header(), {"src", 1 << 20, "dst", {}}), "");
  // Now the copy src -> dst writes only the one differing segment.
  f.target.ResetCounters();
  Result<RunResult> r =
      RunCopy({&f.source, &f.target, &*file, "src", "dst"}, f.options, f.host, f.log);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(f.target.counters().bytes_written, kSeg);
  EXPECT_TRUE(f.TargetMatches());
  EXPECT_EQ(file->header().source, "src");
  EXPECT_EQ(file->header().target, "dst");
}

TEST(CopyEngineTest, ReadErrorFailsTheRunAndTheNextRunRepairs) {
  EngineFixture f(2 << 20);
  ASSERT_TRUE(f.Copy().ok());
  for (uint64_t seg = 0; seg < 128; seg += 9) ChangeSegment(f.source, seg, seg + 1);
  FaultPlan eio;
  eio.eio_read_at = 1 << 20;
  FaultyDevice src(f.source, eio);
  Result<RunResult> r = f.Copy(&src);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("Input/output error"));
  Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().state, FileState::kRunning);
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
}

TEST(CopyEngineTest, FailingTargetFlushFailsTheRunWithoutCommittingDigests) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  ChangeSegment(f.source, 2, 5);
  FaultPlan bad_flush;
  bad_flush.fail_flush = true;
  FaultyDevice dst(f.target, bad_flush);
  EXPECT_FALSE(f.Copy(nullptr, &dst).ok());
  // The old digest for segment 2 is still there: a stale target can't be skipped later.
  f.target.Poke(2 * kSeg, std::string(kSeg, 'x'));
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
}

// Linux after a failed fsync: the data never reached the disk, but the page cache keeps it (clean)
// and reads return it. A re-check that trusted the cache would record digests for data the
// target does not hold; it must read what the medium has.
TEST(CopyEngineTest, AfterAFailedFlushTheRecheckReadsTheMediumNotTheCache) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  ChangeSegment(f.source, 2, 5);
  FaultPlan lost;
  lost.fail_flush = lost.flush_loses_writes = true;
  FaultyDevice dst(f.target, lost);
  EXPECT_FALSE(f.Copy(nullptr, &dst).ok());
  ASSERT_TRUE(f.TargetMatches());          // as the cache shows it
  ASSERT_TRUE(f.Copy().ok());              // re-checks the window of the failed run
  f.target.DropCache(0, f.target.size());  // the cache is evicted later: what is on the disk?
  EXPECT_TRUE(f.TargetMatches());
}

}  // namespace
}  // namespace san::blockcopy
