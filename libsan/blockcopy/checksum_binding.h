// Finding the checksum file of a job: open an existing one and decide whether it describes this
// source/target pair (never silently reusing one that does not), or create a new one atomically
// (written under a temporary name, then renamed) so a crash never leaves a headerless file.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_file.h"

namespace san::blockcopy {

struct BoundChecksum {
  // Set when a usable file was found or created; `file` refers to `device`.
  std::unique_ptr<BlockDevice> device;
  std::optional<ChecksumFile> file;
  // Otherwise: why a new checksum file is required (missing, made for another pair, legacy...).
  std::string needs_new;
  bool missing = false;  // needs_new because there is no file at all
  bool usable() const { return file.has_value(); }
};

// Opens `path` (locked; writable unless `read_only`) and checks it against `want`. A missing,
// mismatched or original-ddless file gives needs_new. Errors: InvalidConfig for a file that is
// not a ddless checksum file (it is never overwritten) or names the source/target themselves,
// Corruption for a damaged one, Busy when another run holds it, Permission, ...
Result<BoundChecksum> FindChecksumFile(DeviceOpener& opener, const std::string& path,
                                       const Expectation& want, bool read_only = false);

// Creates a new checksum file for `header` at `path` (which must not exist): formats
// PATH.ddless-new, makes it durable, renames it to PATH.
Result<BoundChecksum> CreateChecksumFile(DeviceOpener& opener, const std::string& path,
                                         const ChecksumHeader& header);

}  // namespace san::blockcopy
