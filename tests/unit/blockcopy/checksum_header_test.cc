// Header encoding is a file format: round trips, integrity checks, refusal of damaged or crafted
// slots, and the rules that decide whether a checksum file fits a run.
#include "libsan/blockcopy/checksum_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::blockcopy {
namespace {

using ::testing::HasSubstr;

ChecksumHeader Sample() {
  ChecksumHeader h;
  h.sequence = 41;
  h.hash = HashKind::kXxh3;
  h.seed = 0x0123456789abcdefULL;
  h.source_size = 10ull << 30;
  h.source = "/dev/vg0/data-snap";
  h.target = "/dev/vg1/data";
  h.state = FileState::kRunning;
  h.committed = 1 << 30;
  h.valid_end = 2ull << 30;
  h.window = {1 << 30, (1 << 30) + (256 << 20)};
  h.recheck = {4096 * 4, 4096 * 8};
  return h;
}

TEST(ChecksumHeaderTest, RoundTrip) {
  ChecksumHeader h = Sample();
  HeaderBlock b = EncodeHeader(h);
  Result<ChecksumHeader> back = DecodeHeader(b);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, h);
}

TEST(ChecksumHeaderTest, SizesFollowTheSourceSize) {
  ChecksumHeader h;
  h.source_size = 3 * kSegmentSize + 1;
  EXPECT_EQ(h.SegmentCount(), 4u);
  EXPECT_EQ(h.FileSize(), kDigestsOffset + 4 * kDigestSize);
}

TEST(ChecksumHeaderTest, EveryFlippedByteIsDetected) {
  HeaderBlock good = EncodeHeader(Sample());
  for (size_t i = 8; i < kHeaderSlotSize; i += 7) {
    HeaderBlock b = good;
    b[i] ^= std::byte{0x20};
    EXPECT_EQ(DecodeHeader(b).status().code(), Code::kCorruption) << "byte " << i;
  }
}

TEST(ChecksumHeaderTest, NoMagicMeansNotAChecksumFile) {
  HeaderBlock zeros{};
  EXPECT_EQ(DecodeHeader(zeros).status().code(), Code::kNotFound);
  HeaderBlock b = EncodeHeader(Sample());
  b[0] = std::byte{'X'};
  EXPECT_EQ(DecodeHeader(b).status().code(), Code::kNotFound);
  EXPECT_EQ(DecodeHeader(std::span(b).first(100)).status().code(), Code::kNotFound);
}

TEST(ChecksumHeaderTest, CraftedValuesAreRefusedEvenWithAValidChecksum) {
  auto decode = [](ChecksumHeader h) { return DecodeHeader(EncodeHeader(h)).status(); };
  ChecksumHeader h = Sample();
  h.version = 2;
  EXPECT_EQ(decode(h).code(), Code::kInvalidConfig);
  EXPECT_THAT(decode(h).message(), HasSubstr("format version 2"));
  h = Sample();
  h.hash = static_cast<HashKind>(77);
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
  h = Sample();
  h.segment_size = 4096;
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
  h = Sample();
  h.state = static_cast<FileState>(9);
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
  h = Sample();
  h.valid_end = h.source_size + 1;
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
  h = Sample();
  h.window = {10, 5};
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
  h = Sample();
  h.recheck = {0, h.source_size + kSegmentSize};
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
  h = Sample();
  h.source = "";
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
}

TEST(ChecksumHeaderTest, OverlongIdentityLengthIsRefused) {
  HeaderBlock b = EncodeHeader(Sample());
  // The source identity's length field sits after the fixed fields (8+4+4+8+4+4+8+8+4+4+6*8).
  size_t at = 8 + 4 + 4 + 8 + 4 + 4 + 8 + 8 + 4 + 4 + 6 * 8;
  b[at + 1] = std::byte{0x7f};
  // Re-seal the slot so that only the length check can catch it.
  uint64_t sum = Checksum64(std::span(b).first(kHeaderSlotSize - 8));
  for (int i = 0; i < 8; ++i) b[kHeaderSlotSize - 8 + i] = std::byte(sum >> (8 * i));
  Status s = DecodeHeader(b).status();
  EXPECT_EQ(s.code(), Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("identity too long"));
}

TEST(ChecksumHeaderTest, CoverJoinsRanges) {
  EXPECT_EQ(Cover({}, {5, 9}), (Range{5, 9}));
  EXPECT_EQ(Cover({5, 9}, {}), (Range{5, 9}));
  EXPECT_EQ(Cover({20, 30}, {5, 9}), (Range{5, 30}));
  EXPECT_TRUE(Range({3, 3}).empty());
  EXPECT_TRUE(Range({3, 4}).Contains(3));
  EXPECT_FALSE(Range({3, 4}).Contains(4));
}

TEST(ChecksumHeaderTest, AFileFitsItsOwnPair) {
  ChecksumHeader h = Sample();
  EXPECT_EQ(Mismatch(h, {h.source, h.source_size, h.target, {}}), "");
  EXPECT_EQ(Mismatch(h, {h.source, h.source_size, h.target, HashKind::kXxh3}), "");
}

TEST(ChecksumHeaderTest, MismatchesNameWhatDiffers) {
  ChecksumHeader h = Sample();
  EXPECT_THAT(Mismatch(h, {"/dev/vg0/other", h.source_size, h.target, {}}),
              HasSubstr("made for source /dev/vg0/data-snap (10 GiB), not /dev/vg0/other"));
  EXPECT_THAT(Mismatch(h, {h.source, 11ull << 30, h.target, {}}),
              HasSubstr("not /dev/vg0/data-snap (11 GiB)"));
  EXPECT_THAT(Mismatch(h, {h.source, h.source_size, "/dev/vg1/other", {}}),
              HasSubstr("made for target /dev/vg1/data, not /dev/vg1/other"));
  EXPECT_THAT(Mismatch(h, {h.source, h.source_size, h.target, HashKind::kXxh128}),
              HasSubstr("holds xxh3 digests, not xxh128"));
  EXPECT_THAT(Mismatch(h, {h.source, h.source_size, "", {}}),
              HasSubstr("checksum-only mode would replace it"));
}

TEST(ChecksumHeaderTest, ChecksumOnlyFilesFitACopyToTheDeviceTheyDescribe) {
  ChecksumHeader h = Sample();
  h.source = "/dev/vg1/data";  // made by: ddless -s /dev/vg1/data -c FILE
  h.target = "";
  EXPECT_EQ(Mismatch(h, {"/dev/vg1/data", h.source_size, "", {}}), "");
  EXPECT_EQ(Mismatch(h, {"/dev/vg0/snap", h.source_size, "/dev/vg1/data", {}}), "");
  EXPECT_THAT(Mismatch(h, {"/dev/vg0/snap", h.source_size + 1, "/dev/vg1/data", {}}),
              HasSubstr("differs in size"));
  // Digests of the source itself say nothing about a target.
  EXPECT_THAT(Mismatch(h, {"/dev/vg1/data", h.source_size, "/dev/vg2/copy", {}}),
              HasSubstr("say nothing about the target"));
}

}  // namespace
}  // namespace san::blockcopy
