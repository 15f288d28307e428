// The incremental copy: read the source in large chunks (several in flight), hash each 16 KiB
// segment on the reader threads, compare with the checksum file, and write only changed
// segments — coalesced — on one writer thread. Also checksum-only runs (no target).
//
// Crash safety: the header names a window of the source that the run may be writing. A new
// digest reaches the checksum file only after its data is durable on the target (flush target,
// write digests, flush, advance the header, flush). A run that finds the header "running" re-reads
// the target in the old window and trusts what it finds there, not the digests.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_file.h"
#include "libsan/blockcopy/engine_options.h"
#include "libsan/host/host.h"
#include "libsan/util/logger.h"

namespace san::blockcopy {

enum class RunEnd {
  kComplete,    // the whole source was processed; the checksum file is clean
  kWriteLimit,  // stopped at the write limit; the file is partial and the next run resumes
  kDeadline,    // stopped at RunControl's (or the Host's) deadline; partial, resumable
  kStopped,     // stopped because RunControl::stop was set; partial, resumable
};

// "done", "write-limit", "deadline", "stopped".
std::string_view RunEndName(RunEnd end);

// When a copy run must end early. Checked before each chunk is consumed: once the deadline has
// passed or `stop` is set, the writer finishes the write in progress, flushes the target and
// commits the checksum file as "partial" at the next unprocessed offset (RunStats::stop), so a
// later run resumes there. That final commit (at most one commit window of data to flush) happens
// after the deadline: callers keep a margin. Checksum-only runs (no target) ignore both, since a
// partial checksum-only file would later be resumed as if its target had been copied.
struct RunControl {
  std::optional<Clock::time_point> deadline;  // the Host's deadline applies too, the earlier wins
  const std::atomic<bool>* stop = nullptr;    // may be set from a signal handler or thread
};

struct RunResult {
  RunEnd end = RunEnd::kComplete;
  RunStats stats;
};

struct CopyJob {
  BlockDevice* source = nullptr;  // required
  // Null for checksum-only mode: the digests then describe the source itself.
  BlockDevice* target = nullptr;
  ChecksumFile* checksum = nullptr;  // required; its header must fit the job (see Mismatch)
  std::string source_identity;       // written to the header
  std::string target_identity;       // "" in checksum-only mode
};

// Runs one copy or checksum-only pass. The target must be at least as large as the source. On an
// error the checksum file stays "running" and the next run re-checks what may have been written.
// `host` provides the clock (rate limit, timing, deadline); `progress` may be empty.
Result<RunResult> RunCopy(const CopyJob& job, const EngineOptions& options, Host& host, Logger& log,
                          const ProgressFn& progress = {}, const RunControl& control = {});

struct VerifyResult {
  uint64_t segments_checked = 0;
  uint64_t segments_differing = 0;
  // Segments whose digests cannot vouch for the target: never written, or inside the window of
  // an interrupted run.
  uint64_t segments_unknown = 0;
  std::vector<uint64_t> first_differences;  // byte offsets, at most 10
  RunStats stats;
};

// Reads `target` and compares every segment whose digest is trustworthy with the checksum file.
Result<VerifyResult> RunVerify(BlockDevice& target, const ChecksumFile& checksum,
                               const EngineOptions& options, Host& host,
                               const ProgressFn& progress = {});

}  // namespace san::blockcopy
