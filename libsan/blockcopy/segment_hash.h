// Segment digests: the seeded hashes ddless keeps per 16 KiB segment (XXH3-128 by default), the
// checksum that guards checksum-file headers, and a fast all-zero test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "libsan/util/status.h"

namespace san::blockcopy {

// Stored in checksum-file headers: never renumber.
enum class HashKind : uint32_t {
  kXxh128 = 1,  // XXH3 128-bit, seeded (default)
  kXxh3 = 2,    // XXH3 64-bit, seeded (stored in the low half; the high half is zero)
};

inline constexpr size_t kDigestSize = 16;  // bytes per segment in a checksum file

struct Digest {
  uint64_t lo = 0;
  uint64_t hi = 0;
  bool operator==(const Digest&) const = default;
};

std::string_view HashName(HashKind kind);  // "xxh128", "xxh3"
// Accepts the names HashName gives; InvalidConfig listing the choices otherwise.
Result<HashKind> ParseHashKind(std::string_view name);
// Whether `value` is a HashKind this build knows (checksum-file headers are untrusted).
bool IsKnownHashKind(uint32_t value);

// The digest of one segment. Thread-safe; picks the AVX2 code when the CPU has it.
Digest HashSegment(HashKind kind, uint64_t seed, std::span<const std::byte> data);
// Unseeded XXH3-64 of `data`, for header integrity checks.
uint64_t Checksum64(std::span<const std::byte> data);
// "avx2" or "sse2": which XXH3 code HashSegment runs on this CPU.
std::string_view HashImplementation();

// True when every byte is zero.
bool IsAllZero(std::span<const std::byte> data);

namespace internal {
// The same functions compiled for two instruction sets (xxh3_avx2.cc, xxh3_portable.cc).
Digest Xxh128Avx2(const void* data, size_t size, uint64_t seed);
uint64_t Xxh64bitsAvx2(const void* data, size_t size, uint64_t seed);
Digest Xxh128Portable(const void* data, size_t size, uint64_t seed);
uint64_t Xxh64bitsPortable(const void* data, size_t size, uint64_t seed);
}  // namespace internal

}  // namespace san::blockcopy
