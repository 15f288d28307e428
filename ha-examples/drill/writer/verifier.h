// The drill's verdict: is every acknowledged write intact? Pure: a region image (blocks 0..max
// LBA of the log) and the parsed log in, counts and the first problems out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ha-examples/drill/writer/write_log.h"

namespace san::drill {

struct Problem {
  uint64_t lba = 0;
  bool lost = false;  // false: corrupt
  std::string what;   // "last acknowledged seq 40, found seq 20", "checksum mismatch", ...
};

struct VerifyReport {
  uint64_t writes = 0;  // log lines
  uint64_t acked = 0;   // lines with RESULT ok
  uint64_t errors = 0;  // lines with RESULT err:...
  std::map<std::string, uint64_t> error_reasons;
  uint64_t lbas_checked = 0;      // distinct LBAs in the log, each read and checked
  uint64_t lost = 0;              // LBAs whose last acknowledged write is not there (older or none)
  uint64_t corrupt = 0;           // LBAs with a damaged block, or one this log never wrote there
  uint64_t unacked_found = 0;     // LBAs holding a failed or in-flight write: allowed, counted
  uint64_t longest_gap_us = 0;    // longest time between two consecutive acknowledgements
  uint64_t gap_start_us = 0;      // T_DONE of the acknowledgement that opened it
  std::vector<Problem> problems;  // the first kMaxProblems, in LBA order
  bool passed() const { return lost == 0 && corrupt == 0; }
};

inline constexpr size_t kMaxProblems = 20;

// The LBA range the image must cover: 0 .. MaxLba(log) inclusive (0 for an empty log).
uint64_t MaxLba(const std::vector<LogEntry>& log);

// Checks every LBA the log names. The block there must be valid (checksum, size, position), must
// be one this log wrote at that LBA with the same submit time (or the single write in flight
// when the writer stopped: seq one past the last line, submitted after it), and its seq must be at
// least the last acknowledged seq for that LBA. `image` holds (MaxLba + 1) blocks of
// `block_size` bytes; the caller checks that.
VerifyReport Verify(std::span<const std::byte> image, size_t block_size,
                    const std::vector<LogEntry>& log);

}  // namespace san::drill
