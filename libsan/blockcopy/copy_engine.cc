// The writer side of a copy run. One CopyRun object lives for one call of RunCopy: it opens the
// run in the checksum file, consumes chunks in order, coalesces and writes changed segments, and
// hands each finished window to the Committer until the end or the write limit.
#include "libsan/blockcopy/copy_engine.h"

#include <deque>
#include <memory>
#include <optional>

#include "libsan/blockcopy/committer.h"
#include "libsan/blockcopy/run_coalescer.h"
#include "libsan/blockcopy/segment_classifier.h"

namespace san::blockcopy {
namespace {

EngineOptions Normalized(EngineOptions o) {
  o.chunk_size = std::max<size_t>(kSegmentSize, o.chunk_size / kSegmentSize * kSegmentSize);
  o.readers = std::clamp(o.readers, 1, 64);
  o.max_run_bytes = std::max<uint64_t>(kSegmentSize, o.max_run_bytes);
  o.commit_window = std::max<uint64_t>(o.chunk_size, o.commit_window / o.chunk_size * o.chunk_size);
  return o;
}

class CopyRun {
 public:
  CopyRun(const CopyJob& job, const EngineOptions& options, Host& host, Logger& log,
          const RunControl& control)
      : job_(job),
        opt_(Normalized(options)),
        host_(host),
        log_(log),
        control_(control),
        coalescer_(opt_.max_run_bytes),
        committer_(*job.source, job.target, *job.checksum, opt_.commit_window) {}

  Result<RunResult> Run(const ProgressFn& progress);

 private:
  Status Begin();
  Status ConsumeChunk(Chunk* chunk);
  Status ExecuteRun(const WriteRun& run);
  Status Perform(const WriteRun& run);
  void ReleaseUnpinned(ReadPipeline& pipeline);
  // Why the run must stop before consuming the next chunk (kComplete: it need not).
  RunEnd MustStop();

