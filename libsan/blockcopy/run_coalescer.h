// RunCoalescer: turns the stream of changed segments into as few target writes as possible.
// Adjacent changed segments become one run (one pwritev), also when they come from different
// read chunks; zero segments form their own runs (deallocated or written as zeros).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "libsan/blockcopy/block_device.h"

namespace san::blockcopy {

struct WriteRun {
  enum class Kind { kData, kZeros };
  Kind kind = Kind::kData;
  uint64_t offset = 0;
  uint64_t length = 0;
  // kData: the bytes to write, in order; adjacent memory is merged into one piece.
  std::vector<ConstPiece> pieces;
  // Index of the oldest read chunk whose buffer `pieces` point into (buffers stay pinned until the
  // run is written).
  uint64_t first_chunk = 0;

  uint64_t end() const { return offset + length; }
};

// The first `length` bytes of `run` (length <= run.length).
WriteRun TruncateRun(const WriteRun& run, uint64_t length);

class RunCoalescer {
 public:
  // Runs never grow past `max_run_bytes` (bounding the buffers a run pins); at least one segment.
  explicit RunCoalescer(uint64_t max_run_bytes) : max_run_bytes_(max_run_bytes) {}

  // Adds one changed segment [offset, offset+length) read into `data` (ignored for kZeros) from
  // chunk `chunk`. Returns the pending run, finished, when the segment cannot extend it: not
  // adjacent, another kind, or the run would exceed the maximum. The segment then starts a new run.
  [[nodiscard]] std::optional<WriteRun> Add(WriteRun::Kind kind, uint64_t offset,
                                            const std::byte* data, uint64_t length, uint64_t chunk);
  // Finishes and returns the pending run, if any.
  [[nodiscard]] std::optional<WriteRun> Take();

  bool has_pending() const { return pending_.has_value(); }
  const WriteRun* pending() const { return pending_ ? &*pending_ : nullptr; }

 private:
  uint64_t max_run_bytes_;
  std::optional<WriteRun> pending_;
};

}  // namespace san::blockcopy
