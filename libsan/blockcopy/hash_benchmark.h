// ddless --bench-hash: single-core digest throughput on 16 KiB segments, from a buffer that fits
// in L2 (hot) and from one far larger than the caches (DRAM), so users can see whether hashing
// could ever be the bottleneck next to their disks.
#pragma once

#include <chrono>
#include <cstdint>

#include "libsan/blockcopy/segment_hash.h"
#include "libsan/host/host.h"

namespace san::blockcopy {

struct HashRate {
  HashKind kind = HashKind::kXxh128;
  uint64_t buffer_bytes = 0;  // working set hashed round and round
  double bytes_per_second = 0;
};

// Hashes 16 KiB segments of a `buffer_bytes` buffer in a loop for about `duration` (Host clock),
// or until `max_bytes` were hashed (a clock that does not move cannot hang it).
HashRate MeasureHashRate(Host& host, HashKind kind, uint64_t buffer_bytes,
                         std::chrono::milliseconds duration, uint64_t max_bytes = 1ull << 40);

}  // namespace san::blockcopy
