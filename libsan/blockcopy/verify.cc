// --verify: reads the target and checks it against the checksum file. This is a direct test of
// the invariant the commit protocol keeps: outside an interrupted run's window, every stored
// digest describes the target.
#include <memory>

#include "libsan/blockcopy/copy_engine.h"
#include "libsan/blockcopy/segment_classifier.h"

namespace san::blockcopy {

Result<VerifyResult> RunVerify(BlockDevice& target, const ChecksumFile& checksum,
                               const EngineOptions& options, Host& host,
                               const ProgressFn& progress) {
  const ChecksumHeader& h = checksum.header();
  const uint64_t size = h.source_size;
  if (target.size() < size) {
    return Status::InvalidConfig(target.name() + " (" + FormatBytes(target.size()) +
                                 ") is smaller than the checksum file covers (" +
                                 FormatBytes(size) + ")");
  }
  Range untrusted = h.recheck;
  if (h.state == FileState::kRunning) untrusted = Cover(untrusted, h.window);
  std::unique_ptr<RateLimiter> limiter;
  if (options.read_rate > 0) {
    limiter = std::make_unique<RateLimiter>(host, options.read_rate, options.chunk_size);
  }
  size_t chunk_size =
      std::max<size_t>(kSegmentSize, options.chunk_size / kSegmentSize * kSegmentSize);
  // Here the actions mean: kSkip = matches, kWrite = differs, kZero = cannot be verified.
  auto process = [&](Chunk& chunk) -> Status {
    SAN_RETURN_IF_ERROR(ReadAndHash(target, h.hash, h.seed, limiter.get(), chunk));
    std::vector<Digest> stored(chunk.digests.size());
    SAN_RETURN_IF_ERROR(checksum.ReadDigests(chunk.offset / kSegmentSize, stored));
    chunk.actions.resize(stored.size());
    for (size_t j = 0; j < stored.size(); ++j) {
      uint64_t offset = chunk.offset + j * kSegmentSize;
      uint64_t end = std::min(size, offset + kSegmentSize);
      bool unknown = offset >= h.valid_end ||
                     (!untrusted.empty() && offset < untrusted.end && end > untrusted.begin);
      chunk.actions[j] = unknown                         ? SegmentAction::kZero
                         : stored[j] == chunk.digests[j] ? SegmentAction::kSkip
                                                         : SegmentAction::kWrite;
    }
    return Status::Ok();
  };
  Clock::time_point t0 = host.Now();
  ReadPipeline pipeline({chunk_size, options.readers, options.readers + 2}, 0, size, process);
  VerifyResult result;
  result.stats.source_size = size;
  while (true) {
    SAN_ASSIGN_OR_RETURN(Chunk * chunk, pipeline.Next());
    if (!chunk) break;
    for (size_t j = 0; j < chunk->actions.size(); ++j) {
      ++result.stats.segments;
      switch (chunk->actions[j]) {
        case SegmentAction::kSkip:
          ++result.segments_checked;
          break;
        case SegmentAction::kWrite:
          ++result.segments_checked;
          ++result.segments_differing;
          if (result.first_differences.size() < 10) {
            result.first_differences.push_back(chunk->offset + j * kSegmentSize);
          }
          break;
        case SegmentAction::kZero:
          ++result.segments_unknown;
          break;
      }
    }
    result.stats.bytes_read += chunk->length;
    result.stats.stop = chunk->offset + chunk->length;
    pipeline.Release(chunk);
    if (progress) progress(result.stats);
  }
  result.stats.seconds = std::chrono::duration<double>(host.Now() - t0).count();
  return result;
}

}  // namespace san::blockcopy
