// BlockDevice: the seam for block I/O. ddless reads sources, writes targets and keeps its checksum
// file through it, so tests can use an in-memory device and a fault-injecting wrapper instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "libsan/blockcopy/device_identity.h"
#include "libsan/util/status.h"

namespace san::blockcopy {

// Alignment that satisfies O_DIRECT on every device we support (512- and 4096-byte sectors).
inline constexpr size_t kDirectAlignment = 4096;

// What kind of object a device is and which object it is, for "same file?" checks.
struct DeviceInfo {
  enum class Kind { kRegularFile, kBlockDevice, kMemory };
  Kind kind = Kind::kMemory;
  uint64_t dev = 0;   // st_dev (regular files) — with ino names the file
  uint64_t ino = 0;   // st_ino
  uint64_t rdev = 0;  // st_rdev (block devices): the device itself
  // Loop devices: st_dev and st_ino of the backing file (both 0 otherwise), so a loop device and
  // its backing file, or two loop devices over one file, count as the same object.
  uint64_t backing_dev = 0;
  uint64_t backing_ino = 0;
  // True when two infos name the same underlying object (never true for kMemory).
  bool SameObject(const DeviceInfo& other) const;
};

// A contiguous piece of caller-owned memory to be written.
struct ConstPiece {
  const std::byte* data = nullptr;
  size_t size = 0;
};

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;

  // Name for messages (the path as given, or a test label).
  virtual const std::string& name() const = 0;
  virtual DeviceInfo info() const = 0;
  // Current size in bytes.
  virtual uint64_t size() const = 0;
  // What the object is now (fstat/statx at each call, so a modification time is current).
  virtual DeviceIdentity Identify() const = 0;

  // One read at `offset` into `out`. May return fewer bytes than asked (0 at or past the end).
  // Not OK on an I/O error. Safe to call from several threads at once.
  virtual Result<size_t> Read(uint64_t offset, std::span<std::byte> out) = 0;
  // One gathered write at `offset`. May write fewer bytes than the pieces hold. Safe to call from
  // several threads for disjoint ranges.
  virtual Result<size_t> Write(uint64_t offset, std::span<const ConstPiece> pieces) = 0;
  // Makes every completed write durable (fdatasync/fsync, or a device cache flush).
  virtual Status Flush() = 0;
  // Makes [offset, offset+length) read back as zeros without writing them (deallocates).
  // NotInstalled when the device or file system cannot do it; the caller then writes zeros.
  virtual Status PunchZeros(uint64_t offset, uint64_t length) = 0;
  // Grows or shrinks a regular file. InvalidConfig for devices of fixed size.
  virtual Status Resize(uint64_t new_size) = 0;
  // Drops cached clean pages of [offset, offset+length), so the next read comes from the medium.
  // After a failed flush Linux keeps the unwritten data in the page cache marked clean: reads
  // that must see what really is on the target (re-checks, spot checks) call this first.
  // A hint: devices without a cache do nothing.
  virtual void DropCache(uint64_t offset, uint64_t length) {
    (void)offset;
    (void)length;
  }
};

// How ddless wants a path opened.
struct OpenOptions {
  bool writable = false;
  // Create a regular file (mode 0600) when the path does not exist. Never creates devices.
  bool create = false;
  // Fail with Busy instead of opening when it exists (used for new checksum files).
  bool must_create = false;
  // O_DIRECT for requests whose offset, length and buffer are kDirectAlignment-aligned.
  bool direct = false;
  // Block devices: O_EXCL, so a mounted or otherwise exclusively held device is refused (Busy).
  bool exclusive = false;
  // flock(LOCK_EX|LOCK_NB) for as long as the device is open; Busy when another process holds it.
  bool lock = false;
  // Refuse anything that is not a regular file (checksum files).
  bool regular_only = false;
  // Refuse a symbolic link at `path` itself (checksum files: a planted link must not redirect
  // ddless' writes).
  bool no_follow = false;
  // Tell the kernel the file will be read from start to end (larger readahead).
  bool sequential = false;
};

// Where devices come from: the real file system, or named in-memory devices in tests.
class DeviceOpener {
 public:
  virtual ~DeviceOpener() = default;
  // NotFound when absent (and not created), Permission on EACCES/EPERM, Busy when held (see
  // OpenOptions), InvalidConfig for a directory, FIFO, socket or character device (refused
  // without blocking: a FIFO is never waited on), a symbolic link with no_follow, or when
  // O_DIRECT is not supported by the file system.
  virtual Result<std::unique_ptr<BlockDevice>> Open(const std::string& path,
                                                    const OpenOptions& options) = 0;
  // Whether something exists at path (a dangling symlink counts).
  virtual bool Exists(const std::string& path) = 0;
  // Atomically renames a file (rename(2)) and makes the rename durable (fsync of the
  // directory); open devices keep referring to it.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes a regular file (used to undo a file ddless created before a refusal).
  virtual Status Remove(const std::string& path) = 0;
};

// Reads exactly out.size() bytes, retrying short reads. Corruption (naming the device and offset)
// when the device ends first; the device's Status on an I/O error.
Status ReadFull(BlockDevice& dev, uint64_t offset, std::span<std::byte> out);
// Writes every byte of `pieces`, retrying short writes.
Status WriteFull(BlockDevice& dev, uint64_t offset, std::span<const ConstPiece> pieces);
Status WriteFull(BlockDevice& dev, uint64_t offset, std::span<const std::byte> data);
// Writes `length` zero bytes (used when PunchZeros is not supported).
Status WriteZeros(BlockDevice& dev, uint64_t offset, uint64_t length);

// Human-readable byte count: "16 KiB", "1.5 GiB", "512 B".
std::string FormatBytes(uint64_t bytes);

}  // namespace san::blockcopy
