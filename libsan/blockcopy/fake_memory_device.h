// MemoryDevice (tests only): a BlockDevice in memory that models what survives a crash — writes
// since the last Flush() can be lost or torn on a simulated power loss — and counts every access.
// MemoryOpener serves named MemoryDevices through the DeviceOpener seam.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "libsan/blockcopy/block_device.h"

namespace san::blockcopy {

class MemoryDevice : public BlockDevice {
 public:
  // `kind` kRegularFile makes it resizable and lets it punch holes; kBlockDevice has a fixed size
  // and punches only when set_punch_supported(true).
  MemoryDevice(std::string name, uint64_t size,
               DeviceInfo::Kind kind = DeviceInfo::Kind::kBlockDevice);

  const std::string& name() const override { return name_; }
  DeviceInfo info() const override;
  uint64_t size() const override;
  // A file's inode and birth time are unique per MemoryDevice object (so re-adding a path models
  // re-creation); its mtime counts writes, punches, resizes and pokes. A block device's rdev
  // comes from its name; its stable id is "" unless set.
  DeviceIdentity Identify() const override;
  Result<size_t> Read(uint64_t offset, std::span<std::byte> out) override;
  Result<size_t> Write(uint64_t offset, std::span<const ConstPiece> pieces) override;
  Status Flush() override;
  Status PunchZeros(uint64_t offset, uint64_t length) override;
  Status Resize(uint64_t new_size) override;

  // Test access (not for use while a run is in progress).
  std::string Contents() const;
  void SetContents(std::string_view bytes);  // also durable; size must match for block devices
  void Poke(uint64_t offset, std::string_view bytes);  // durable write, not counted
  void set_punch_supported(bool v) { punch_supported_ = v; }
  void set_stable_id(std::string id) { stable_id_ = std::move(id); }

  // Simulated power loss: the content falls back to the last flush, then each later write is
  // replayed, dropped, or replayed torn (a 512-byte-aligned prefix), at random from `seed`.
  void PowerLoss(uint64_t seed);
  // A failed writeback (fsync EIO): the writes since the last flush never reach the medium, but
  // reads keep returning them (clean pages in the cache) until DropCache covers them.
  void LoseUnflushedWrites();
  void DropCache(uint64_t offset, uint64_t length) override;

  struct Counters {
    uint64_t reads = 0, writes = 0, bytes_written = 0, flushes = 0, punches = 0, bytes_punched = 0;
  };
  Counters counters() const;
  void ResetCounters();

 private:
  struct Pending {
    uint64_t offset;
    std::vector<std::byte> bytes;
  };
  void ApplyLocked(uint64_t offset, std::span<const std::byte> bytes);

  const std::string name_;
  const DeviceInfo::Kind kind_;
  const uint64_t serial_;  // inode number and birth time of a file
  bool punch_supported_;
  std::string stable_id_;
  uint64_t modifications_ = 0;  // a file's mtime
  mutable std::mutex mu_;
  std::vector<std::byte> data_;
  std::vector<std::byte> durable_;
  std::vector<Pending> unflushed_;
  Counters counters_;
};

// Serves MemoryDevices by path. Devices persist across opens (as files do); OpenOptions are
// honoured as far as they make sense in memory (create, must_create, regular_only, writable).
class MemoryOpener : public DeviceOpener {
 public:
  // Registers a device under `path`; returns it for setup and inspection.
  MemoryDevice& Add(const std::string& path, uint64_t size,
                    DeviceInfo::Kind kind = DeviceInfo::Kind::kBlockDevice);
  MemoryDevice* Find(const std::string& path);
  Status Remove(const std::string& path) override {
    devices_.erase(path);
    return Status::Ok();
  }
  // Every later Open of `path` returns wrap(device) instead (e.g. a FaultyDevice around it).
  using Wrapper = std::function<std::unique_ptr<BlockDevice>(BlockDevice&)>;
  void SetWrapper(const std::string& path, Wrapper wrap) { wrappers_[path] = std::move(wrap); }
  // Paths opened, in order, with "(rw)" or "(ro)" appended.
  const std::vector<std::string>& opened() const { return opened_; }

  Result<std::unique_ptr<BlockDevice>> Open(const std::string& path,
                                            const OpenOptions& options) override;
  bool Exists(const std::string& path) override { return devices_.count(path) > 0; }
  Status Rename(const std::string& from, const std::string& to) override;

 private:
  std::map<std::string, std::unique_ptr<MemoryDevice>> devices_;
  std::map<std::string, Wrapper> wrappers_;
  std::vector<std::string> opened_;
};

}  // namespace san::blockcopy
