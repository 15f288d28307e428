// SegmentClassifier: the work done on reader threads for each chunk — read it (rate-limited),
// hash every segment, fetch the stored digests (or, inside a re-check range, hash what the target
// really holds) and decide per segment: skip, write, or zero.
#pragma once

#include <atomic>
#include <cstdint>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_file.h"
#include "libsan/blockcopy/rate_limiter.h"
#include "libsan/blockcopy/read_pipeline.h"

namespace san::blockcopy {

// Reads [chunk.offset, +chunk.length) of `device` into chunk.buffer (waiting on `limiter` first
// when given) and fills chunk.digests. Thread-safe.
Status ReadAndHash(BlockDevice& device, HashKind hash, uint64_t seed, RateLimiter* limiter,
                   Chunk& chunk);

struct ClassifierConfig {
  BlockDevice* source = nullptr;
  BlockDevice* target = nullptr;  // null: checksum-only, every segment is kSkip
  const ChecksumFile* checksum = nullptr;
  HashKind hash = HashKind::kXxh128;
  uint64_t seed = 0;
  uint64_t valid_end = 0;  // stored digests at or past this offset are unknown
  Range recheck;           // here the target is read and hashed instead of trusting digests
  bool zero_runs = false;  // classify all-zero changed segments as kZero
  RateLimiter* limiter = nullptr;
};

class SegmentClassifier {
 public:
  explicit SegmentClassifier(const ClassifierConfig& config) : config_(config) {}

  // A ChunkProcessor: fills digests and actions. Thread-safe.
  Status Process(Chunk& chunk);

  uint64_t bytes_read() const { return bytes_read_.load(); }
  uint64_t rechecked() const { return rechecked_.load(); }

 private:
  // Replaces reference digests of segments inside the re-check range by the target's own.
  Status RecheckTarget(const Chunk& chunk, std::vector<Digest>& reference);

  ClassifierConfig config_;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> rechecked_{0};
};

}  // namespace san::blockcopy
