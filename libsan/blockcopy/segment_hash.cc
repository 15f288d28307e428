// Chooses the XXH3 build once per process (AVX2 when the CPU has it) and maps HashKind to it.
#include "libsan/blockcopy/segment_hash.h"

#include <cstring>

namespace san::blockcopy {
namespace {

bool UseAvx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

}  // namespace

std::string_view HashName(HashKind kind) {
  switch (kind) {
    case HashKind::kXxh128:
      return "xxh128";
    case HashKind::kXxh3:
      return "xxh3";
  }
  return "unknown";
}

Result<HashKind> ParseHashKind(std::string_view name) {
  if (name == "xxh128") return HashKind::kXxh128;
  if (name == "xxh3") return HashKind::kXxh3;
  return Status::InvalidConfig("unknown hash '" + std::string(name.substr(0, 32)) +
                               "' (choose xxh128 or xxh3)");
}

bool IsKnownHashKind(uint32_t value) {
  return value == static_cast<uint32_t>(HashKind::kXxh128) ||
         value == static_cast<uint32_t>(HashKind::kXxh3);
}

Digest HashSegment(HashKind kind, uint64_t seed, std::span<const std::byte> data) {
  bool avx2 = UseAvx2();
  if (kind == HashKind::kXxh3) {
    uint64_t h = avx2 ? internal::Xxh64bitsAvx2(data.data(), data.size(), seed)
                      : internal::Xxh64bitsPortable(data.data(), data.size(), seed);
    return {h, 0};
  }
  return avx2 ? internal::Xxh128Avx2(data.data(), data.size(), seed)
              : internal::Xxh128Portable(data.data(), data.size(), seed);
}

uint64_t Checksum64(std::span<const std::byte> data) {
  return internal::Xxh64bitsPortable(data.data(), data.size(), 0);
}

std::string_view HashImplementation() { return UseAvx2() ? "avx2" : "sse2"; }

bool IsAllZero(std::span<const std::byte> data) {
  if (data.empty()) return true;
  // Each byte equals the next and the first is zero: memcmp runs vectorised in libc.
  return data[0] == std::byte{0} && std::memcmp(data.data(), data.data() + 1, data.size() - 1) == 0;
}

}  // namespace san::blockcopy
