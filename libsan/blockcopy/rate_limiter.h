// RateLimiter: a token bucket for -r (read rate). Readers take tokens before each read; when the
// bucket runs dry they sleep on the Host clock, so tests with FakeHost run instantly.
#pragma once

#include <cstdint>
#include <mutex>

#include "libsan/host/host.h"

namespace san::blockcopy {

class RateLimiter {
 public:
  // `bytes_per_second` > 0. The bucket holds at most `burst` bytes (it starts full), so an idle
  // period never buys more than one burst. `host` must outlive the limiter.
  RateLimiter(Host& host, double bytes_per_second, uint64_t burst);

  // Takes `bytes` tokens, sleeping as long as the rate requires. Thread-safe: callers queue on a
  // mutex, so the rate holds for all of them together.
  void Acquire(uint64_t bytes);

  double rate() const { return rate_; }

 private:
  Host& host_;
  const double rate_;
  const double burst_;
  std::mutex mu_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace san::blockcopy
