// Committer: the checksum-file half of the crash-safety protocol, pipelined so that flushing
// never stalls the copy. The header always names the windows the writer may be writing; a
// window's digests are written only after a target flush that began once its data was written.
//
//   Open:        header "running", window W0+W1, durable before any target write.
//   Advance(k):  the writer finished window k. Wait for commit k-1 (its header names Wk+Wk+1, so
//                the writer may go on into Wk+1), then in the background: flush target, write the
//                digests of Wk, flush, header (committed = end of Wk, window Wk+1+Wk+2), flush.
//   Finish:      the same, synchronously, ending in state clean or partial.
#pragma once

#include <cstdint>
#include <future>
#include <vector>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_file.h"

namespace san::blockcopy {

class Committer {
 public:
  // `target` may be null (checksum-only). `window` is the commit window in bytes. Every header
  // records the identities of `source` and of the device the digests describe (target, else
  // source) as they are when the commit starts.
  Committer(BlockDevice& source, BlockDevice* target, ChecksumFile& file, uint64_t window)
      : source_(source), target_(target), file_(file), size_(source.size()), window_(window) {}
  ~Committer() { Wait().IgnoreError(); }

  // Writes `header` as a running run starting at `start` and makes it durable.
  Status Open(ChecksumHeader header, uint64_t start);
  // The digest of the next segment, in source order.
  void Add(const Digest& digest) { digests_.push_back(digest); }
  // Data was written to the target (it needs a flush before digests vouch for it).
  void TargetWritten() { target_dirty_ = true; }
  // The writer reached `position`, the end of the current window.
  Status Advance(uint64_t position);
  // Final commit at `position` in `state` (kClean or kPartial); waits for everything.
  Status Finish(uint64_t position, FileState state);

  // End of the window the writer is in.
  uint64_t window_end() const { return window_end_; }
  uint64_t commits() const { return commits_; }

 private:
  // Prepares the commit of everything before `position` and runs it, in the background or not.
  Status Start(uint64_t position, FileState state, bool background);
  Status Wait();

  BlockDevice& source_;
  BlockDevice* target_;
  ChecksumFile& file_;
  const uint64_t size_;
  const uint64_t window_;
  ChecksumHeader header_;  // the last header handed to a commit
  uint64_t run_start_ = 0;
  uint64_t digests_begin_ = 0;  // digests_ holds the digests of [digests_begin_, ...)
  std::vector<Digest> digests_;
  bool target_dirty_ = false;
  uint64_t window_end_ = 0;
  uint64_t commits_ = 0;
  std::future<Status> inflight_;
};

}  // namespace san::blockcopy
