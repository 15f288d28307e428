// Tuning and limits shared by the copy, checksum-only and verify runs, and what a run reports.
#pragma once

#include <cstdint>
#include <functional>

namespace san::blockcopy {

struct EngineOptions {
  size_t chunk_size = 1 << 20;  // bytes per read (the original read 1 MiB at a time)
  int readers = 4;              // reads in flight
  // Longest single target write. 8 MiB measured slower on first copies here: big writes stall
  // on dirty-page throttling while the readers wait for buffers.
  uint64_t max_run_bytes = 1 << 20;
  // Source bytes between commits (target flush, digests written, header advanced). Also the
  // most a crash can leave to re-check. Rounded to a multiple of chunk_size.
  uint64_t commit_window = 256 << 20;
  uint64_t write_limit = 0;  // -m: stop once this many target bytes changed; 0 = no limit
  double read_rate = 0;      // -r: bytes per second; 0 = unlimited
  // Deallocate runs of zero segments on a block-device target (thin LVs) instead of writing
  // zeros. Regular-file targets always get holes punched (falling back to writing zeros).
  bool punch_zeros = false;
  bool restart = false;  // start at 0 even if the last run stopped at its write limit
};

// Target segments a copy compares with their digests before trusting the checksum file.
inline constexpr uint64_t kDefaultSpotChecks = 8;

struct RunStats {
  uint64_t source_size = 0;
  uint64_t start = 0;  // first source byte this run looked at
  uint64_t stop = 0;   // where it stopped (source size when complete)
  uint64_t bytes_read = 0;
  uint64_t segments = 0;           // segments looked at
  uint64_t segments_changed = 0;   // written or zeroed
  uint64_t segments_zero = 0;      // of those, zero segments
  uint64_t bytes_written = 0;      // data written to the target (zeros written included)
  uint64_t bytes_deallocated = 0;  // zero ranges punched instead of written
  uint64_t write_ops = 0;
  uint64_t punch_ops = 0;
  uint64_t commits = 0;
  uint64_t rechecked = 0;  // segments compared with the target after an interrupted run
  double seconds = 0;
  // Bytes changed on the target, as the write limit counts them.
  uint64_t changed_bytes() const { return bytes_written + bytes_deallocated; }
};

// Called by the writer after each chunk (often: throttle before printing).
using ProgressFn = std::function<void(const RunStats&)>;

}  // namespace san::blockcopy
