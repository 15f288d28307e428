// Shared fixture for the engine tests: in-memory source, target and checksum file, small sizes
// and windows so that a few MiB exercise many chunks, runs and commits.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "libsan/blockcopy/checksum_file.h"
#include "libsan/blockcopy/copy_engine.h"
#include "libsan/blockcopy/fake_memory_device.h"
#include "libsan/host/fake_host.h"
#include "libsan/util/logger.h"

namespace san::blockcopy::testing {

inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t k = 0; k < 8 && i + k < n; ++k) s[i + k] = static_cast<char>(v >> (8 * k));
  }
  return s;
}

inline EngineOptions SmallOptions() {
  EngineOptions o;
  o.chunk_size = 64 * 1024;  // 4 segments
  o.readers = 3;
  o.max_run_bytes = 128 * 1024;  // 8 segments
  o.commit_window = 256 * 1024;  // 4 chunks
  return o;
}

class EngineFixture {
 public:
  explicit EngineFixture(uint64_t size,
                         DeviceInfo::Kind target_kind = DeviceInfo::Kind::kBlockDevice)
      : source("src", size),
        target("dst", size, target_kind),
        checksum("ck", 0, DeviceInfo::Kind::kRegularFile) {
    source.SetContents(RandomBytes(size, 42));
  }

  // Loads the checksum file (creating it when empty) and runs one copy through the given devices
  // (defaults: the plain memory devices).
  Result<RunResult> Copy(BlockDevice* src = nullptr, BlockDevice* dst = nullptr,
                         BlockDevice* ck = nullptr) {
    src = src ? src : &source;
    dst = dst ? dst : &target;
    ck = ck ? ck : &checksum;
    Result<ChecksumFile> file = Status::NotFound("");
    if (checksum.size() == 0) {
      ChecksumHeader h;
      h.seed = 7;
      h.source = "src";
      h.target = "dst";
      h.source_size = source.size();
      file = ChecksumFile::Create(*ck, h);
    } else {
      file = ChecksumFile::Load(*ck);
    }
    if (!file.ok()) return file.status();
    CopyJob job{src, dst, &*file, "src", "dst"};
    return RunCopy(job, options, host, log);
  }

  bool TargetMatches() const {
    return target.Contents().substr(0, source.size()) == source.Contents();
  }

  MemoryDevice source;
  MemoryDevice target;
  MemoryDevice checksum;
  EngineOptions options = SmallOptions();
  FakeHost host;
  MemoryLogger log;
};

}  // namespace san::blockcopy::testing
