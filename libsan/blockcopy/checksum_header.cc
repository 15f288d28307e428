// Fixed little-endian layout of a header slot. Decoding treats the bytes as untrusted: every
// field is range-checked, so a damaged or crafted file is refused instead of steering a run.
#include "libsan/blockcopy/checksum_header.h"

#include <cstdint>
#include <cstring>

#include "libsan/blockcopy/block_device.h"

namespace san::blockcopy {
namespace {

constexpr char kMagic[8] = {'S', 'A', 'N', 'D', 'D', 'L', 'S', '1'};
constexpr size_t kChecksumAt = kHeaderSlotSize - 8;

class Writer {
 public:
  explicit Writer(HeaderBlock& b) : b_(b) {}
  void Bytes(const void* p, size_t n) {
    std::memcpy(b_.data() + pos_, p, n);
    pos_ += n;
  }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) b_[pos_++] = std::byte(v >> (8 * i));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) b_[pos_++] = std::byte(v >> (8 * i));
  }
  void Str(const std::string& s, size_t max = kMaxIdentity) {
    size_t n = std::min(s.size(), max);
    U32(static_cast<uint32_t>(n));
    Bytes(s.data(), n);
  }

 private:
  HeaderBlock& b_;
  size_t pos_ = 0;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> b) : b_(b) {}
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(b_[pos_++]) << (8 * i);
    return v;
  }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(b_[pos_++]) << (8 * i);
    return v;
  }
  // False when the stored length is out of range.
  bool Str(std::string& out, size_t max = kMaxIdentity) {
    uint32_t n = U32();
    if (n > max) return false;
    out.assign(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return true;
  }
  void Skip(size_t n) { pos_ += n; }

 private:
  std::span<const std::byte> b_;
  size_t pos_ = 0;
};

void PutIdentity(Writer& w, const DeviceIdentity& id) {
  w.U32(static_cast<uint32_t>(id.kind));
  w.U64(id.size);
  w.U64(id.dev);
  w.U64(id.ino);
  w.U64(id.btime_ns);
  w.U64(id.mtime_ns);
  w.U64(id.rdev);
  w.Str(id.stable_id, kMaxStableId);
}

bool GetIdentity(Reader& r, DeviceIdentity& id) {
  uint32_t kind = r.U32();
  if (kind > static_cast<uint32_t>(DeviceIdentity::Kind::kMemory)) return false;
  id.kind = static_cast<DeviceIdentity::Kind>(kind);
  id.size = r.U64();
  id.dev = r.U64();
  id.ino = r.U64();
  id.btime_ns = r.U64();
  id.mtime_ns = r.U64();
  id.rdev = r.U64();
  return r.Str(id.stable_id, kMaxStableId);
}

}  // namespace

std::string_view StateName(FileState state) {
  switch (state) {
    case FileState::kClean:
      return "clean";
    case FileState::kRunning:
      return "running";
    case FileState::kPartial:
      return "partial";
  }
  return "unknown";
}

