// Coalescing rules; kept apart from the engine so they can be tested on their own.
#include "libsan/blockcopy/run_coalescer.h"

#include <utility>

namespace san::blockcopy {

WriteRun TruncateRun(const WriteRun& run, uint64_t length) {
  WriteRun out;
  out.kind = run.kind;
  out.offset = run.offset;
  out.length = std::min(length, run.length);
  out.first_chunk = run.first_chunk;
  uint64_t left = out.length;
  for (const ConstPiece& p : run.pieces) {
    if (left == 0 || run.kind != WriteRun::Kind::kData) break;
    size_t take = static_cast<size_t>(std::min<uint64_t>(left, p.size));
    out.pieces.push_back({p.data, take});
    left -= take;
  }
  return out;
}

std::optional<WriteRun> RunCoalescer::Add(WriteRun::Kind kind, uint64_t offset,
                                          const std::byte* data, uint64_t length, uint64_t chunk) {
  std::optional<WriteRun> finished;
  if (pending_ && (pending_->kind != kind || pending_->end() != offset ||
                   pending_->length + length > max_run_bytes_)) {
    finished = std::exchange(pending_, std::nullopt);
  }
  if (!pending_) {
    pending_ = WriteRun{kind, offset, 0, {}, chunk};
  }
  pending_->length += length;
  if (kind == WriteRun::Kind::kData) {
    auto& pieces = pending_->pieces;
    if (!pieces.empty() && pieces.back().data + pieces.back().size == data) {
      pieces.back().size += static_cast<size_t>(length);
    } else {
      pieces.push_back({data, static_cast<size_t>(length)});
    }
  }
  return finished;
}

std::optional<WriteRun> RunCoalescer::Take() { return std::exchange(pending_, std::nullopt); }

}  // namespace san::blockcopy
