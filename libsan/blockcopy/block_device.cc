// Loops over BlockDevice's single-call Read/Write so callers never see short transfers, plus the
// small shared helpers (same-object test, byte formatting).
#include "libsan/blockcopy/block_device.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "libsan/blockcopy/aligned_buffer.h"

namespace san::blockcopy {

bool DeviceInfo::SameObject(const DeviceInfo& other) const {
  if (kind == Kind::kMemory || other.kind == Kind::kMemory) return false;
  auto backed_by = [](const DeviceInfo& loop, const DeviceInfo& o) {
    if (loop.backing_ino == 0) return false;
    if (o.kind == Kind::kRegularFile) return loop.backing_dev == o.dev && loop.backing_ino == o.ino;
    return o.backing_dev == loop.backing_dev && o.backing_ino == loop.backing_ino;
  };
  if (backed_by(*this, other) || backed_by(other, *this)) return true;
  if (kind == Kind::kBlockDevice && other.kind == Kind::kBlockDevice) return rdev == other.rdev;
  if (kind == Kind::kRegularFile && other.kind == Kind::kRegularFile) {
    return dev == other.dev && ino == other.ino;
  }
  return false;
}

Status ReadFull(BlockDevice& dev, uint64_t offset, std::span<std::byte> out) {
  size_t done = 0;
  while (done < out.size()) {
    SAN_ASSIGN_OR_RETURN(size_t n, dev.Read(offset + done, out.subspan(done)));
    if (n == 0) {
      return Status::Corruption(dev.name() + ": ends at " + std::to_string(offset + done) +
                                ", expected data up to " + std::to_string(offset + out.size()) +
                                " (did it shrink?)");
    }
    done += n;
  }
  return Status::Ok();
}

Status WriteFull(BlockDevice& dev, uint64_t offset, std::span<const ConstPiece> pieces) {
  std::vector<ConstPiece> rest(pieces.begin(), pieces.end());
  size_t first = 0;
  while (first < rest.size()) {
    SAN_ASSIGN_OR_RETURN(size_t n, dev.Write(offset, std::span(rest).subspan(first)));
    if (n == 0) {
      return Status::Internal(dev.name() + ": write at " + std::to_string(offset) +
                              " made no progress");
    }
    offset += n;
    // Drop what was written: whole pieces, then a prefix of the next one.
    while (n > 0 && first < rest.size()) {
      size_t take = std::min(n, rest[first].size);
      rest[first].data += take;
      rest[first].size -= take;
      n -= take;
      if (rest[first].size == 0) ++first;
    }
    while (first < rest.size() && rest[first].size == 0) ++first;
  }
  return Status::Ok();
}

Status WriteFull(BlockDevice& dev, uint64_t offset, std::span<const std::byte> data) {
  ConstPiece piece{data.data(), data.size()};
  return WriteFull(dev, offset, std::span<const ConstPiece>(&piece, 1));
}

Status WriteZeros(BlockDevice& dev, uint64_t offset, uint64_t length) {
  // Aligned, so the same buffer also serves O_DIRECT devices.
  constexpr size_t kZeroBlock = 1 << 20;
  static const AlignedBuffer* zeros = [] {
    auto* b = new AlignedBuffer(kZeroBlock);
    std::memset(b->data(), 0, kZeroBlock);
    return b;
  }();
  while (length > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(length, kZeroBlock));
    SAN_RETURN_IF_ERROR(WriteFull(dev, offset, std::span<const std::byte>(zeros->data(), n)));
    offset += n;
    length -= n;
  }
  return Status::Ok();
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (v == static_cast<double>(static_cast<uint64_t>(v))) {
    std::snprintf(buf, sizeof buf, "%.0f %s", v, kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

}  // namespace san::blockcopy
