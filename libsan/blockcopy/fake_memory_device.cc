// In-memory BlockDevice with a crash model. `durable_` is the content as of the last Flush();
// `unflushed_` logs every write since, so a power loss can replay any subset of them.
#include "libsan/blockcopy/fake_memory_device.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace san::blockcopy {
namespace {

// Forwards to a MemoryDevice owned by the opener (which outlives the run in tests).
class Handle : public BlockDevice {
 public:
  explicit Handle(MemoryDevice& d) : d_(d) {}
  const std::string& name() const override { return d_.name(); }
  DeviceInfo info() const override { return d_.info(); }
  uint64_t size() const override { return d_.size(); }
  DeviceIdentity Identify() const override { return d_.Identify(); }
  Result<size_t> Read(uint64_t o, std::span<std::byte> out) override { return d_.Read(o, out); }
  Result<size_t> Write(uint64_t o, std::span<const ConstPiece> p) override {
    return d_.Write(o, p);
  }
  Status Flush() override { return d_.Flush(); }
  Status PunchZeros(uint64_t o, uint64_t n) override { return d_.PunchZeros(o, n); }
  Status Resize(uint64_t n) override { return d_.Resize(n); }
  void DropCache(uint64_t o, uint64_t n) override { d_.DropCache(o, n); }

 private:
  MemoryDevice& d_;
};

uint64_t NextSerial() {
  static std::atomic<uint64_t> next{1000};
  return next++;
}

}  // namespace

MemoryDevice::MemoryDevice(std::string name, uint64_t size, DeviceInfo::Kind kind)
    : name_(std::move(name)),
      kind_(kind),
      serial_(NextSerial()),
      punch_supported_(kind == DeviceInfo::Kind::kRegularFile),
      data_(size),
      durable_(size) {}

DeviceInfo MemoryDevice::info() const {
  DeviceInfo info;
  info.kind = kind_;
  // Distinct fake identities so SameObject() can be exercised.
  info.dev = 1;
  info.ino = info.rdev = std::hash<std::string>()(name_);
  return info;
}

DeviceIdentity MemoryDevice::Identify() const {
  std::lock_guard<std::mutex> lock(mu_);
  DeviceIdentity id;
  id.size = data_.size();
  if (kind_ == DeviceInfo::Kind::kBlockDevice) {
    id.kind = DeviceIdentity::Kind::kBlockDevice;
    id.rdev = std::hash<std::string>()(name_);
    id.stable_id = stable_id_;
  } else {
    id.kind = kind_ == DeviceInfo::Kind::kRegularFile ? DeviceIdentity::Kind::kRegularFile
                                                      : DeviceIdentity::Kind::kMemory;
    id.dev = 1;
    id.ino = id.btime_ns = serial_;
    id.mtime_ns = modifications_;
  }
  return id;
}

uint64_t MemoryDevice::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return data_.size();
}

Result<size_t> MemoryDevice::Read(uint64_t offset, std::span<std::byte> out) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.reads;
  if (offset >= data_.size()) return size_t{0};
  size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), data_.size() - offset));
  std::memcpy(out.data(), data_.data() + offset, n);
  return n;
}

Result<size_t> MemoryDevice::Write(uint64_t offset, std::span<const ConstPiece> pieces) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::byte> bytes;
  for (const ConstPiece& p : pieces) bytes.insert(bytes.end(), p.data, p.data + p.size);
  if (offset + bytes.size() > data_.size()) {
    if (kind_ != DeviceInfo::Kind::kRegularFile) {
      return Status::Internal(name_ + ": write past the end (ENOSPC)");
    }
    data_.resize(offset + bytes.size());
    durable_.resize(data_.size());
  }
  ++counters_.writes;
  ++modifications_;
  counters_.bytes_written += bytes.size();
  ApplyLocked(offset, bytes);
  size_t n = bytes.size();
  unflushed_.push_back({offset, std::move(bytes)});
  return n;
}

void MemoryDevice::ApplyLocked(uint64_t offset, std::span<const std::byte> bytes) {
  std::memcpy(data_.data() + offset, bytes.data(), bytes.size());
}

Status MemoryDevice::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.flushes;
  durable_ = data_;
  unflushed_.clear();
  return Status::Ok();
}

Status MemoryDevice::PunchZeros(uint64_t offset, uint64_t length) {
  if (!punch_supported_) return Status::NotInstalled(name_ + ": cannot deallocate");
  std::lock_guard<std::mutex> lock(mu_);
  if (offset + length > data_.size()) return Status::Internal(name_ + ": punch past the end");
  ++counters_.punches;
  ++modifications_;
  counters_.bytes_punched += length;
  std::vector<std::byte> zeros(length);
  ApplyLocked(offset, zeros);
  unflushed_.push_back({offset, std::move(zeros)});
  return Status::Ok();
}

