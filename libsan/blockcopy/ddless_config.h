// ddless' command line, checked: the raw values the tool front collected (Boost.Program_options
// lives in tools/ddless) become a DdlessConfig with a mode, strictly parsed numbers and an argv
// for -i. Pure, so every rule about flag combinations is unit-tested here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libsan/blockcopy/engine_options.h"
#include "libsan/blockcopy/segment_hash.h"
#include "libsan/util/status.h"

namespace san::blockcopy {

// Values as given on the command line; absent options are nullopt / false.
struct DdlessArgs {
  bool direct = false;                    // -d
  std::optional<std::string> source;      // -s SRC
  std::optional<std::string> rate;        // -r MB/s
  std::optional<std::string> checksum;    // -c CHECKSUM
  bool bail = false;                      // -b
  std::optional<std::string> target;      // -t TARGET
  std::optional<std::string> max_gb;      // -m GB
  std::optional<std::string> command;     // -i CMD
  int verbosity = 0;                      // -v, -vv
  bool parameters = false;                // -p
  bool bench_hash = false;                // --bench-hash
  bool json = false;                      // --json
  bool verify = false;                    // --verify
  bool sparse = false;                    // --sparse
  bool restart = false;                   // --restart
  std::optional<std::string> hash;        // --hash
  std::optional<std::string> readers;     // --readers
  std::optional<std::string> read_kib;    // --read-size (KiB)
  std::optional<std::string> commit_mib;  // --commit-window (MiB)
  std::optional<std::string> spot_check;  // --spot-check N
  std::optional<std::string> deadline;    // --deadline SECONDS
};

enum class Mode {
  kCopy,          // -s -c -t
  kChecksumOnly,  // -s -c
  kSpeedZones,    // -s
  kParameters,    // -p
  kVerify,        // --verify -c -t
  kHashBench,     // --bench-hash
};
// "copy", "checksum", "zones", "parameters", "verify", "bench-hash"
std::string_view ModeName(Mode mode);

struct DdlessConfig {
  Mode mode = Mode::kCopy;
  bool direct = false;
  std::string source;
  std::string checksum;
  std::string target;
  std::vector<std::string> command;  // -i as argv; empty when not given
  std::optional<HashKind> hash;      // --hash; otherwise the checksum file's (xxh128 for new)
  bool bail = false;
  bool json = false;
  int verbosity = 0;
  // --spot-check: target segments compared with their digests before the file is trusted.
  uint64_t spot_checks = kDefaultSpotChecks;
  // --deadline: a copy stops at a committed point this long after it began (exit 4, resumable).
  std::optional<std::chrono::milliseconds> deadline;
  EngineOptions engine;  // rate (-r), write limit (-m), --sparse, --restart, tuning
};

// InvalidConfig naming the offending option for: a missing or conflicting option, a number that
// is not a plain positive decimal (or out of range), a path that is empty, contains control
// characters or names the same path twice, and a -i command SplitCommandWords refuses.
Result<DdlessConfig> ResolveArgs(const DdlessArgs& args);

// Strict positive decimal: digits with an optional fraction ("40", "0.5"); no sign, exponent,
// blanks, hex, inf or nan.
Result<double> ParsePositiveDecimal(std::string_view text);

}  // namespace san::blockcopy
