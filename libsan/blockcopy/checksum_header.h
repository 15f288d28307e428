// The checksum file's header: what the digests describe (source identity and size, target, hash
// and seed, segment size) and how far they can be trusted after a crash (state, committed
// position, uncommitted window, ranges to re-check). Pure encode/decode/compare; no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "libsan/blockcopy/device_identity.h"
#include "libsan/blockcopy/segment_hash.h"
#include "libsan/util/status.h"

namespace san::blockcopy {

// Version 2 added the identities of the described device and the source. A version-1 file is
// still read (so it can be named and replaced), but never trusted for a copy.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestFormatVersion = 1;
inline constexpr uint32_t kSegmentSize = 16 * 1024;
// Two header slots, written alternately, so a torn header write leaves the other one intact.
inline constexpr uint64_t kHeaderSlotSize = 4096;
inline constexpr uint64_t kDigestsOffset = 2 * kHeaderSlotSize;
inline constexpr size_t kMaxIdentity = 1024;  // bytes of a path kept in the header

enum class FileState : uint32_t {
  kClean = 1,    // the last run finished: every digest describes the target
  kRunning = 2,  // a run is in progress, or died: `window` may hold data newer than its digests
  kPartial = 3,  // a run stopped at its write limit (-m): the next one resumes at `committed`
};
std::string_view StateName(FileState state);

// A byte range [begin, end) of the source; empty when begin == end.
struct Range {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool empty() const { return begin >= end; }
  bool Contains(uint64_t offset) const { return offset >= begin && offset < end; }
  bool operator==(const Range&) const = default;
};
// The smallest range covering both (an empty one is ignored).
Range Cover(Range a, Range b);

struct ChecksumHeader {
  uint32_t version = kFormatVersion;  // as read; every header written is kFormatVersion
  uint64_t sequence = 0;              // grows with every header write; the higher valid slot wins
  HashKind hash = HashKind::kXxh128;
  uint64_t seed = 0;
  uint32_t segment_size = kSegmentSize;
  uint64_t source_size = 0;
  std::string source;  // identity of the source: its absolute path as given
  // Identity of the target whose content the digests describe. Empty when the file was made in
  // checksum-only mode: the digests then describe `source` itself.
  std::string target;
  FileState state = FileState::kRunning;
  uint64_t committed = 0;  // kPartial: where the next run resumes; else where the last commit was
  uint64_t valid_end = 0;  // digests at or past this offset were never written: unknown
  Range window;            // kRunning: target data here may be newer than the digests
  Range recheck;           // digests here must be checked against the target (an earlier crash)
  // The object the digests describe (the target; the source in checksum-only mode) and the
  // source, as of the last header write. kNone in a version-1 file.
  DeviceIdentity described;
  DeviceIdentity source_id;

  uint64_t SegmentCount() const { return (source_size + segment_size - 1) / segment_size; }
  // Size of the whole checksum file: both header slots plus one digest per segment.
  uint64_t FileSize() const { return kDigestsOffset + SegmentCount() * kDigestSize; }
  bool operator==(const ChecksumHeader&) const = default;
};

using HeaderBlock = std::array<std::byte, kHeaderSlotSize>;

// Serialises the header into one slot (little-endian fields, XXH3-64 of the slot at its end).
HeaderBlock EncodeHeader(const ChecksumHeader& header);
// Parses one slot. NotFound when it does not start with the ddless magic (not a ddless checksum
// file, or a never-written slot); Corruption when the magic is there but the integrity checksum or
// a field is wrong; InvalidConfig for a format version this build does not know. A version-1
// slot decodes with `version` 1 and no identities.
Result<ChecksumHeader> DecodeHeader(std::span<const std::byte> slot);

// What a run needs the checksum file to describe.
struct Expectation {
  std::string source;
  uint64_t source_size = 0;
  std::string target;            // empty in checksum-only mode
  std::optional<HashKind> hash;  // when --hash was given
};

// Empty when `header` may be used for the run described by `want`; otherwise a sentence naming
// the mismatch ("it was made for source /dev/a (1 GiB), not /dev/b (1 GiB)"). A file made in
// checksum-only mode from the target itself fits a copy to that target (its digests describe it).
std::string Mismatch(const ChecksumHeader& header, const Expectation& want);

}  // namespace san::blockcopy
