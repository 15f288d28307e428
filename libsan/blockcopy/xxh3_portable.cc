// XXH3 compiled for the baseline instruction set (SSE2 on x86-64), inlined from Debian's
// libxxhash headers so nothing needs linking. The slow path; segment_hash.cc prefers AVX2.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "libsan/blockcopy/segment_hash.h"

namespace san::blockcopy::internal {

Digest Xxh128Portable(const void* data, size_t size, uint64_t seed) {
  XXH128_hash_t h = XXH3_128bits_withSeed(data, size, seed);
  return {h.low64, h.high64};
}

uint64_t Xxh64bitsPortable(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace san::blockcopy::internal
