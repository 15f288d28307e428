// RunDdless: one ddless invocation from a checked DdlessConfig to a process exit code — a copy
// or checksum-only run through RunCopyJob (copy_job.h), -i CMD through the Host, and the report.
// The tool's main() only parses the command line and builds the environment.
#pragma once

#include <atomic>
#include <functional>
#include <ostream>
#include <string>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/ddless_config.h"
#include "libsan/blockcopy/report.h"
#include "libsan/host/host.h"
#include "libsan/util/logger.h"

namespace san::blockcopy {

// The process exit codes of ddless, as the original defined them.
enum class ExitCode {
  kOk = 0,
  kError = 1,                // the message is on stderr
  kWriteLimit = 2,           // -m reached (after -i CMD ran successfully)
  kNewChecksumRequired = 3,  // only with -b
  kStopped = 4,              // --deadline passed (or stop flag): committed, the next run resumes
};

struct DdlessEnv {
  Host& host;                           // runs -i CMD, provides the clock
  DeviceOpener& devices;                // opens sources, targets and checksum files
  Logger& log;                          // messages (stderr in the tool)
  std::ostream& out;                    // stdout: --json, the zones table, -p
  ProgressPrinter* progress = nullptr;  // may be null
  // Random numbers: seeds of new checksum files, spot-checked segments (getrandom in the tool).
  std::function<uint64_t()> random;
  // Makes a path absolute for the checksum file's identities (the tool uses the working dir).
  std::function<std::string(const std::string&)> absolute;
  // When set (a signal handler), a copy stops at a committed point: exit 4. May be null.
  const std::atomic<bool>* stop = nullptr;
};

// Runs the invocation and returns its exit code. Errors are logged as one line; with --json a
// summary object is printed on env.out in every case, errors included.
ExitCode RunDdless(const DdlessConfig& config, DdlessEnv& env);

// An absolute, lexically normalised form of `path` relative to the working directory (symlinks
// are kept: /dev/vg/lv must stay /dev/vg/lv, not become /dev/dm-3, which changes across boots).
std::string AbsolutePath(const std::string& path);

// How long -i CMD may run before its process group is killed.
inline constexpr std::chrono::hours kCommandTimeout{1};

}  // namespace san::blockcopy
