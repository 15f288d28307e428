// Token bucket with debt: a request larger than the tokens left is granted at once and the
// caller sleeps until the debt is repaid, which keeps large reads (1 MiB) at an exact rate.
#include "libsan/blockcopy/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace san::blockcopy {

RateLimiter::RateLimiter(Host& host, double bytes_per_second, uint64_t burst)
    : host_(host),
      rate_(bytes_per_second),
      burst_(static_cast<double>(burst)),
      tokens_(static_cast<double>(burst)),
      last_(host.Now()) {}

void RateLimiter::Acquire(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  Clock::time_point now = host_.Now();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + std::max(0.0, elapsed) * rate_);
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return;
  // Sleep off the debt while holding the lock: the next caller must wait behind us anyway.
  auto wait = std::chrono::microseconds(static_cast<int64_t>(std::ceil(-tokens_ / rate_ * 1e6)));
  host_.SleepFor(std::chrono::ceil<std::chrono::milliseconds>(wait));
  Clock::time_point after = host_.Now();
  tokens_ += std::chrono::duration<double>(after - now).count() * rate_;
  last_ = after;
}

}  // namespace san::blockcopy
