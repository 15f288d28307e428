// The comparison rules. Conservative by design: a false "changed" costs a full copy, a false
// "same" costs a silently wrong target, so anything in doubt counts as changed.
#include "libsan/blockcopy/device_identity.h"

#include <sys/sysmacros.h>

#include "libsan/blockcopy/block_device.h"
#include "libsan/util/strings.h"

namespace san::blockcopy {
namespace {

std::string Arrow(uint64_t a, uint64_t b) { return std::to_string(a) + " -> " + std::to_string(b); }

std::string DevNumber(uint64_t rdev) {
  return std::to_string(major(rdev)) + ":" + std::to_string(minor(rdev));
}

}  // namespace

std::string_view KindName(DeviceIdentity::Kind kind) {
  switch (kind) {
    case DeviceIdentity::Kind::kNone:
      return "nothing";
    case DeviceIdentity::Kind::kRegularFile:
      return "regular file";
    case DeviceIdentity::Kind::kBlockDevice:
      return "block device";
    case DeviceIdentity::Kind::kMemory:
      return "memory device";
  }
  return "unknown";
}

std::string IdentityChange(const DeviceIdentity& recorded, const DeviceIdentity& now,
                           bool check_mtime) {
  using Kind = DeviceIdentity::Kind;
  if (recorded.kind == Kind::kNone) return "has no recorded identity";
  if (recorded.kind != now.kind) {
    return "was a " + std::string(KindName(recorded.kind)) + ", now it is a " +
           std::string(KindName(now.kind));
  }
  if (recorded.kind == Kind::kBlockDevice) {
    // The stable id decides when there is one: dm-N numbers change across reboots, UUIDs do not.
    if (!recorded.stable_id.empty() || !now.stable_id.empty()) {
      if (recorded.stable_id != now.stable_id) {
        return "is another device (" + Printable(recorded.stable_id, 120) + " -> " +
               Printable(now.stable_id, 120) + ")";
      }
    } else if (recorded.rdev != now.rdev) {
      return "is another device (" + DevNumber(recorded.rdev) + " -> " + DevNumber(now.rdev) + ")";
    }
  } else {
    if (recorded.ino != now.ino) {
      return "was deleted and re-created or replaced (inode " + Arrow(recorded.ino, now.ino) + ")";
    }
    if (recorded.btime_ns != 0 && now.btime_ns != 0) {
      if (recorded.btime_ns != now.btime_ns) {
        return "was deleted and re-created (same inode number, new birth time)";
      }
    } else if (recorded.dev != now.dev) {
      // Without a birth time, the inode number alone can be reused on another file system.
      return "is on another file system (device " + DevNumber(recorded.dev) + " -> " +
             DevNumber(now.dev) + ")";
    }
  }
  if (recorded.size != now.size) {
    return "changed size (" + FormatBytes(recorded.size) + " -> " + FormatBytes(now.size) + ")";
  }
  if (check_mtime && recorded.kind != Kind::kBlockDevice && recorded.mtime_ns != now.mtime_ns) {
    return "was modified since ddless last wrote it (its modification time changed)";
  }
  return {};
}

}  // namespace san::blockcopy
