// ErrnoStatus: turns an errno value into a Status, the one mapping used by RealHost and the
// subprocess runner.
#pragma once

#include <string>

#include "libsan/util/status.h"

namespace san {

// strerror-like text for `err` (thread-safe).
std::string ErrnoText(int err);

// "what: <ErrnoText(err)>", coded NotFound for ENOENT, Permission for EACCES/EPERM, else Internal.
Status ErrnoStatus(int err, const std::string& what);

}  // namespace san
