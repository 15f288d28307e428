// The -r token bucket on FakeHost's instant clock: a burst is free, after that the rate holds,
// and idle time buys at most one burst.
#include "libsan/blockcopy/rate_limiter.h"

#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::blockcopy {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(RateLimiterTest, TheFirstBurstIsFree) {
  FakeHost host;
  RateLimiter limiter(host, 10.0 * kMiB, kMiB);
  limiter.Acquire(kMiB);
  EXPECT_EQ(host.total_slept().count(), 0);
}

TEST(RateLimiterTest, SustainedReadsFollowTheRate) {
  FakeHost host;
  RateLimiter limiter(host, 10.0 * kMiB, kMiB);
  for (int i = 0; i < 101; ++i) limiter.Acquire(kMiB);
  // 101 MiB at 10 MiB/s with a 1 MiB burst: 10 s of sleeping.
  EXPECT_NEAR(host.total_slept().count(), 10'000, 10);
}

TEST(RateLimiterTest, FractionalRatesWork) {
  FakeHost host;
  RateLimiter limiter(host, 0.5 * kMiB, 64 * 1024);
  for (int i = 0; i < 17; ++i) limiter.Acquire(64 * 1024);
  EXPECT_NEAR(host.total_slept().count(), 2'000, 10);  // 1 MiB beyond the burst at 0.5 MiB/s
}

TEST(RateLimiterTest, IdleTimeBuysAtMostOneBurst) {
  FakeHost host;
  RateLimiter limiter(host, 1.0 * kMiB, kMiB);
  limiter.Acquire(kMiB);
  host.Advance(std::chrono::hours(1));
  limiter.Acquire(kMiB);  // refilled, but only to the burst size
  EXPECT_EQ(host.total_slept().count(), 0);
  limiter.Acquire(kMiB);
  EXPECT_NEAR(host.total_slept().count(), 1'000, 2);
}

TEST(RateLimiterTest, RequestsLargerThanTheBurstAreGrantedAndPaidFor) {
  FakeHost host;
  RateLimiter limiter(host, 1.0 * kMiB, 64 * 1024);
  limiter.Acquire(4 * kMiB + 64 * 1024);
  EXPECT_NEAR(host.total_slept().count(), 4'000, 2);
}

}  // namespace
}  // namespace san::blockcopy
