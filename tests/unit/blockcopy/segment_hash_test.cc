// Segment digests: known XXH3 answers, the AVX2 and portable builds agree bit for bit (checksum
// files must not depend on the CPU), seeds matter, zero detection.
#include "libsan/blockcopy/segment_hash.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

std::span<const std::byte> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

TEST(SegmentHashTest, KnownAnswersForTheEmptyInput) {
  // From xxHash's own sanity tests (seed 0).
  Digest d128 = HashSegment(HashKind::kXxh128, 0, {});
  EXPECT_EQ(d128.lo, 0x6001C324468D497FULL);
  EXPECT_EQ(d128.hi, 0x99AA06D3014798D8ULL);
  Digest d64 = HashSegment(HashKind::kXxh3, 0, {});
  EXPECT_EQ(d64.lo, 0x2D06800538D394C2ULL);
  EXPECT_EQ(d64.hi, 0u);
}

TEST(SegmentHashTest, Avx2AndPortableBuildsAgree) {
  std::string data = testing::RandomBytes(70000, 5);
  for (size_t len : {0, 1, 3, 16, 17, 128, 129, 240, 241, 1000, 16384, 16383, 70000}) {
    for (uint64_t seed : {0ULL, 1ULL, 0xdeadbeefcafef00dULL}) {
      EXPECT_EQ(internal::Xxh128Avx2(data.data(), len, seed),
                internal::Xxh128Portable(data.data(), len, seed))
          << len << " " << seed;
      EXPECT_EQ(internal::Xxh64bitsAvx2(data.data(), len, seed),
                internal::Xxh64bitsPortable(data.data(), len, seed));
    }
  }
}

TEST(SegmentHashTest, SeedAndContentChangeTheDigest) {
  std::string seg = testing::RandomBytes(16384, 1);
  Digest a = HashSegment(HashKind::kXxh128, 1, Bytes(seg));
  EXPECT_NE(a, HashSegment(HashKind::kXxh128, 2, Bytes(seg)));
  EXPECT_EQ(a, HashSegment(HashKind::kXxh128, 1, Bytes(seg)));
  seg[9000] ^= 1;
  EXPECT_NE(a, HashSegment(HashKind::kXxh128, 1, Bytes(seg)));
}

TEST(SegmentHashTest, HashNamesRoundTrip) {
  for (HashKind k : {HashKind::kXxh128, HashKind::kXxh3}) {
    Result<HashKind> parsed = ParseHashKind(HashName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
    EXPECT_TRUE(IsKnownHashKind(static_cast<uint32_t>(k)));
  }
  EXPECT_EQ(ParseHashKind("md5").status().code(), Code::kInvalidConfig);
  EXPECT_FALSE(IsKnownHashKind(0));
  EXPECT_FALSE(IsKnownHashKind(99));
}

TEST(SegmentHashTest, IsAllZero) {
  std::string z(16384, '\0');
  EXPECT_TRUE(IsAllZero(Bytes(z)));
  EXPECT_TRUE(IsAllZero({}));
  z[16383] = 1;
  EXPECT_FALSE(IsAllZero(Bytes(z)));
  z[16383] = 0;
  z[0] = 1;
  EXPECT_FALSE(IsAllZero(Bytes(z)));
}

TEST(SegmentHashTest, ImplementationIsNamed) {
  std::string_view impl = HashImplementation();
  EXPECT_TRUE(impl == "avx2" || impl == "sse2");
}

}  // namespace
}  // namespace san::blockcopy
