// Per-chunk classification. Reads of the stored digests are small (1 KiB per MiB of source) and
// sequential, so the checksum file streams through the page cache instead of sitting in memory.
#include "libsan/blockcopy/segment_classifier.h"

#include <algorithm>

#include "libsan/blockcopy/checksum_header.h"

namespace san::blockcopy {

Status ReadAndHash(BlockDevice& device, HashKind hash, uint64_t seed, RateLimiter* limiter,
                   Chunk& chunk) {
  if (limiter) limiter->Acquire(chunk.length);
  SAN_RETURN_IF_ERROR(ReadFull(device, chunk.offset, chunk.buffer.span().first(chunk.length)));
  size_t segments = (chunk.length + kSegmentSize - 1) / kSegmentSize;
  chunk.digests.resize(segments);
  for (size_t j = 0; j < segments; ++j) {
    size_t at = j * kSegmentSize;
    size_t len = std::min<size_t>(kSegmentSize, chunk.length - at);
    chunk.digests[j] = HashSegment(hash, seed, {chunk.buffer.data() + at, len});
  }
  return Status::Ok();
}

Status SegmentClassifier::Process(Chunk& chunk) {
  SAN_RETURN_IF_ERROR(
      ReadAndHash(*config_.source, config_.hash, config_.seed, config_.limiter, chunk));
  bytes_read_ += chunk.length;
  const size_t segments = chunk.digests.size();
  chunk.actions.assign(segments, SegmentAction::kSkip);
  if (!config_.target) return Status::Ok();

  // Segments below valid_end have a reference digest; the rest are unknown (never written).
  size_t known = 0;
  if (config_.valid_end > chunk.offset) {
    known = std::min<size_t>(segments,
                             (config_.valid_end - chunk.offset + kSegmentSize - 1) / kSegmentSize);
  }
  std::vector<Digest> reference(known);
  const uint64_t first_segment = chunk.offset / kSegmentSize;
  SAN_RETURN_IF_ERROR(config_.checksum->ReadDigests(first_segment, reference));
  SAN_RETURN_IF_ERROR(RecheckTarget(chunk, reference));

  for (size_t j = 0; j < segments; ++j) {
    if (j < known && reference[j] == chunk.digests[j]) continue;
    size_t at = j * kSegmentSize;
    size_t len = std::min<size_t>(kSegmentSize, chunk.length - at);
    bool zero = config_.zero_runs && IsAllZero({chunk.buffer.data() + at, len});
    chunk.actions[j] = zero ? SegmentAction::kZero : SegmentAction::kWrite;
  }
  return Status::Ok();
}

Status SegmentClassifier::RecheckTarget(const Chunk& chunk, std::vector<Digest>& reference) {
  const Range& r = config_.recheck;
  if (r.empty() || reference.empty()) return Status::Ok();
  const uint64_t known_end = chunk.offset + reference.size() * kSegmentSize;
  // Segment-aligned overlap of the re-check range with this chunk's known segments.
  uint64_t begin = std::max(chunk.offset, r.begin / kSegmentSize * kSegmentSize);
  uint64_t end = std::min({known_end, r.end, chunk.offset + chunk.length});
  if (begin >= end) return Status::Ok();
  size_t first = (begin - chunk.offset) / kSegmentSize;
  size_t last = (end - chunk.offset + kSegmentSize - 1) / kSegmentSize;  // exclusive
  uint64_t read_end =
      std::min<uint64_t>(chunk.offset + last * kSegmentSize, chunk.offset + chunk.length);
  uint64_t read_begin = chunk.offset + first * kSegmentSize;
  AlignedBuffer buf(read_end - read_begin);
  // From the medium, not the cache: after a failed flush the cache may hold data the disk never
  // got.
  config_.target->DropCache(read_begin, buf.size());
  SAN_RETURN_IF_ERROR(ReadFull(*config_.target, read_begin, buf.span()));
  for (size_t j = first; j < last; ++j) {
    size_t at = (j - first) * kSegmentSize;
    size_t len = std::min<size_t>(kSegmentSize, buf.size() - at);
    reference[j] = HashSegment(config_.hash, config_.seed, {buf.data() + at, len});
  }
  rechecked_ += last - first;
  return Status::Ok();
}

}  // namespace san::blockcopy
