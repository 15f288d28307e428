// ErrnoStatus: errno → Status for the POSIX code in libsan/host.
#include "libsan/host/errno_status.h"

#include <cerrno>
#include <system_error>
#include <utility>

namespace san {

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

Status ErrnoStatus(int err, const std::string& what) {
  std::string message = what + ": " + ErrnoText(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(std::move(message));
    case EACCES:
    case EPERM:
      return Status::Permission(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

}  // namespace san
