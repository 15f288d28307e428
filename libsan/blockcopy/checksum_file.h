// ChecksumFile: the on-disk state of one copy job — two alternating header slots, then one 16-byte
// digest per 16 KiB segment. Digests are streamed (read and written by range), never loaded whole,
// so memory stays small for any source size (15 TB of source is ~15 GB of digests).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_header.h"

namespace san::blockcopy {

class ChecksumFile {
 public:
  // Reads and checks the header of an existing file. InvalidConfig when it is not a ddless
  // checksum file at all (or a format this build does not know), Corruption when it is one but
  // damaged (both header slots bad, or the size does not fit the header). The file must outlive
  // the returned object.
  static Result<ChecksumFile> Load(BlockDevice& file);
  // Formats an empty (sparse) file for `header` and makes it durable.
  static Result<ChecksumFile> Create(BlockDevice& file, ChecksumHeader header);

  const ChecksumHeader& header() const { return header_; }
  BlockDevice& device() { return *file_; }

  // Digests of segments [first, first + out.size()). Thread-safe.
  Status ReadDigests(uint64_t first, std::span<Digest> out) const;
  // Overwrites the digests of segments [first, first + digests.size()); not yet durable.
  Status WriteDigests(uint64_t first, std::span<const Digest> digests);
  // Flushes the digests written so far, then writes `header` (next sequence, other slot) and
  // flushes again: when this returns, both are durable and the header names them.
  Status Commit(ChecksumHeader header);

 private:
  ChecksumFile(BlockDevice& file, ChecksumHeader header)
      : file_(&file), header_(std::move(header)) {}
  Status WriteHeaderSlot(const ChecksumHeader& header);

  BlockDevice* file_;
  ChecksumHeader header_;
};

}  // namespace san::blockcopy