Status MemoryDevice::Resize(uint64_t new_size) {
  if (kind_ != DeviceInfo::Kind::kRegularFile) return Status::InvalidConfig(name_ + ": fixed size");
  std::lock_guard<std::mutex> lock(mu_);
  // Size changes are treated as durable at once (file system metadata journaled).
  ++modifications_;
  data_.resize(new_size);
  durable_.resize(new_size);
  return Status::Ok();
}

std::string MemoryDevice::Contents() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::string(reinterpret_cast<const char*>(data_.data()), data_.size());
}

void MemoryDevice::SetContents(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ++modifications_;
  data_.assign(reinterpret_cast<const std::byte*>(bytes.data()),
               reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size());
  durable_ = data_;
  unflushed_.clear();
}

void MemoryDevice::Poke(uint64_t offset, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ++modifications_;
  std::memcpy(data_.data() + offset, bytes.data(), bytes.size());
  std::memcpy(durable_.data() + offset, bytes.data(), bytes.size());
}

void MemoryDevice::PowerLoss(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  std::mt19937_64 rng(seed);
  data_ = durable_;
  for (const Pending& p : unflushed_) {
    switch (rng() % 3) {
      case 0:
        break;  // lost
      case 1:
        ApplyLocked(p.offset, p.bytes);
        break;
      default: {  // torn: a sector-aligned prefix reached the medium
        size_t sectors = p.bytes.size() / 512;
        size_t keep = sectors ? (rng() % sectors) * 512 : 0;
        ApplyLocked(p.offset, std::span(p.bytes).first(keep));
      }
    }
  }
  durable_ = data_;
  unflushed_.clear();
}

void MemoryDevice::LoseUnflushedWrites() {
  std::lock_guard<std::mutex> lock(mu_);
  unflushed_.clear();  // durable_ keeps the old content; data_ (the cache) the new one
}

void MemoryDevice::DropCache(uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (offset >= data_.size()) return;
  uint64_t end = offset + std::min<uint64_t>(length, data_.size() - offset);
  std::memcpy(data_.data() + offset, durable_.data() + offset, end - offset);
  // Dirty pages are not dropped: unflushed writes in the range stay visible.
  for (const Pending& p : unflushed_) {
    uint64_t b = std::max(offset, p.offset), e = std::min(end, p.offset + p.bytes.size());
    if (b < e) std::memcpy(data_.data() + b, p.bytes.data() + (b - p.offset), e - b);
  }
}

MemoryDevice::Counters MemoryDevice::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void MemoryDevice::ResetCounters() {
  std::lock_guard<std::mutex> lock(mu_);
  counters_ = {};
}

MemoryDevice& MemoryOpener::Add(const std::string& path, uint64_t size, DeviceInfo::Kind kind) {
  auto dev = std::make_unique<MemoryDevice>(path, size, kind);
  MemoryDevice& ref = *dev;
  devices_[path] = std::move(dev);
  return ref;
}

MemoryDevice* MemoryOpener::Find(const std::string& path) {
  auto it = devices_.find(path);
  return it == devices_.end() ? nullptr : it->second.get();
}

Status MemoryOpener::Rename(const std::string& from, const std::string& to) {
  auto it = devices_.find(from);
  if (it == devices_.end()) return Status::NotFound("rename " + from);
  // The device keeps its object (open handles stay valid), now under the new path.
  devices_[to] = std::move(it->second);
  devices_.erase(from);
  return Status::Ok();
}

Result<std::unique_ptr<BlockDevice>> MemoryOpener::Open(const std::string& path,
                                                        const OpenOptions& options) {
  MemoryDevice* dev = Find(path);
  if (dev && options.must_create) return Status::Busy(path + ": already exists");
  if (!dev) {
    if (!options.create && !options.must_create) return Status::NotFound("open " + path);
    dev = &Add(path, 0, DeviceInfo::Kind::kRegularFile);
  }
  if (options.regular_only && dev->info().kind != DeviceInfo::Kind::kRegularFile) {
    return Status::InvalidConfig(path + ": not a regular file");
  }
  opened_.push_back(path + (options.writable ? " (rw)" : " (ro)"));
  auto w = wrappers_.find(path);
  if (w != wrappers_.end()) return w->second(*dev);
  return std::unique_ptr<BlockDevice>(std::make_unique<Handle>(*dev));
}

}  // namespace san::blockcopy
