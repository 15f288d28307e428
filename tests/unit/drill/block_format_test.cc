// The drill writer's block: round trip, and every kind of damage is told apart from a blank.
#include "ha-examples/drill/writer/block_format.h"

#include <gtest/gtest.h>

#include <vector>

namespace san::drill {
namespace {

std::vector<std::byte> Encoded(uint64_t seq, uint64_t lba, size_t size = 4096) {
  std::vector<std::byte> block(size);
  EncodeBlock({seq, lba, 1764640000123456, 0}, block);
  return block;
}

TEST(BlockFormatTest, RoundTrip) {
  for (size_t size : {size_t{512}, size_t{4096}, size_t{65536}}) {
    std::vector<std::byte> block = Encoded(77, 13, size);
    DecodedBlock d = DecodeBlock(block, 13);
    ASSERT_EQ(d.state, BlockState::kValid) << size << ": " << d.why;
    EXPECT_EQ(d.header, (BlockHeader{77, 13, 1764640000123456, static_cast<uint32_t>(size)}));
  }
}

TEST(BlockFormatTest, ZerosAndForeignDataAreBlank) {
  std::vector<std::byte> zeros(4096);
  EXPECT_EQ(DecodeBlock(zeros, 0).state, BlockState::kBlank);
  std::vector<std::byte> text(4096, std::byte{'x'});
  EXPECT_EQ(DecodeBlock(text, 0).state, BlockState::kBlank);
}

TEST(BlockFormatTest, AnyFlippedByteIsCorrupt) {
  const std::vector<std::byte> good = Encoded(5, 2);
  // Header fields, the checksum itself, the filler's first and last byte.
  for (size_t at : {size_t{8}, size_t{16}, size_t{24}, size_t{32}, size_t{36}, size_t{40},
                    size_t{48}, size_t{4095}}) {
    std::vector<std::byte> bad = good;
    bad[at] ^= std::byte{0x01};
    DecodedBlock d = DecodeBlock(bad, 2);
    EXPECT_EQ(d.state, BlockState::kCorrupt) << "byte " << at;
    EXPECT_EQ(d.why, "checksum mismatch") << "byte " << at;
  }
}

TEST(BlockFormatTest, TornWriteOfTwoVersionsIsCorrupt) {
  // First half of seq 9's block, second half of seq 5's at the same LBA: the header survives.
  std::vector<std::byte> torn = Encoded(9, 1);
  std::vector<std::byte> older = Encoded(5, 1);
  std::copy(older.begin() + 2048, older.end(), torn.begin() + 2048);
  EXPECT_EQ(DecodeBlock(torn, 1).state, BlockState::kCorrupt);
}

TEST(BlockFormatTest, BlockAtTheWrongPlaceIsCorrupt) {
  DecodedBlock d = DecodeBlock(Encoded(3, 3), 4);
  EXPECT_EQ(d.state, BlockState::kCorrupt);
  EXPECT_EQ(d.why, "block of lba 3 at lba 4");
}

TEST(BlockFormatTest, BlockReadWithAnotherSizeIsCorrupt) {
  std::vector<std::byte> big = Encoded(3, 0, 8192);
  std::vector<std::byte> first_half(big.begin(), big.begin() + 4096);
  EXPECT_EQ(DecodeBlock(first_half, 0).state, BlockState::kCorrupt);
}

TEST(BlockFormatTest, VersionsOfOneLbaDifferInTheFiller) {
  std::vector<std::byte> a = Encoded(1, 0), b = Encoded(2, 0);
  EXPECT_NE(std::vector<std::byte>(a.begin() + kHeaderSize, a.end()),
            std::vector<std::byte>(b.begin() + kHeaderSize, b.end()));
}

}  // namespace
}  // namespace san::drill
