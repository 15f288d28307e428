// XXH3 compiled for AVX2 (3-4x the SSE2 speed on 16 KiB segments here), inlined from Debian's
// libxxhash headers. Only called after segment_hash.cc has checked that the CPU has AVX2; the
// plain library symbol would run the SSE2 path and the *_dispatch ones would need -lxxhash.
#include "libsan/blockcopy/segment_hash.h"

#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2")
#include <immintrin.h>  // xxhash.h includes it only when __AVX2__ is set on the command line
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>

namespace san::blockcopy::internal {

Digest Xxh128Avx2(const void* data, size_t size, uint64_t seed) {
  XXH128_hash_t h = XXH3_128bits_withSeed(data, size, seed);
  return {h.low64, h.high64};
}

uint64_t Xxh64bitsAvx2(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace san::blockcopy::internal

#else  // no AVX2 build: never selected at run time

namespace san::blockcopy::internal {
Digest Xxh128Avx2(const void* data, size_t size, uint64_t seed) {
  return Xxh128Portable(data, size, seed);
}
uint64_t Xxh64bitsAvx2(const void* data, size_t size, uint64_t seed) {
  return Xxh64bitsPortable(data, size, seed);
}
}  // namespace san::blockcopy::internal

#endif
