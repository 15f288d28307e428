// FileDevice: the real BlockDevice — a regular file or a block device opened with POSIX calls,
// optionally with O_DIRECT (aligned requests go direct, the rest through a buffered descriptor).
#pragma once

#include <memory>
#include <string>

#include "libsan/blockcopy/block_device.h"

namespace san::blockcopy {

// Opens `path` as a regular file or block device; errors as DeviceOpener::Open.
Result<std::unique_ptr<BlockDevice>> OpenFile(const std::string& path, const OpenOptions& options);

// DeviceOpener over the real file system.
class RealDeviceOpener : public DeviceOpener {
 public:
  Result<std::unique_ptr<BlockDevice>> Open(const std::string& path,
                                            const OpenOptions& options) override {
    return OpenFile(path, options);
  }
  bool Exists(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
};

}  // namespace san::blockcopy
