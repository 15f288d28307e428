// The buffer is filled with pseudo-random bytes (zero pages would be cheaper to fetch), and the
// digests are folded into a value the compiler cannot discard.
#include "libsan/blockcopy/hash_benchmark.h"

#include <cstring>
#include <random>

#include "libsan/blockcopy/aligned_buffer.h"
#include "libsan/blockcopy/checksum_header.h"

namespace san::blockcopy {

HashRate MeasureHashRate(Host& host, HashKind kind, uint64_t buffer_bytes,
                         std::chrono::milliseconds duration, uint64_t max_bytes) {
  buffer_bytes = std::max<uint64_t>(kSegmentSize, buffer_bytes / kSegmentSize * kSegmentSize);
  AlignedBuffer buf(buffer_bytes);
  std::mt19937_64 rng(1);
  for (uint64_t i = 0; i + 8 <= buffer_bytes; i += 8) {
    uint64_t v = rng();
    std::memcpy(buf.data() + i, &v, 8);
  }
  volatile uint64_t sink = 0;
  uint64_t hashed = 0;
  Clock::time_point start = host.Now();
  Clock::time_point stop = start + duration;
  Clock::time_point now = start;
  uint64_t seed = 0;
  while (now < stop && hashed < max_bytes) {
    // Check the clock once per pass (or per 64 MiB) to keep it out of the measurement.
    uint64_t pass = std::min<uint64_t>(buffer_bytes, 64 << 20);
    for (uint64_t at = 0; at < pass; at += kSegmentSize) {
      uint64_t off = (hashed + at) % buffer_bytes;
      sink = sink + HashSegment(kind, ++seed, {buf.data() + off, kSegmentSize}).lo;
    }
    hashed += pass;
    now = host.Now();
  }
  double seconds = std::chrono::duration<double>(now - start).count();
  return {kind, buffer_bytes, seconds > 0 ? hashed / seconds : 0};
}

}  // namespace san::blockcopy
