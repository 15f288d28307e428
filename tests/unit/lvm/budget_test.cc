// The failover budget: projection from measured activations and snapshot use.
#include "libsan/lvm/budget.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::lvm {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr uint64_t kGiB = uint64_t{1} << 30;

TEST(BudgetTest, FieldNoteRateWithoutMeasurements) {
  BudgetModel m = Learn({});
  EXPECT_FALSE(m.rate_measured);
  // 250 GB of used snapshot: ~6 minutes, far beyond the ~45 s clients survive.
  milliseconds p = Project(m, 250'000'000'000ull);
  EXPECT_NEAR(static_cast<double>(p.count()), 360'000.0, 1.0);
  EXPECT_GT(p, seconds(45));
  EXPECT_EQ(Project(m, 0), milliseconds(0));
}

TEST(BudgetTest, BaseFromFastestSnapshotFreeActivation) {
  BudgetModel m = Learn({{milliseconds(900), 0}, {milliseconds(700), 100}, {milliseconds(800), 0}});
  EXPECT_EQ(m.base, milliseconds(700));
  EXPECT_FALSE(m.rate_measured);
  EXPECT_EQ(Project(m, 0), milliseconds(700));
}

TEST(BudgetTest, RateFromTheLatestLargeSnapshotSample) {
  BudgetModel m = Learn({{milliseconds(1000), 0},
                         {milliseconds(21'000), 10 * kGiB},    // 2 s/GiB
                         {milliseconds(41'000), 20 * kGiB}});  // 2 s/GiB again
  EXPECT_TRUE(m.rate_measured);
  EXPECT_EQ(m.base, milliseconds(1000));
  EXPECT_DOUBLE_EQ(m.ms_per_gib, 2000.0);
  EXPECT_EQ(Project(m, 50 * kGiB), milliseconds(101'000));
  EXPECT_THAT(DescribeProjection(m, 50 * kGiB),
              HasSubstr("projected activation 101.0 s (base 1.0 s + 50.0 GiB snapshot data at "
                        "2.00 s/GiB, measured)"));
}

TEST(BudgetTest, WithoutASnapshotFreeSampleTheFieldNoteShareIsSubtracted) {
  BudgetModel m = Learn({{milliseconds(20'000), 10 * kGiB}});
  EXPECT_NEAR(static_cast<double>(m.base.count()), 20'000 - 10 * kFieldNoteMsPerGiB, 1.0);
  EXPECT_FALSE(m.rate_measured);
  // Fast activations never yield a negative base.
  EXPECT_EQ(Learn({{milliseconds(10), 100 * kGiB}}).base, milliseconds(0));
}

TEST(BudgetTest, SamplesRoundTripAndKeepTheNewest) {
  std::vector<ActivationSample> s;
  for (int i = 0; i < 12; ++i) s.push_back({milliseconds(i * 100), static_cast<uint64_t>(i)});
  std::string text = FormatSamples(s);
  std::vector<ActivationSample> back = ParseSamples(text);
  ASSERT_EQ(back.size(), kMaxSamples);
  EXPECT_EQ(back.front().took, milliseconds(400));
  EXPECT_EQ(back.back().snapshot_used, 11u);
  EXPECT_EQ(ParseSamples("garbage\n-1 5\n10 x\n7 8 9\n100 200\n").size(), 1u);
}

}  // namespace
}  // namespace san::lvm
