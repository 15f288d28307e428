// Fuzz target: ddless's checksum-file header reader (libsan/blockcopy/checksum_header). Each
// input is decoded twice: as is (the integrity checksum almost never matches, which tests the
// refusal) and padded to one slot with a correct checksum, which lets the fuzzer reach the field
// checks. A decoded header must be self-consistent and survive encode → decode unchanged.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "libsan/blockcopy/checksum_header.h"
#include "libsan/blockcopy/segment_hash.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace san::blockcopy;
using san::fuzz::Check;

void CheckDecoded(const ChecksumHeader& decoded) {
  // Version 1 (no identities) still decodes so that ddless can say "a new checksum file is
  // required"; every header written is the current version.
  Check(decoded.version == 1 || decoded.version == kFormatVersion, "unknown version accepted");
  ChecksumHeader h = decoded;
  h.version = kFormatVersion;
  Check(h.segment_size > 0, "segment size 0 accepted");
  Check(h.committed <= h.source_size && h.valid_end <= h.source_size, "position past the end");
  Check(h.window.begin <= h.window.end && h.window.end <= h.source_size, "window out of range");
  Check(h.recheck.begin <= h.recheck.end && h.recheck.end <= h.source_size, "recheck out of range");
  Check(h.source.size() <= kMaxIdentity && h.target.size() <= kMaxIdentity, "identity too long");
  Check(!StateName(h.state).empty() && StateName(h.state) != "unknown", "unknown state");
  // SegmentCount() and FileSize() must not wrap: there is a digest for every byte of the source.
  Check(h.SegmentCount() * h.segment_size >= h.source_size, "segment count wraps around", h.source);
  Check(h.FileSize() >= kDigestsOffset, "file size wraps around", h.source);
  HeaderBlock again = EncodeHeader(h);
  san::Result<ChecksumHeader> back = DecodeHeader(again);
  Check(back.ok(), "an encoded header does not decode", back.status().message());
  Check(*back == h, "encode → decode changed the header", h.source);
  Expectation want{h.source, h.source_size, h.target, h.hash};
  Check(Mismatch(h, want).empty(), "a header does not fit the run it describes", h.source);
  Expectation other{h.source + "x", h.source_size, h.target, std::nullopt};
  Check(!Mismatch(h, other).empty(), "a header fits another source", h.source);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const std::byte> raw(reinterpret_cast<const std::byte*>(data), size);
  if (auto h = DecodeHeader(raw); h.ok()) CheckDecoded(*h);

  // The same bytes, starting with the magic and sealed with the right checksum.
  HeaderBlock slot{};
  static constexpr char kMagic[8] = {'S', 'A', 'N', 'D', 'D', 'L', 'S', '1'};
  std::memcpy(slot.data(), kMagic, sizeof kMagic);
  const size_t sum_at = kHeaderSlotSize - 8;
  std::memcpy(slot.data() + sizeof kMagic, data, std::min(size, sum_at - sizeof kMagic));
  uint64_t sum = Checksum64(std::span<const std::byte>(slot.data(), sum_at));
  for (int i = 0; i < 8; ++i) slot[sum_at + i] = std::byte(sum >> (8 * i));
  if (auto h = DecodeHeader(slot); h.ok()) CheckDecoded(*h);
  return 0;
}
