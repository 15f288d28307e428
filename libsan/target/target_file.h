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
// "PATH:LINE: what is wrong" for the first error found; nothing else happens.
Result<TargetConfig> ParseTargetFile(std::string_view text, const std::string& path);

// Reads and parses `path`. NotFound/Permission when it cannot be read.
Result<TargetConfig> LoadTargetFile(Host& host, const std::string& path);

// Every LUN's backing path exists and is a block device or regular file. NotFound
// "PATH:LINE: lun N: backing path X does not exist" otherwise (a missing LV is an environment
// problem on this node, not a bad file).
Status CheckBackingPaths(Host& host, const TargetConfig& config);

}  // namespace san::target
