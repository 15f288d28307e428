// Why two windows in every header: while commit k runs in the background, the writer already
// writes window k+1, and a crash then must find k+1 named in the durable header to re-check it.
#include "libsan/blockcopy/committer.h"

#include <algorithm>

namespace san::blockcopy {

Status Committer::Open(ChecksumHeader header, uint64_t start) {
  header_ = std::move(header);
  run_start_ = start;
  digests_begin_ = start;
  window_end_ = std::min(size_, start + window_);
  return Start(start, FileState::kRunning, false);
}

Status Committer::Advance(uint64_t position) {
  SAN_RETURN_IF_ERROR(Wait());  // its header names the window the writer enters now
  window_end_ = std::min(size_, position + window_);
  return Start(position, FileState::kRunning, true);
}

Status Committer::Finish(uint64_t position, FileState state) {
  SAN_RETURN_IF_ERROR(Wait());
  return Start(position, state, false);
}

Status Committer::Start(uint64_t position, FileState state, bool background) {
  ChecksumHeader h = header_;
  h.state = state;
  h.committed = position;
  h.valid_end = std::max(h.valid_end, position);
  // Re-checking the range left by an interrupted run is done up to `position`.
  Range& r = h.recheck;
  if (r.begin >= run_start_ && r.begin < position) r.begin = std::min(position, r.end);
  if (r.empty()) r = {};
  // After the run's last write (Finish), so the recorded modification time is the final one.
  h.source_id = source_.Identify();
  h.described = target_ ? target_->Identify() : h.source_id;
  h.window = state == FileState::kRunning ? Range{position, std::min(size_, position + 2 * window_)}
                                          : Range{};
  header_ = h;
  size_t count = static_cast<size_t>((position - digests_begin_ + kSegmentSize - 1) / kSegmentSize);
  count = std::min(count, digests_.size());
  digests_.resize(count);  // a stop at the write limit drops digests past `position`
  uint64_t first = digests_begin_ / kSegmentSize;
  BlockDevice* flush = target_dirty_ ? target_ : nullptr;
  target_dirty_ = false;
  digests_begin_ = position;
  ++commits_;
  auto work = [this, flush, first, digests = std::move(digests_), h = std::move(h)]() -> Status {
    // Only writes that completed before this flush began are covered by it: the digests of the
    // window the writer is in now wait for the next commit.
    if (flush) SAN_RETURN_IF_ERROR(flush->Flush());
    if (!digests.empty()) SAN_RETURN_IF_ERROR(file_.WriteDigests(first, digests));
    return file_.Commit(h);  // flush digests, write header, flush
  };
  digests_.clear();
  if (!background) return work();
  inflight_ = std::async(std::launch::async, std::move(work));
  return Status::Ok();
}

Status Committer::Wait() {
  if (!inflight_.valid()) return Status::Ok();
  return inflight_.get();
}

}  // namespace san::blockcopy
