// Spot checks on in-memory and faulty devices: the sample is distinct, avoids segments an
// interrupted run may have written, covers everything when small, and a single foreign write
// within the sample is found.
#include "libsan/blockcopy/spot_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "libsan/blockcopy/fake_faulty_device.h"
#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
constexpr uint64_t kSeg = kSegmentSize;

ChecksumHeader Header(uint64_t segments) {
  ChecksumHeader h;
  h.source_size = h.valid_end = segments * kSeg;
  h.state = FileState::kClean;
  return h;
}

TEST(SpotCheckTest, PicksDistinctTrustedSegmentsInOrder) {
  std::mt19937_64 rng(3);
  ChecksumHeader h = Header(1000);
  h.state = FileState::kRunning;
  h.window = {100 * kSeg, 300 * kSeg};
  h.recheck = {900 * kSeg, 950 * kSeg};
  for (int round = 0; round < 50; ++round) {
    std::vector<uint64_t> s = PickSpotSegments(h, 8, [&] { return rng(); });
    ASSERT_EQ(s.size(), 8u);
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
    EXPECT_EQ(std::set<uint64_t>(s.begin(), s.end()).size(), 8u);
    for (uint64_t seg : s) {
      EXPECT_TRUE(SegmentTrusted(h, seg)) << seg;
      EXPECT_FALSE(seg >= 100 && seg < 950) << seg;  // Cover(window, recheck) = [100, 950)
    }
  }
}

TEST(SpotCheckTest, ASmallFileIsCheckedWhole) {
  ChecksumHeader h = Header(5);
  h.valid_end = 3 * kSeg + 1;  // digests of segments 0..3 were written
  EXPECT_THAT(PickSpotSegments(h, 8, [] { return uint64_t{0}; }), ElementsAre(0, 1, 2, 3));
  h.valid_end = 0;
  EXPECT_TRUE(PickSpotSegments(h, 8, [] { return uint64_t{0}; }).empty());
  EXPECT_FALSE(SegmentTrusted(h, 0));
}

TEST(SpotCheckTest, EvenAConstantRandomSourceGivesDistinctSegments) {
  std::vector<uint64_t> s = PickSpotSegments(Header(100), 4, [] { return uint64_t{7}; });
  EXPECT_EQ(std::set<uint64_t>(s.begin(), s.end()).size(), 4u);
}

class SpotCheckRunTest : public ::testing::Test {
 protected:
  SpotCheckRunTest() : f_(64 * kSeg + 100) { EXPECT_TRUE(f_.Copy().ok()); }
  Result<ChecksumFile> Load() { return ChecksumFile::Load(f_.checksum); }
  testing::EngineFixture f_;
  std::mt19937_64 rng_{11};
};

TEST_F(SpotCheckRunTest, ATargetThatMatchesPasses) {
  Result<ChecksumFile> file = Load();
  ASSERT_TRUE(file.ok());
  Result<SpotCheckResult> r = SpotCheck(f_.target, *file, 8, [&] { return rng_(); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->checked.size(), 8u);
  EXPECT_FALSE(r->differs);
  // The short last segment is compared over its real length.
  r = SpotCheck(f_.target, *file, 1000, [&] { return rng_(); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->checked.size(), 65u);
  EXPECT_FALSE(r->differs);
}

TEST_F(SpotCheckRunTest, AForeignWriteInTheSampleIsFound) {
  f_.target.Poke(40 * kSeg + 5, "x");
  Result<ChecksumFile> file = Load();
  ASSERT_TRUE(file.ok());
  Result<SpotCheckResult> r = SpotCheck(f_.target, *file, 1000, [&] { return rng_(); });
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->differs);
  EXPECT_EQ(*r->differs, 40 * kSeg);
  EXPECT_EQ(r->checked.back(), 40 * kSeg);  // stops at the first difference
}

TEST_F(SpotCheckRunTest, ReadErrorsAreErrors) {
  Result<ChecksumFile> file = Load();
  ASSERT_TRUE(file.ok());
  FaultPlan eio;
  eio.eio_read_at = 0;
  FaultyDevice bad(f_.target, eio);
  Result<SpotCheckResult> r = SpotCheck(bad, *file, 1000, [&] { return rng_(); });
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("Input/output error"));
}

}  // namespace
}  // namespace san::blockcopy
