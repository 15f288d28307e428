// The drill writer's on-disk block: a 48-byte header (magic, seq, lba, submit time, size,
// checksum) and a filler derived from seq, so any changed byte fails the checksum. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace san::drill {

inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kMinBlockSize = 512;
inline constexpr size_t kMaxBlockSize = 1 << 20;

// What the writer puts into a block. `submit_us` is the CLOCK_REALTIME microsecond the write was
// submitted, the same number the log prints as T_SUBMIT: it ties a block to one log line, so a
// block left over from an earlier run with the same seq and LBA is not mistaken for this run's.
struct BlockHeader {
  uint64_t seq = 0;
  uint64_t lba = 0;  // in units of the block size
  uint64_t submit_us = 0;
  uint32_t block_size = 0;
  bool operator==(const BlockHeader&) const = default;
};

// Layout (little-endian): 0 magic "SANHADW1", 8 seq, 16 lba, 24 submit_us, 32 block_size (u32),
// 36 zero (u32), 40 XXH3-64 of the whole block with these 8 bytes zero, 48.. filler.
// Fills `out` (its size is the block size: kMinBlockSize..kMaxBlockSize, a multiple of 512).
void EncodeBlock(const BlockHeader& header, std::span<std::byte> out);

enum class BlockState {
  kBlank,    // no magic: never written by the drill writer (zeros, or other data)
  kValid,    // magic, checksum, size and position all match
  kCorrupt,  // magic present but the checksum, size, reserved word or position is wrong
};

struct DecodedBlock {
  BlockState state = BlockState::kBlank;
  BlockHeader header;  // meaningful for kValid (and as read for kCorrupt)
  std::string why;     // for kCorrupt: "checksum mismatch", "lba 7 at position 3", ...
};

// Reads the block found at `position` (its LBA). Never fails: the state says what it is.
DecodedBlock DecodeBlock(std::span<const std::byte> block, uint64_t position);

}  // namespace san::drill
