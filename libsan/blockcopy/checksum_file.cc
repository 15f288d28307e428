// Header slot selection and digest (de)serialisation. Commit's order — digests durable before the
// header that vouches for them — is what makes a crash at any point recoverable.
#include "libsan/blockcopy/checksum_file.h"

#include <array>

namespace san::blockcopy {
namespace {

void PutDigest(const Digest& d, std::byte* out) {
  for (int i = 0; i < 8; ++i) {
    out[i] = std::byte(d.lo >> (8 * i));
    out[8 + i] = std::byte(d.hi >> (8 * i));
  }
}

Digest GetDigest(const std::byte* in) {
  Digest d;
  for (int i = 0; i < 8; ++i) {
    d.lo |= uint64_t(in[i]) << (8 * i);
    d.hi |= uint64_t(in[8 + i]) << (8 * i);
  }
  return d;
}

}  // namespace

Result<ChecksumFile> ChecksumFile::Load(BlockDevice& file) {
  const std::string& name = file.name();
  if (file.size() < kDigestsOffset) {
    return Status::InvalidConfig(name + " is not a ddless checksum file (too small for a header)");
  }
  std::vector<std::byte> slots(kDigestsOffset);
  SAN_RETURN_IF_ERROR(ReadFull(file, 0, slots));
  Result<ChecksumHeader> a = DecodeHeader(std::span(slots).first(kHeaderSlotSize));
  Result<ChecksumHeader> b = DecodeHeader(std::span(slots).subspan(kHeaderSlotSize));
  for (const auto* r : {&a, &b}) {
    if (r->status().code() == Code::kInvalidConfig) {
      return Status::InvalidConfig(
          name + " was written by another ddless version: " + r->status().message());
    }
  }
  const ChecksumHeader* best = nullptr;
  if (a.ok()) best = &*a;
  if (b.ok() && (!best || b->sequence > best->sequence)) best = &*b;
  if (!best) {
    if (a.status().code() == Code::kNotFound && b.status().code() == Code::kNotFound) {
      return Status::InvalidConfig(name + " is not a ddless checksum file (no header)");
    }
    const Status& why = a.status().code() == Code::kCorruption ? a.status() : b.status();
    return Status::Corruption(name + " is damaged: " + why.message());
  }
  if (file.size() != best->FileSize()) {
    return Status::Corruption(name + " is damaged: it holds " + std::to_string(file.size()) +
                              " bytes, its header needs " + std::to_string(best->FileSize()));
  }
  return ChecksumFile(file, *best);
}

Result<ChecksumFile> ChecksumFile::Create(BlockDevice& file, ChecksumHeader header) {
  header.sequence = 0;
  SAN_RETURN_IF_ERROR(file.Resize(0));
  SAN_RETURN_IF_ERROR(file.Resize(header.FileSize()));
  ChecksumFile cf(file, header);
  SAN_RETURN_IF_ERROR(cf.WriteHeaderSlot(header));
  SAN_RETURN_IF_ERROR(file.Flush());
  return cf;
}

Status ChecksumFile::ReadDigests(uint64_t first, std::span<Digest> out) const {
  constexpr size_t kBatch = 4096;
  std::array<std::byte, kBatch * kDigestSize> raw;
  for (size_t done = 0; done < out.size();) {
    size_t n = std::min(kBatch, out.size() - done);
    uint64_t at = kDigestsOffset + (first + done) * kDigestSize;
    SAN_RETURN_IF_ERROR(ReadFull(*file_, at, std::span(raw).first(n * kDigestSize)));
    for (size_t i = 0; i < n; ++i) out[done + i] = GetDigest(raw.data() + i * kDigestSize);
    done += n;
  }
  return Status::Ok();
}

Status ChecksumFile::WriteDigests(uint64_t first, std::span<const Digest> digests) {
  std::vector<std::byte> raw(digests.size() * kDigestSize);
  for (size_t i = 0; i < digests.size(); ++i) PutDigest(digests[i], raw.data() + i * kDigestSize);
  return WriteFull(*file_, kDigestsOffset + first * kDigestSize, raw);
}

Status ChecksumFile::Commit(ChecksumHeader header) {
  SAN_RETURN_IF_ERROR(file_->Flush());
  header.sequence = header_.sequence + 1;
  SAN_RETURN_IF_ERROR(WriteHeaderSlot(header));
  SAN_RETURN_IF_ERROR(file_->Flush());
  header_ = std::move(header);
  return Status::Ok();
}

Status ChecksumFile::WriteHeaderSlot(const ChecksumHeader& header) {
  HeaderBlock block = EncodeHeader(header);
  return WriteFull(*file_, (header.sequence % 2) * kHeaderSlotSize, block);
}

}  // namespace san::blockcopy
