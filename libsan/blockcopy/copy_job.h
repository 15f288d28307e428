// RunCopyJob: one safe incremental copy (or checksum-only pass) from paths to a report, shared by
// ddless, lvm_copy and the replica agent: identities, checksum binding, target sizing, spot check,
// cleanup after a refusal, and the engine run under a deadline and a stop flag. Never prints.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/copy_engine.h"
#include "libsan/blockcopy/engine_options.h"
#include "libsan/blockcopy/segment_hash.h"
#include "libsan/host/host.h"
#include "libsan/util/logger.h"

namespace san::blockcopy {

struct JobSpec {
  std::string source;    // block device or regular file
  std::string target;    // block device or regular file; empty: checksum-only (no copy)
  std::string checksum;  // the checksum file of this source/target pair
  bool direct = false;   // O_DIRECT on source and target
  // When a new checksum file would be required: end with JobEnd::kNeedsNewChecksum and write
  // nothing, instead of starting over (copy) or failing (a file of another pair).
  bool bail = false;
  std::optional<HashKind> hash;  // for a new file (default xxh128); a file of another is refused
  // Target segments compared with their digests before the checksum file is trusted (0 = off).
  uint64_t spot_checks = kDefaultSpotChecks;
  EngineOptions engine;  // rate, write limit, sparse, restart, tuning
  // Appended to the message refusing a checksum file of another pair (the CLI names -b there).
  std::string refusal_hint;
};

struct JobEnv {
  Host& host;             // the clock (spot-check timing, rate limit, deadline)
  DeviceOpener& devices;  // opens sources, targets and checksum files
  Logger& log;            // every message of the job
  // Random numbers: seeds of new checksum files, spot-checked segments. May be empty (zeros).
  std::function<uint64_t()> random;
  // Makes a path absolute for the checksum file's identities. May be empty (paths kept).
  std::function<std::string(const std::string&)> absolute;
};

// How a running job is steered from outside. The Host's deadline applies as well (the earlier
// wins), so an agent that set its operation timeout on the Host gets a copy that ends in time.
struct JobControl {
  std::optional<Clock::time_point> deadline;  // stop at a committed point once it has passed
  const std::atomic<bool>* stop = nullptr;    // stop at a committed point once set (signals)
  ProgressFn progress;                        // called by the writer after each chunk; may be empty
};

enum class JobEnd {
  kDone,              // the whole source was processed; target == source, checksum file clean
  kWriteLimit,        // engine.write_limit reached; committed "partial", the next run resumes
  kDeadline,          // the deadline passed; committed "partial", the next run resumes
  kStopped,           // the stop flag was set; committed "partial", the next run resumes
  kNeedsNewChecksum,  // only with bail: nothing was written or created; why in needs_new
};

// "done", "write-limit", "deadline", "stopped", "new-checksum-required".
std::string_view JobEndName(JobEnd end);

// How far a job got. Filled as the job goes, so also meaningful when it fails.
struct JobReport {
  JobEnd end = JobEnd::kDone;
  std::string needs_new;          // kNeedsNewChecksum: why a new checksum file is required
  bool started_over = false;      // the checksum file was replaced: every segment is written
  bool checksum_created = false;  // a new checksum file was created
  bool spot_check_ran = false;
  std::vector<uint64_t> spot_checked;  // offsets read by the spot check
  double spot_check_seconds = 0;
  bool engine_ran = false;  // the engine ran to a committed end: `stats` is set
  // Bytes read and written, the first offset looked at (start) and where it stopped (stop: the
  // offset the next run resumes at when not done; the source size when done).
  RunStats stats;
  bool resumable() const {
    return end == JobEnd::kWriteLimit || end == JobEnd::kDeadline || end == JobEnd::kStopped;
  }
};

// Runs the job. Errors (Status): unusable paths or devices (InvalidConfig: same path or same
// device twice, a target smaller than the source, a checksum file of another pair without
// bail, ...), I/O errors, Busy when another run holds the checksum file or target. On an error
// after the copy began the checksum file says "running" and the next run re-checks its window;
// before that nothing was written, and a target file this job created is removed again.
Status RunCopyJob(const JobSpec& spec, JobEnv& env, const JobControl& control, JobReport& report);

}  // namespace san::blockcopy
