// Spot check: before a run trusts a checksum file, it reads a few random segments of the target
// and compares them with the stored digests. Identity checks cannot see writes to a block device
// outside ddless, or an old checksum file restored from a backup; a sample catches them
// eventually (each run draws new segments), at the cost of N 16 KiB reads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_file.h"

namespace san::blockcopy {

// Segments whose digests vouch for the target (below valid_end, outside the window of an
// interrupted run and any pending re-check range).
bool SegmentTrusted(const ChecksumHeader& header, uint64_t segment);

// Up to `count` distinct trusted segments, drawn with `random`, in ascending order (all of them
// when there are no more than `count`). Pure.
std::vector<uint64_t> PickSpotSegments(const ChecksumHeader& header, uint64_t count,
                                       const std::function<uint64_t()>& random);

struct SpotCheckResult {
  std::vector<uint64_t> checked;    // byte offsets of the segments read, ascending
  std::optional<uint64_t> differs;  // the first offset whose content does not match its digest
};

// Reads the picked segments of `target` and compares each with its stored digest; stops at the
// first difference. Errors: the target's read errors, Corruption when it is shorter than the
// checksum file covers.
Result<SpotCheckResult> SpotCheck(BlockDevice& target, const ChecksumFile& file, uint64_t count,
                                  const std::function<uint64_t()>& random);

}  // namespace san::blockcopy
