// Helpers of the fuzz targets: the input as text, and property checks that abort (a finding for
// libFuzzer, a failed test for the corpus replay) with a message saying which property broke.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace san::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void Fail(const char* property, std::string_view detail) {
  std::fprintf(stderr, "fuzz property broken: %s: [%.*s]\n", property,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The property holds or the run aborts.
inline void Check(bool holds, const char* property, std::string_view detail = {}) {
  if (!holds) Fail(property, detail);
}

// True when `s` holds a byte below 0x20 or DEL: text no parser should hand on as a name.
inline bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace san::fuzz
