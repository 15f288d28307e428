// Floyd's sampling picks exactly `count` distinct segments with `count` draws, however large the
// target; the trusted segments are numbered without the untrusted range so none is wasted on it.
#include "libsan/blockcopy/spot_check.h"

#include <algorithm>
#include <set>

#include "libsan/blockcopy/aligned_buffer.h"

namespace san::blockcopy {
namespace {

// The untrusted segments [first, last) of `h`, clipped to the known ones.
std::pair<uint64_t, uint64_t> UntrustedSegments(const ChecksumHeader& h, uint64_t known) {
  Range r = h.recheck;
  if (h.state == FileState::kRunning) r = Cover(r, h.window);
  if (r.empty()) return {0, 0};
  uint64_t first = std::min(known, r.begin / h.segment_size);
  uint64_t last = std::min(known, (r.end + h.segment_size - 1) / h.segment_size);
  return {first, last};
}

uint64_t KnownSegments(const ChecksumHeader& h) {
  return (h.valid_end + h.segment_size - 1) / h.segment_size;
}

}  // namespace

bool SegmentTrusted(const ChecksumHeader& h, uint64_t segment) {
  auto [first, last] = UntrustedSegments(h, KnownSegments(h));
  return segment < KnownSegments(h) && (segment < first || segment >= last);
}

std::vector<uint64_t> PickSpotSegments(const ChecksumHeader& h, uint64_t count,
                                       const std::function<uint64_t()>& random) {
  const uint64_t known = KnownSegments(h);
  // Plain copies: clang 14 cannot capture structured bindings.
  const auto untrusted = UntrustedSegments(h, known);
  const uint64_t first = untrusted.first, last = untrusted.second;
  const uint64_t trusted = known - (last - first);
  auto segment = [first, last](uint64_t k) { return k < first ? k : k + (last - first); };
  std::vector<uint64_t> out;
  if (count >= trusted) {
    for (uint64_t k = 0; k < trusted; ++k) out.push_back(segment(k));
    return out;
  }
  std::set<uint64_t> picked;
  for (uint64_t j = trusted - count; j < trusted; ++j) {
    uint64_t t = random() % (j + 1);
    picked.insert(picked.count(t) ? j : t);
  }
  for (uint64_t k : picked) out.push_back(segment(k));
  return out;
}

Result<SpotCheckResult> SpotCheck(BlockDevice& target, const ChecksumFile& file, uint64_t count,
                                  const std::function<uint64_t()>& random) {
  const ChecksumHeader& h = file.header();
  SpotCheckResult result;
  AlignedBuffer buf(h.segment_size);  // aligned: also good for an O_DIRECT target
  for (uint64_t segment : PickSpotSegments(h, count, random)) {
    uint64_t offset = segment * h.segment_size;
    size_t len = static_cast<size_t>(std::min<uint64_t>(h.segment_size, h.source_size - offset));
    target.DropCache(offset, len);  // what the medium holds, not what the cache remembers
    SAN_RETURN_IF_ERROR(ReadFull(target, offset, buf.span().first(len)));
    Digest stored;
    SAN_RETURN_IF_ERROR(file.ReadDigests(segment, std::span(&stored, 1)));
    result.checked.push_back(offset);
    if (HashSegment(h.hash, h.seed, {buf.data(), len}) != stored) {
      result.differs = offset;
      break;
    }
  }
  return result;
}

}  // namespace san::blockcopy
