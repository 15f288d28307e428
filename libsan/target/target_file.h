// Parser of the declarative target file (format: docs/target-file.md). Pure: text in, model out;
// every error names file and line. Checks needing the machine (backing paths) are separate.
#pragma once

#include <string>
#include <string_view>

#include "libsan/host/host.h"
#include "libsan/target/model.h"
#include "libsan/util/status.h"

namespace san::target {

// Parses `text` read from `path` (used in messages only). InvalidConfig
// "PATH:LINE: what is wrong" for the first error found; nothing else happens. A file without any
// target is refused unless it says `no-targets yes` (an empty or truncated file must not make
// apply remove every target).
Result<TargetConfig> ParseTargetFile(std::string_view text, const std::string& path);

// Largest target file read (a FIFO, /dev/zero or a runaway file never makes a run hang or grow).
inline constexpr uint64_t kMaxTargetFileBytes = 16u << 20;

// Reads and parses `path`: a regular file of at most kMaxTargetFileBytes, read within the host's
// deadline. NotInstalled when it is missing or a directory (this node is not set up),
// InvalidConfig for a FIFO/device/oversized file, Permission, Timeout.
Result<TargetConfig> LoadTargetFile(Host& host, const std::string& path);

// Every LUN's backing path exists and is a block device or regular file, and no two LUNs use
// the same storage (compared by st_rdev for block devices, st_dev/st_ino otherwise: symlinks,
// hard links and /dev/VG/LV vs /dev/mapper names are caught). NotFound
// "PATH:LINE: lun N: backing path X does not exist" (a missing LV is an environment problem on
// this node, not a bad file); InvalidConfig for a shared device.
Status CheckBackingPaths(Host& host, const TargetConfig& config);

}  // namespace san::target
