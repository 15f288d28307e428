// ReadPipeline: chunks arrive in offset order whatever order readers finish in, a reader error
// reaches the consumer, the buffer pool bounds memory, and stopping early does not hang.
#include "libsan/blockcopy/read_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace san::blockcopy {
namespace {

TEST(ReadPipelineTest, DeliversInOrderDespiteRandomReaderDelays) {
  std::atomic<int> calls{0};
  auto process = [&](Chunk& c) {
    std::mt19937 rng(static_cast<unsigned>(c.index));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
    c.buffer.data()[0] = std::byte(c.index & 0xff);
    ++calls;
    return Status::Ok();
  };
  ReadPipeline p({16384, 6, 8}, 5 * 16384, 5 * 16384 + 100 * 16384 + 7, process);
  EXPECT_EQ(p.chunk_count(), 101u);
  uint64_t expect = 0;
  while (true) {
    Result<Chunk*> c = p.Next();
    ASSERT_TRUE(c.ok());
    if (!*c) break;
    EXPECT_EQ((*c)->index, expect);
    EXPECT_EQ((*c)->offset, 5 * 16384 + expect * 16384);
    EXPECT_EQ((*c)->length, expect == 100 ? 7u : 16384u);
    EXPECT_EQ((*c)->buffer.data()[0], std::byte(expect & 0xff));
    p.Release(*c);
    ++expect;
  }
  EXPECT_EQ(expect, 101u);
  EXPECT_EQ(calls.load(), 101);
}

TEST(ReadPipelineTest, TheConsumerHoldingBuffersLimitsReadAhead) {
  std::atomic<uint64_t> max_index{0};
  auto process = [&](Chunk& c) {
    uint64_t seen = max_index.load();
    while (c.index > seen && !max_index.compare_exchange_weak(seen, c.index)) {
    }
    return Status::Ok();
  };
  ReadPipeline p({16384, 2, 4}, 0, 1000 * 16384, process);
  std::vector<Chunk*> held;
  for (int i = 0; i < 3; ++i) held.push_back(*p.Next());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // 4 slots: 3 held by the consumer, so at most one more chunk can be read ahead.
  EXPECT_LE(max_index.load(), 3u);
  for (Chunk* c : held) p.Release(c);
}

TEST(ReadPipelineTest, AReaderErrorReachesTheConsumer) {
  auto process = [](Chunk& c) {
    if (c.index == 7) return Status::Internal("read /dev/x at 114688: Input/output error");
    return Status::Ok();
  };
  ReadPipeline p({16384, 3, 6}, 0, 20 * 16384, process);
  Status error;
  while (true) {
    Result<Chunk*> c = p.Next();
    if (!c.ok()) {
      error = c.status();
      break;
    }
    ASSERT_NE(*c, nullptr) << "the error must not be lost";
    EXPECT_LT((*c)->index, 7u);
    p.Release(*c);
  }
  EXPECT_THAT(error.message(), ::testing::HasSubstr("Input/output error"));
}

TEST(ReadPipelineTest, StoppingEarlyDoesNotHang) {
  auto process = [](Chunk&) { return Status::Ok(); };
  ReadPipeline p({16384, 4, 5}, 0, 100000 * 16384ull, process);
  Result<Chunk*> c = p.Next();
  ASSERT_TRUE(c.ok());
  p.Stop();  // with readers blocked on the full pool
}

TEST(ReadPipelineTest, AnEmptyRangeEndsAtOnce) {
  ReadPipeline p({16384, 4, 5}, 100, 100, [](Chunk&) { return Status::Ok(); });
  Result<Chunk*> c = p.Next();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, nullptr);
}

}  // namespace
}  // namespace san::blockcopy
