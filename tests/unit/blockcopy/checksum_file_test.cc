// ChecksumFile on an in-memory file: creation, digest streaming, alternating header slots (a torn
// newest slot falls back to the previous one), and refusal of foreign or damaged files.
#include "libsan/blockcopy/checksum_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/blockcopy/fake_faulty_device.h"
#include "libsan/blockcopy/fake_memory_device.h"

namespace san::blockcopy {
namespace {

using ::testing::HasSubstr;

ChecksumHeader Header(uint64_t size = 100 * kSegmentSize) {
  ChecksumHeader h;
  h.seed = 9;
  h.source = "/dev/src";
  h.target = "/dev/dst";
  h.source_size = size;
  return h;
}

TEST(ChecksumFileTest, CreateFormatsAndMakesDurable) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  Result<ChecksumFile> f = ChecksumFile::Create(dev, Header());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(dev.size(), kDigestsOffset + 100 * kDigestSize);
  EXPECT_EQ(dev.counters().flushes, 1u);
  Result<ChecksumFile> again = ChecksumFile::Load(dev);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->header().source, "/dev/src");
  EXPECT_EQ(again->header().state, FileState::kRunning);
}

TEST(ChecksumFileTest, DigestsRoundTripByRange) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  Result<ChecksumFile> f = ChecksumFile::Create(dev, Header(10000 * kSegmentSize));
  ASSERT_TRUE(f.ok());
  std::vector<Digest> in(5000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = {i * 3 + 1, ~i};
  ASSERT_TRUE(f->WriteDigests(4000, in).ok());
  std::vector<Digest> out(5000);
  ASSERT_TRUE(f->ReadDigests(4000, out).ok());
  EXPECT_EQ(in, out);
  std::vector<Digest> one(1);
  ASSERT_TRUE(f->ReadDigests(3999, one).ok());
  EXPECT_EQ(one[0], Digest{});
}

TEST(ChecksumFileTest, CommitFlushesDigestsBeforeTheHeader) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  Result<ChecksumFile> f = ChecksumFile::Create(dev, Header());
  std::vector<Digest> d(3, Digest{1, 2});
  ASSERT_TRUE(f->WriteDigests(0, d).ok());
  ChecksumHeader h = f->header();
  h.state = FileState::kClean;
  dev.ResetCounters();
  ASSERT_TRUE(f->Commit(h).ok());
  EXPECT_EQ(dev.counters().flushes, 2u);  // digests, then header
  EXPECT_EQ(dev.counters().writes, 1u);
  EXPECT_EQ(f->header().sequence, 1u);
  // A power loss right after Commit loses nothing.
  dev.PowerLoss(3);
  Result<ChecksumFile> again = ChecksumFile::Load(dev);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->header().state, FileState::kClean);
  std::vector<Digest> out(3);
  ASSERT_TRUE(again->ReadDigests(0, out).ok());
  EXPECT_EQ(out, d);
}

TEST(ChecksumFileTest, ATornNewestHeaderFallsBackToThePreviousOne) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  Result<ChecksumFile> f = ChecksumFile::Create(dev, Header());
  ChecksumHeader h = f->header();
  h.committed = 5 * kSegmentSize;
  ASSERT_TRUE(f->Commit(h).ok());  // sequence 1, slot 1
  h.committed = 9 * kSegmentSize;
  ASSERT_TRUE(f->Commit(h).ok());  // sequence 2, slot 0
  dev.Poke(100, "garbage");        // tear slot 0
  Result<ChecksumFile> again = ChecksumFile::Load(dev);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->header().sequence, 1u);
  EXPECT_EQ(again->header().committed, 5 * kSegmentSize);
}

TEST(ChecksumFileTest, BothHeadersDamagedIsCorruption) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  Result<ChecksumFile> f = ChecksumFile::Create(dev, Header());
  ASSERT_TRUE(f->Commit(f->header()).ok());
  dev.Poke(100, "x");
  dev.Poke(kHeaderSlotSize + 100, "x");
  Status s = ChecksumFile::Load(dev).status();
  EXPECT_EQ(s.code(), Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("ck is damaged"));
}

TEST(ChecksumFileTest, TruncatedOrExtendedFileIsCorruption) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  ASSERT_TRUE(ChecksumFile::Create(dev, Header()).ok());
  ASSERT_TRUE(dev.Resize(dev.size() - 16).ok());
  EXPECT_EQ(ChecksumFile::Load(dev).status().code(), Code::kCorruption);
  ASSERT_TRUE(dev.Resize(dev.size() + 32).ok());
  EXPECT_THAT(ChecksumFile::Load(dev).status().message(), HasSubstr("its header needs"));
}

TEST(ChecksumFileTest, ForeignFilesAreNotChecksumFiles) {
  MemoryDevice text("passwd", 0, DeviceInfo::Kind::kRegularFile);
  text.SetContents("root:x:0:0:root:/root:/bin/bash\n");
  EXPECT_EQ(ChecksumFile::Load(text).status().code(), Code::kInvalidConfig);
  MemoryDevice zeros("zeros", 1 << 20, DeviceInfo::Kind::kRegularFile);
  Status s = ChecksumFile::Load(zeros).status();
  EXPECT_EQ(s.code(), Code::kInvalidConfig);
  EXPECT_THAT(s.message(), HasSubstr("not a ddless checksum file"));
}

TEST(ChecksumFileTest, ReadErrorsPropagate) {
  MemoryDevice dev("ck", 0, DeviceInfo::Kind::kRegularFile);
  ASSERT_TRUE(ChecksumFile::Create(dev, Header()).ok());
  FaultPlan plan;
  plan.eio_read_at = kDigestsOffset + 10 * kDigestSize;
  FaultyDevice bad(dev, plan);
  Result<ChecksumFile> f = ChecksumFile::Load(bad);
  ASSERT_TRUE(f.ok());
  std::vector<Digest> out(20);
  EXPECT_THAT(f->ReadDigests(0, out).message(), HasSubstr("Input/output error"));
}

}  // namespace
}  // namespace san::blockcopy
