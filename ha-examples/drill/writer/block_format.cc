// Encoding and checking of the drill writer's blocks (see block_format.h for the layout).
#include "ha-examples/drill/writer/block_format.h"

#include <cstring>

#include "libsan/blockcopy/segment_hash.h"

namespace san::drill {
namespace {

constexpr char kMagic[8] = {'S', 'A', 'N', 'H', 'A', 'D', 'W', '1'};
constexpr size_t kChecksumOffset = 40;

void Put64(std::span<std::byte> out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<std::byte>(v >> (8 * i));
}
void Put32(std::span<std::byte> out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<std::byte>(v >> (8 * i));
}
uint64_t Get64(std::span<const std::byte> in, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(in[at + i]) << (8 * i);
  return v;
}
uint32_t Get32(std::span<const std::byte> in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(in[at + i]) << (8 * i);
  return v;
}

// The checksum of a block as if its checksum field were zero.
uint64_t BlockChecksum(std::span<const std::byte> block) {
  std::string copy(reinterpret_cast<const char*>(block.data()), block.size());
  std::memset(copy.data() + kChecksumOffset, 0, 8);
  return blockcopy::Checksum64(std::as_bytes(std::span(copy)));
}

}  // namespace

void EncodeBlock(const BlockHeader& header, std::span<std::byte> out) {
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  Put64(out, 8, header.seq);
  Put64(out, 16, header.lba);
  Put64(out, 24, header.submit_us);
  Put32(out, 32, static_cast<uint32_t>(out.size()));
  Put32(out, 36, 0);
  Put64(out, kChecksumOffset, 0);
  // Filler: a splitmix64 stream seeded by seq, so two versions of one LBA differ everywhere
  // (a torn write that mixes them fails the checksum even when the header survived).
  uint64_t state = header.seq * 0x9E3779B97F4A7C15ull + header.lba;
  for (size_t at = kHeaderSize; at < out.size(); at += 8) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    Put64(out, at, z ^ (z >> 31));
  }
  Put64(out, kChecksumOffset, BlockChecksum(out));
}

DecodedBlock DecodeBlock(std::span<const std::byte> block, uint64_t position) {
  DecodedBlock d;
  if (block.size() < kHeaderSize || std::memcmp(block.data(), kMagic, sizeof kMagic) != 0) {
    return d;
  }
  d.header = {Get64(block, 8), Get64(block, 16), Get64(block, 24), Get32(block, 32)};
  d.state = BlockState::kCorrupt;
  if (Get64(block, kChecksumOffset) != BlockChecksum(block)) {
    d.why = "checksum mismatch";
  } else if (d.header.block_size != block.size()) {
    d.why = "block size " + std::to_string(d.header.block_size) + " in a " +
            std::to_string(block.size()) + "-byte block";
  } else if (Get32(block, 36) != 0) {
    d.why = "reserved header word not zero";
  } else if (d.header.lba != position) {
    d.why = "block of lba " + std::to_string(d.header.lba) + " at lba " + std::to_string(position);
  } else {
    d.state = BlockState::kValid;
  }
  return d;
}

}  // namespace san::drill
