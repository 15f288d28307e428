// Header encoding is a file format: round trips, integrity checks, refusal of damaged or crafted
// slots, and the rules that decide whether a checksum file fits a run.
#include "libsan/blockcopy/checksum_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "tests/support/test_data.h"

namespace san::blockcopy {
namespace {

using ::testing::HasSubstr;

// Recomputes the slot's integrity checksum, so only the field checks can refuse a crafted value.
void Reseal(HeaderBlock& b) {
  uint64_t sum = Checksum64(std::span(b).first(kHeaderSlotSize - 8));
  for (int i = 0; i < 8; ++i) b[kHeaderSlotSize - 8 + i] = std::byte(sum >> (8 * i));
}

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
  h.described.kind = DeviceIdentity::Kind::kBlockDevice;
  h.described.size = 10ull << 30;
  h.described.rdev = 0xfd03;
  h.described.stable_id = "dm:LVM-abcdef";
  h.source_id.kind = DeviceIdentity::Kind::kRegularFile;
  h.source_id.size = 10ull << 30;
  h.source_id.dev = 0x803;
  h.source_id.ino = 12;
  h.source_id.btime_ns = 1700000000123456789ull;
  h.source_id.mtime_ns = 1700000001000000000ull;
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
  h = Sample();
  h.described.kind = static_cast<DeviceIdentity::Kind>(9);
  EXPECT_EQ(decode(h).code(), Code::kCorruption);
}

TEST(ChecksumHeaderTest, AFutureFormatVersionIsRefusedAsAnotherVersion) {
  HeaderBlock b = EncodeHeader(Sample());
  b[8] = std::byte{3};  // the version field follows the 8-byte magic
  Reseal(b);
  Status s = DecodeHeader(b).status();
  EXPECT_EQ(s.code(), Code::kInvalidConfig);
  EXPECT_THAT(s.message(), HasSubstr("format version 3 (this ddless reads version 2)"));
}

TEST(ChecksumHeaderTest, EveryHeaderIsWrittenInTheCurrentVersion) {
  ChecksumHeader h = Sample();
  h.version = 1;  // as read from an old file: rewriting it makes it a version-2 header
  Result<ChecksumHeader> back = DecodeHeader(EncodeHeader(h));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->version, kFormatVersion);
}

// A version-1 file written by the real ddless of that format (tests/data/ddless/capture_v1.sh):
// it decodes, so it can be named and replaced, but it carries no identity of its target.
TEST(ChecksumHeaderTest, AVersion1FileDecodesWithoutIdentities) {
  std::string file = san::testing::ReadTestData("ddless/v1_copy.ck");
  ASSERT_EQ(file.size(), kDigestsOffset + 4 * kDigestSize);
  HeaderBlock b;
  std::memcpy(b.data(), file.data(), kHeaderSlotSize);
  Result<ChecksumHeader> h = DecodeHeader(b);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->version, 1u);
  EXPECT_EQ(h->source, "/tmp/v1cap/src");
  EXPECT_EQ(h->target, "/tmp/v1cap/dst");
  EXPECT_EQ(h->source_size, 60894u);
  EXPECT_EQ(h->state, FileState::kClean);
  EXPECT_EQ(h->described.kind, DeviceIdentity::Kind::kNone);
  EXPECT_EQ(h->source_id.kind, DeviceIdentity::Kind::kNone);
}

TEST(ChecksumHeaderTest, AnOverlongStableIdIsRefused) {
  ChecksumHeader h = Sample();
  h.source_id.stable_id.clear();
  HeaderBlock b = EncodeHeader(h);
  // The source identity ends the slot's fields: its stable-id length is the last u32 written.
  size_t fixed = 8 + 4 + 4 + 8 + 4 + 4 + 8 + 8 + 4 + 4 + 6 * 8;
  size_t at = fixed + (4 + h.source.size()) + (4 + h.target.size()) +
              (4 + 6 * 8 + 4 + h.described.stable_id.size()) + 4 + 6 * 8;
  ASSERT_EQ(b[at], std::byte{0});
  b[at + 1] = std::byte{0x02};  // 512 bytes
  Reseal(b);
  EXPECT_EQ(DecodeHeader(b).status().code(), Code::kCorruption);
}

TEST(ChecksumHeaderTest, OverlongIdentityLengthIsRefused) {
  HeaderBlock b = EncodeHeader(Sample());
  // The source identity's length field sits after the fixed fields (8+4+4+8+4+4+8+8+4+4+6*8).
  size_t at = 8 + 4 + 4 + 8 + 4 + 4 + 8 + 8 + 4 + 4 + 6 * 8;
  b[at + 1] = std::byte{0x7f};
  Reseal(b);
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
