// Fault injection. A killed write first passes a random prefix to the device (a torn write, as
// when the process dies inside pwrite), then fails like every later call.
#include "libsan/blockcopy/fake_faulty_device.h"

#include <algorithm>

#include "libsan/blockcopy/fake_memory_device.h"

namespace san::blockcopy {

KillSwitch::Verdict KillSwitch::Tick() {
  if (dead_.load()) return Verdict::kDead;
  uint64_t n = ++ops_;
  if (n < kill_at_) return Verdict::kAlive;
  bool was_dead = dead_.exchange(true);
  return was_dead ? Verdict::kDead : Verdict::kDiesNow;
}

size_t KillSwitch::TornLength(size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  return n == 0 ? 0 : static_cast<size_t>(rng_() % (n + 1));
}

Status FaultyDevice::Tick(bool* dies_now) {
  if (!kill_) return Status::Ok();
  switch (kill_->Tick()) {
    case KillSwitch::Verdict::kAlive:
      return Status::Ok();
    case KillSwitch::Verdict::kDiesNow:
      if (dies_now) {
        *dies_now = true;
        return Status::Ok();
      }
      [[fallthrough]];
    case KillSwitch::Verdict::kDead:
      break;
  }
  return Status::Internal(name() + ": process killed");
}

Result<size_t> FaultyDevice::Read(uint64_t offset, std::span<std::byte> out) {
  SAN_RETURN_IF_ERROR(Tick());
  if (plan_.eio_read_at && *plan_.eio_read_at >= offset &&
      *plan_.eio_read_at < offset + out.size()) {
    return Status::Internal("read " + name() + " at " + std::to_string(offset) +
                            ": Input/output error");
  }
  if (plan_.max_read > 0 && out.size() > plan_.max_read) out = out.first(plan_.max_read);
  return base_.Read(offset, out);
}

Result<size_t> FaultyDevice::Write(uint64_t offset, std::span<const ConstPiece> pieces) {
  bool dies = false;
  SAN_RETURN_IF_ERROR(Tick(&dies));
  size_t total = 0;
  for (const ConstPiece& p : pieces) total += p.size;
  if (plan_.eio_write_at && *plan_.eio_write_at >= offset && *plan_.eio_write_at < offset + total) {
    return Status::Internal("write " + name() + " at " + std::to_string(offset) +
                            ": Input/output error");
  }
  size_t limit = total;
  if (plan_.max_write > 0) limit = std::min(limit, plan_.max_write);
  if (dies) limit = kill_->TornLength(limit);
  std::vector<ConstPiece> cut;
  for (const ConstPiece& p : pieces) {
    if (limit == 0) break;
    size_t take = std::min(limit, p.size);
    cut.push_back({p.data, take});
    limit -= take;
  }
  Result<size_t> written = cut.empty() ? Result<size_t>(size_t{0}) : base_.Write(offset, cut);
  if (dies) return Status::Internal(name() + ": process killed during a write");
  return written;
}

Status FaultyDevice::Flush() {
  SAN_RETURN_IF_ERROR(Tick());
  if (plan_.fail_flush) {
    if (plan_.flush_loses_writes) {
      if (auto* memory = dynamic_cast<MemoryDevice*>(&base_)) memory->LoseUnflushedWrites();
    }
    return Status::Internal("flush " + name() + ": Input/output error");
  }
  return base_.Flush();
}

Status FaultyDevice::PunchZeros(uint64_t offset, uint64_t length) {
  SAN_RETURN_IF_ERROR(Tick());
  return base_.PunchZeros(offset, length);
}

Status FaultyDevice::Resize(uint64_t new_size) {
  SAN_RETURN_IF_ERROR(Tick());
  return base_.Resize(new_size);
}

}  // namespace san::blockcopy
