// DeviceIdentity: which object a checksum file's digests describe, recorded in its header and
// compared on every later run, so a target that was re-created, truncated, replaced or written
// outside ddless is never trusted. Pure: the real values come from BlockDevice::Identify().
#pragma once

#include <cstdint>
#include <string>

namespace san::blockcopy {

inline constexpr size_t kMaxStableId = 256;  // bytes of a stable device id kept in the header

struct DeviceIdentity {
  enum class Kind : uint32_t { kNone = 0, kRegularFile = 1, kBlockDevice = 2, kMemory = 3 };
  Kind kind = Kind::kNone;  // kNone: nothing recorded
  uint64_t size = 0;        // bytes
  // Regular files: st_dev and st_ino, the birth time (statx; 0 when the file system does not
  // report one) and the modification time, all in nanoseconds.
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t btime_ns = 0;
  uint64_t mtime_ns = 0;
  // Block devices: st_rdev, and an id that survives reboots but not re-creation when the kernel
  // offers one: the device-mapper UUID (LVM: VG and LV UUID), a disk's WWID, or for a loop device
  // its backing file. Empty when there is none; then rdev stands in.
  uint64_t rdev = 0;
  std::string stable_id;

  bool operator==(const DeviceIdentity&) const = default;
};

// Empty when `now` is the object `recorded` describes; otherwise a clause naming what changed
// ("was deleted and re-created (inode 12 -> 14)", "changed size (16 MiB -> 0 B)", "is another
// device (LVM-abc -> LVM-def)", "was modified since ddless last wrote it"). `check_mtime` is false
// where ddless itself may have written after the identity was recorded (an interrupted run).
std::string IdentityChange(const DeviceIdentity& recorded, const DeviceIdentity& now,
                           bool check_mtime);

// "regular file", "block device", "memory device", "nothing"
std::string_view KindName(DeviceIdentity::Kind kind);

}  // namespace san::blockcopy
