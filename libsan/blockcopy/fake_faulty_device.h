// FaultyDevice (tests only): wraps a BlockDevice and injects faults — short reads and writes, EIO
// at an offset, failing flushes — and, through a KillSwitch shared by several devices, the death
// of the process at its N-th I/O operation (that write torn, everything after it refused).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include "libsan/blockcopy/block_device.h"

namespace san::blockcopy {

struct FaultPlan {
  size_t max_read = 0;                   // > 0: every Read returns at most this many bytes
  size_t max_write = 0;                  // > 0: every Write writes at most this many bytes
  std::optional<uint64_t> eio_read_at;   // a Read covering this offset fails (EIO)
  std::optional<uint64_t> eio_write_at;  // a Write covering this offset fails (EIO)
  bool fail_flush = false;               // Flush fails (EIO)
  // With fail_flush on a MemoryDevice: as Linux does, the unflushed writes never reach the
  // medium but stay readable from the "page cache" until DropCache (see MemoryDevice::LoseWrites).
  bool flush_loses_writes = false;
};

// Counts I/O operations across the devices that share it; the `kill_at`-th one (1-based) is
// where the process dies. Thread-safe.
class KillSwitch {
 public:
  explicit KillSwitch(uint64_t kill_at, uint64_t seed = 1) : kill_at_(kill_at), rng_(seed) {}
  enum class Verdict { kAlive, kDiesNow, kDead };
  Verdict Tick();
  bool dead() const { return dead_.load(); }
  uint64_t operations() const { return ops_.load(); }
  // For the operation that dies: how much of an n-byte write still reaches the device.
  size_t TornLength(size_t n);

 private:
  const uint64_t kill_at_;
  std::atomic<uint64_t> ops_{0};
  std::atomic<bool> dead_{false};
  std::mutex mu_;
  std::mt19937_64 rng_;
};

class FaultyDevice : public BlockDevice {
 public:
  // `base` (and `kill`, may be null) must outlive this wrapper.
  FaultyDevice(BlockDevice& base, FaultPlan plan, KillSwitch* kill = nullptr)
      : base_(base), plan_(plan), kill_(kill) {}

  const std::string& name() const override { return base_.name(); }
  DeviceInfo info() const override { return base_.info(); }
  uint64_t size() const override { return base_.size(); }
  DeviceIdentity Identify() const override { return base_.Identify(); }
  Result<size_t> Read(uint64_t offset, std::span<std::byte> out) override;
  Result<size_t> Write(uint64_t offset, std::span<const ConstPiece> pieces) override;
  Status Flush() override;
  Status PunchZeros(uint64_t offset, uint64_t length) override;
  Status Resize(uint64_t new_size) override;
  void DropCache(uint64_t offset, uint64_t length) override { base_.DropCache(offset, length); }

 private:
  // Not OK when the process is dead (or dies at this operation and `torn` is null).
  Status Tick(bool* dies_now = nullptr);

  BlockDevice& base_;
  FaultPlan plan_;
  KillSwitch* kill_;
};

}  // namespace san::blockcopy