  const CopyJob& job_;
  const EngineOptions opt_;
  Host& host_;
  Logger& log_;
  const RunControl& control_;
  std::optional<Clock::time_point> deadline_;  // the earlier of control_'s and the Host's
  RunCoalescer coalescer_;
  Committer committer_;
  ChecksumHeader header_;  // as the run began
  uint64_t size_ = 0;
  RunStats stats_;
  bool zero_runs_ = false;  // classify zero segments apart
  bool punch_ = false;      // and deallocate them (else write zeros)
  std::deque<Chunk*> held_;
  bool stopped_ = false;  // write limit, deadline or stop flag
  RunEnd end_ = RunEnd::kComplete;
  uint64_t stop_at_ = 0;
};

RunEnd CopyRun::MustStop() {
  if (!job_.target) return RunEnd::kComplete;
  if (control_.stop && control_.stop->load(std::memory_order_relaxed)) return RunEnd::kStopped;
  if (deadline_ && host_.Now() >= *deadline_) return RunEnd::kDeadline;
  return RunEnd::kComplete;
}

Status CopyRun::Begin() {
  header_ = job_.checksum->header();
  size_ = job_.source->size();
  uint64_t start = 0;
  bool resume = job_.target && header_.state == FileState::kPartial && !opt_.restart;
  if (resume) start = header_.committed;
  Range recheck = header_.recheck;
  // An interrupted run may have written anywhere in its window.
  if (header_.state == FileState::kRunning) recheck = Cover(recheck, header_.window);
  recheck.end = std::min(recheck.end, header_.valid_end);  // unknown segments are written anyway
  if (!job_.target || recheck.empty()) recheck = {};
  if (!recheck.empty()) {
    log_.Warning(job_.checksum->device().name() + ": an earlier run was interrupted; re-checking " +
                 FormatBytes(recheck.end - recheck.begin) + " of the target at offset " +
                 std::to_string(recheck.begin));
  }
  if (start > 0)
    log_.Info("resuming at offset " + std::to_string(start) + " where the last run stopped");
  header_.source = job_.source_identity;
  header_.target = job_.target_identity;
  header_.recheck = recheck;
  stats_.source_size = size_;
  stats_.start = start;
  return committer_.Open(header_, start);
}

Result<RunResult> CopyRun::Run(const ProgressFn& progress) {
  Clock::time_point t0 = host_.Now();
  deadline_ = control_.deadline;
  if (std::optional<Clock::time_point> d = host_.deadline(); d && (!deadline_ || *d < *deadline_)) {
    deadline_ = d;
  }
  SAN_RETURN_IF_ERROR(Begin());
  if (job_.target) {
    bool file = job_.target->info().kind == DeviceInfo::Kind::kRegularFile;
    zero_runs_ = file || opt_.punch_zeros;
    punch_ = zero_runs_;
  }
  std::unique_ptr<RateLimiter> limiter;
  if (opt_.read_rate > 0) {
    limiter = std::make_unique<RateLimiter>(host_, opt_.read_rate, opt_.chunk_size);
  }
  SegmentClassifier classifier({job_.source, job_.target, job_.checksum, header_.hash, header_.seed,
                                header_.valid_end, header_.recheck, zero_runs_, limiter.get()});
  PipelineOptions po{opt_.chunk_size, opt_.readers,
                     opt_.readers + static_cast<int>(opt_.max_run_bytes / opt_.chunk_size) + 2};
  ReadPipeline pipeline(po, stats_.start, size_,
                        [&classifier](Chunk& c) { return classifier.Process(c); });
  Status status;
  while (!stopped_) {
    Result<Chunk*> next = pipeline.Next();
    if (!next.ok()) {
      status = next.status();
      break;
    }
    if (!*next) break;
    if (RunEnd why = MustStop(); why != RunEnd::kComplete) {
      // Everything before this chunk was consumed: finish its pending write, then commit there.
      if (std::optional<WriteRun> run = coalescer_.Take()) status = ExecuteRun(*run);
      if (!stopped_) {
        stopped_ = true;
        end_ = why;
        stop_at_ = (*next)->offset;
        log_.Info(std::string(why == RunEnd::kDeadline ? "deadline reached" : "stop requested") +
                  ": stopping at offset " + std::to_string(stop_at_));
      }
      break;
    }
    status = ConsumeChunk(*next);
    if (!status.ok()) break;
    ReleaseUnpinned(pipeline);
    stats_.bytes_read = classifier.bytes_read();
    if (progress) progress(stats_);
  }
  if (status.ok() && !stopped_) {
    if (std::optional<WriteRun> last = coalescer_.Take()) status = ExecuteRun(*last);
  }
  pipeline.Stop();
  stats_.bytes_read = classifier.bytes_read();
  stats_.rechecked = classifier.rechecked();
  // On error the header stays "running": the next run re-checks the window.
  SAN_RETURN_IF_ERROR(status);
  SAN_RETURN_IF_ERROR(stopped_ ? committer_.Finish(stop_at_, FileState::kPartial)
                               : committer_.Finish(size_, FileState::kClean));
  stats_.commits = committer_.commits();
  stats_.stop = stopped_ ? stop_at_ : size_;
  stats_.seconds = std::chrono::duration<double>(host_.Now() - t0).count();
  if (progress) progress(stats_);
  return RunResult{end_, stats_};
}

Status CopyRun::ConsumeChunk(Chunk* chunk) {
  if (chunk->offset >= committer_.window_end()) {
    // The window is complete once its last run is written; its commit then runs in the
    // background while the writer goes on into the next window.
    if (std::optional<WriteRun> run = coalescer_.Take()) SAN_RETURN_IF_ERROR(ExecuteRun(*run));
    if (stopped_) return Status::Ok();
    SAN_RETURN_IF_ERROR(committer_.Advance(chunk->offset));
  }
  held_.push_back(chunk);
  for (size_t j = 0; j < chunk->digests.size() && !stopped_; ++j) {
    uint64_t at = j * kSegmentSize;
    uint64_t offset = chunk->offset + at;
    uint64_t len = std::min<uint64_t>(kSegmentSize, chunk->length - at);
    committer_.Add(chunk->digests[j]);
    ++stats_.segments;
    SegmentAction action = chunk->actions[j];
    if (action == SegmentAction::kSkip) {
      if (std::optional<WriteRun> run = coalescer_.Take()) SAN_RETURN_IF_ERROR(ExecuteRun(*run));
      continue;
    }
    ++stats_.segments_changed;
    if (action == SegmentAction::kZero) ++stats_.segments_zero;
    auto kind = action == SegmentAction::kZero ? WriteRun::Kind::kZeros : WriteRun::Kind::kData;
    std::optional<WriteRun> done =
        coalescer_.Add(kind, offset, chunk->buffer.data() + at, len, chunk->index);
    if (done) SAN_RETURN_IF_ERROR(ExecuteRun(*done));
  }
  return Status::Ok();
}

Status CopyRun::ExecuteRun(const WriteRun& run) {
  if (opt_.write_limit > 0 && stats_.changed_bytes() + run.length > opt_.write_limit) {
    uint64_t left = opt_.write_limit - std::min(opt_.write_limit, stats_.changed_bytes());
    uint64_t allowed = left / kSegmentSize * kSegmentSize;
    // A limit below one segment still makes progress, one segment per run.
    if (allowed == 0 && stats_.changed_bytes() == 0)
      allowed = std::min<uint64_t>(run.length, kSegmentSize);
    if (allowed > 0) SAN_RETURN_IF_ERROR(Perform(TruncateRun(run, allowed)));
    stopped_ = true;
    end_ = RunEnd::kWriteLimit;
    stop_at_ = run.offset + allowed;
    log_.Info("write limit of " + FormatBytes(opt_.write_limit) + " reached at offset " +
              std::to_string(stop_at_));
    return Status::Ok();
  }
  return Perform(run);
}

Status CopyRun::Perform(const WriteRun& run) {
  BlockDevice& target = *job_.target;
  committer_.TargetWritten();
  if (run.kind == WriteRun::Kind::kZeros && punch_) {
    Status s = target.PunchZeros(run.offset, run.length);
    if (s.ok()) {
      stats_.bytes_deallocated += run.length;
      ++stats_.punch_ops;
      return Status::Ok();
    }
    if (s.code() != Code::kNotInstalled) return s;
    log_.Info(s.message() + "; writing zeros instead");
    punch_ = false;
  }
  if (run.kind == WriteRun::Kind::kZeros) {
    SAN_RETURN_IF_ERROR(WriteZeros(target, run.offset, run.length));
  } else {
    SAN_RETURN_IF_ERROR(WriteFull(target, run.offset, run.pieces));
  }
  stats_.bytes_written += run.length;
  ++stats_.write_ops;
  log_.Debug("wrote " + FormatBytes(run.length) + " at " + std::to_string(run.offset));
  return Status::Ok();
}

void CopyRun::ReleaseUnpinned(ReadPipeline& pipeline) {
  const WriteRun* pending = coalescer_.pending();
  while (!held_.empty() && (!pending || held_.front()->index < pending->first_chunk)) {
    pipeline.Release(held_.front());
    held_.pop_front();
  }
}

}  // namespace

std::string_view RunEndName(RunEnd end) {
  switch (end) {
    case RunEnd::kComplete:
      return "done";
    case RunEnd::kWriteLimit:
      return "write-limit";
    case RunEnd::kDeadline:
      return "deadline";
    case RunEnd::kStopped:
      return "stopped";
  }
  return "done";
}

Result<RunResult> RunCopy(const CopyJob& job, const EngineOptions& options, Host& host, Logger& log,
                          const ProgressFn& progress, const RunControl& control) {
  if (!job.source || !job.checksum) return Status::Internal("RunCopy: no source or checksum file");
  if (job.target && job.target->size() < job.source->size()) {
    return Status::InvalidConfig(
        "target " + job.target->name() + " (" + FormatBytes(job.target->size()) +
        ") is smaller than the source (" + FormatBytes(job.source->size()) + ")");
  }
  CopyRun run(job, options, host, log, control);
  return run.Run(progress);
}

}  // namespace san::blockcopy
