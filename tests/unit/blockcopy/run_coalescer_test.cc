// Coalescing rules: neighbours merge (also from different chunk buffers), gaps and kind changes
// split, runs stop at the maximum, truncation for the write limit.
#include "libsan/blockcopy/run_coalescer.h"

#include <gtest/gtest.h>

#include <vector>

namespace san::blockcopy {
namespace {

constexpr uint64_t kSeg = 16384;
using Kind = WriteRun::Kind;

class RunCoalescerTest : public ::testing::Test {
 protected:
  // Two chunk buffers of 4 segments each, as two reader threads would have filled them.
  std::vector<std::byte> a_ = std::vector<std::byte>(4 * kSeg);
  std::vector<std::byte> b_ = std::vector<std::byte>(4 * kSeg);
  const std::byte* A(int seg) { return a_.data() + seg * kSeg; }
  const std::byte* B(int seg) { return b_.data() + seg * kSeg; }
};

TEST_F(RunCoalescerTest, AdjacentSegmentsOfOneBufferBecomeOnePiece) {
  RunCoalescer c(1 << 20);
  EXPECT_FALSE(c.Add(Kind::kData, 0, A(0), kSeg, 0));
  EXPECT_FALSE(c.Add(Kind::kData, kSeg, A(1), kSeg, 0));
  std::optional<WriteRun> run = c.Take();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->offset, 0u);
  EXPECT_EQ(run->length, 2 * kSeg);
  ASSERT_EQ(run->pieces.size(), 1u);
  EXPECT_EQ(run->pieces[0].data, A(0));
  EXPECT_EQ(run->pieces[0].size, 2 * kSeg);
  EXPECT_FALSE(c.Take());
}

TEST_F(RunCoalescerTest, NeighboursAcrossChunkBuffersBecomeOneRunWithTwoPieces) {
  RunCoalescer c(1 << 20);
  EXPECT_FALSE(c.Add(Kind::kData, 3 * kSeg, A(3), kSeg, 0));
  EXPECT_FALSE(c.Add(Kind::kData, 4 * kSeg, B(0), kSeg, 1));
  std::optional<WriteRun> run = c.Take();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->offset, 3 * kSeg);
  EXPECT_EQ(run->length, 2 * kSeg);
  EXPECT_EQ(run->pieces.size(), 2u);
  EXPECT_EQ(run->first_chunk, 0u);
}

TEST_F(RunCoalescerTest, AGapFinishesTheRun) {
  RunCoalescer c(1 << 20);
  EXPECT_FALSE(c.Add(Kind::kData, 0, A(0), kSeg, 0));
  std::optional<WriteRun> done = c.Add(Kind::kData, 2 * kSeg, A(2), kSeg, 0);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->offset, 0u);
  EXPECT_EQ(done->length, kSeg);
  EXPECT_EQ(c.pending()->offset, 2 * kSeg);
}

TEST_F(RunCoalescerTest, ZerosAndDataDoNotMix) {
  RunCoalescer c(1 << 20);
  EXPECT_FALSE(c.Add(Kind::kZeros, 0, A(0), kSeg, 0));
  EXPECT_FALSE(c.Add(Kind::kZeros, kSeg, A(1), kSeg, 0));
  std::optional<WriteRun> zeros = c.Add(Kind::kData, 2 * kSeg, A(2), kSeg, 0);
  ASSERT_TRUE(zeros);
  EXPECT_EQ(zeros->kind, Kind::kZeros);
  EXPECT_EQ(zeros->length, 2 * kSeg);
  EXPECT_TRUE(zeros->pieces.empty());
  EXPECT_EQ(c.pending()->kind, Kind::kData);
}

TEST_F(RunCoalescerTest, RunsStopAtTheMaximum) {
  RunCoalescer c(3 * kSeg);
  std::vector<WriteRun> runs;
  for (int i = 0; i < 8; ++i) {
    const std::byte* p = i < 4 ? A(i) : B(i - 4);
    if (auto r = c.Add(Kind::kData, i * kSeg, p, kSeg, i / 4)) runs.push_back(*r);
  }
  if (auto r = c.Take()) runs.push_back(*r);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].length, 3 * kSeg);
  EXPECT_EQ(runs[1].length, 3 * kSeg);
  EXPECT_EQ(runs[1].pieces.size(), 2u);  // A(3) + B(0..1)
  EXPECT_EQ(runs[1].first_chunk, 0u);
  EXPECT_EQ(runs[2].offset, 6 * kSeg);
  EXPECT_EQ(runs[2].first_chunk, 1u);
}

TEST_F(RunCoalescerTest, TruncateKeepsAPrefixAcrossPieces) {
  RunCoalescer c(1 << 20);
  EXPECT_FALSE(c.Add(Kind::kData, 2 * kSeg, A(2), kSeg, 0));
  EXPECT_FALSE(c.Add(Kind::kData, 3 * kSeg, A(3), kSeg, 0));
  EXPECT_FALSE(c.Add(Kind::kData, 4 * kSeg, B(0), kSeg, 1));
  WriteRun run = *c.Take();
  WriteRun cut = TruncateRun(run, 2 * kSeg + 100);
  EXPECT_EQ(cut.offset, 2 * kSeg);
  EXPECT_EQ(cut.length, 2 * kSeg + 100);
  ASSERT_EQ(cut.pieces.size(), 2u);
  EXPECT_EQ(cut.pieces[0].size, 2 * kSeg);
  EXPECT_EQ(cut.pieces[1].data, B(0));
  EXPECT_EQ(cut.pieces[1].size, 100u);
  EXPECT_EQ(TruncateRun(run, 10 * kSeg).length, run.length);
  EXPECT_TRUE(TruncateRun(run, 0).pieces.empty());
}

}  // namespace
}  // namespace san::blockcopy
