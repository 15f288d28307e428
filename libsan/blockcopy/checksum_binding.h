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
  // needs_new, but the file is a ddless checksum file made for this very source/target pair that
  // cannot vouch for the target (an older format, or the target changed): a copy may replace it
  // and start over. `device` stays open (and locked) until then.
  bool stale = false;
  bool usable() const { return file.has_value(); }
  // Turns a usable file into a stale one, for `why`.
  void Distrust(std::string why) {
    file.reset();
    stale = true;
    needs_new = std::move(why);
  }
};

// Opens `path` (locked, never through a symlink; writable unless `read_only`) and checks it
// against `want`. A missing, mismatched or original-ddless file gives needs_new; a copy's file of
// format version 1 (no target identity) is stale. Errors: InvalidConfig for a file that is not a
// ddless checksum file (it is never overwritten), a symlink, FIFO or device, Corruption for a
// damaged one, Busy when another run holds it, Permission, ...
Result<BoundChecksum> FindChecksumFile(DeviceOpener& opener, const std::string& path,
                                       const Expectation& want, bool read_only = false);

// Creates a new checksum file for `header` at `path`: formats PATH.ddless-new (refused when it
// is a symlink), makes it durable, renames it to PATH. `path` must not exist unless `replace`
// (a stale file, still held locked by the caller, is replaced atomically).
Result<BoundChecksum> CreateChecksumFile(DeviceOpener& opener, const std::string& path,
                                         const ChecksumHeader& header, bool replace = false);

}  // namespace san::blockcopy