Range Cover(Range a, Range b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

HeaderBlock EncodeHeader(const ChecksumHeader& h) {
  HeaderBlock block{};
  Writer w(block);
  w.Bytes(kMagic, sizeof kMagic);
  w.U32(kFormatVersion);
  w.U32(static_cast<uint32_t>(kDigestSize));
  w.U64(h.sequence);
  w.U32(static_cast<uint32_t>(h.hash));
  w.U32(h.segment_size);
  w.U64(h.seed);
  w.U64(h.source_size);
  w.U32(static_cast<uint32_t>(h.state));
  w.U32(0);  // reserved
  w.U64(h.committed);
  w.U64(h.valid_end);
  w.U64(h.window.begin);
  w.U64(h.window.end);
  w.U64(h.recheck.begin);
  w.U64(h.recheck.end);
  w.Str(h.source);
  w.Str(h.target);
  PutIdentity(w, h.described);
  PutIdentity(w, h.source_id);
  uint64_t sum = Checksum64(std::span<const std::byte>(block.data(), kChecksumAt));
  for (int i = 0; i < 8; ++i) block[kChecksumAt + i] = std::byte(sum >> (8 * i));
  return block;
}

Result<ChecksumHeader> DecodeHeader(std::span<const std::byte> slot) {
  if (slot.size() < kHeaderSlotSize || std::memcmp(slot.data(), kMagic, sizeof kMagic) != 0) {
    return Status::NotFound("no ddless header");
  }
  Reader stored(slot.subspan(kChecksumAt));
  if (stored.U64() != Checksum64(slot.first(kChecksumAt))) {
    return Status::Corruption("header integrity checksum does not match");
  }
  ChecksumHeader h;
  Reader r(slot);
  r.Skip(sizeof kMagic);
  h.version = r.U32();
  if (h.version < kOldestFormatVersion || h.version > kFormatVersion) {
    return Status::InvalidConfig("format version " + std::to_string(h.version) +
                                 " (this ddless reads version " + std::to_string(kFormatVersion) +
                                 ")");
  }
  uint32_t digest_size = r.U32();
  h.sequence = r.U64();
  uint32_t hash = r.U32();
  h.segment_size = r.U32();
  h.seed = r.U64();
  h.source_size = r.U64();
  uint32_t state = r.U32();
  r.U32();
  h.committed = r.U64();
  h.valid_end = r.U64();
  h.window = {r.U64(), r.U64()};
  h.recheck = {r.U64(), r.U64()};
  if (!r.Str(h.source) || !r.Str(h.target)) return Status::Corruption("identity too long");
  if (h.version >= 2 && (!GetIdentity(r, h.described) || !GetIdentity(r, h.source_id))) {
    return Status::Corruption("bad device identity");
  }
  if (digest_size != kDigestSize) return Status::Corruption("unsupported digest size");
  if (!IsKnownHashKind(hash)) return Status::Corruption("unknown hash " + std::to_string(hash));
  h.hash = static_cast<HashKind>(hash);
  if (h.segment_size != kSegmentSize) {
    return Status::Corruption("segment size " + std::to_string(h.segment_size) + " (expected " +
                              std::to_string(kSegmentSize) + ")");
  }
  if (state < 1 || state > 3) return Status::Corruption("unknown state " + std::to_string(state));
  h.state = static_cast<FileState>(state);
  const uint64_t size = h.source_size;
  // No file or device is larger (off_t); beyond it SegmentCount() and FileSize() would wrap.
  if (size > uint64_t{INT64_MAX}) return Status::Corruption("source size out of range");
  auto bad_range = [size](Range r) { return r.begin > r.end || r.end > size; };
  if (h.committed > size || h.valid_end > size || bad_range(h.window) || bad_range(h.recheck)) {
    return Status::Corruption("positions lie beyond the source size");
  }
  if (h.source.empty()) return Status::Corruption("no source identity");
  return h;
}

std::string Mismatch(const ChecksumHeader& h, const Expectation& want) {
  auto sized = [](const std::string& path, uint64_t size) {
    return path + " (" + FormatBytes(size) + ")";
  };
  if (want.hash && *want.hash != h.hash) {
    return "it holds " + std::string(HashName(h.hash)) + " digests, not " +
           std::string(HashName(*want.hash));
  }
  if (want.target.empty()) {  // checksum-only: the file must describe the source itself
    if (!h.target.empty()) {
      return "it belongs to the copy from " + h.source + " to " + h.target +
             "; checksum-only mode would replace it";
    }
    if (h.source != want.source || h.source_size != want.source_size) {
      return "it describes " + sized(h.source, h.source_size) + ", not " +
             sized(want.source, want.source_size);
    }
    return {};
  }
  if (h.target.empty()) {
    // Made by checksum-only mode. Its digests describe that device: usable for a copy *to* it.
    if (h.source != want.target) {
      return "it was made in checksum-only mode from " + h.source + ", which is not the target " +
             want.target +
             (h.source == want.source ? " (digests of the source say nothing about the target)"
                                      : "");
    }
    if (h.source_size != want.source_size) {
      return "it covers " + FormatBytes(h.source_size) + " but the source " +
             sized(want.source, want.source_size) + " differs in size";
    }
    return {};
  }
  if (h.source != want.source || h.source_size != want.source_size) {
    return "it was made for source " + sized(h.source, h.source_size) + ", not " +
           sized(want.source, want.source_size);
  }
  if (h.target != want.target) {
    return "it was made for target " + h.target + ", not " + want.target;
  }
  return {};
}

}  // namespace san::blockcopy
