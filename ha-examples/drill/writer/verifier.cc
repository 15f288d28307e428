// Verification of a drill run: the log says what was acknowledged, the image says what is there.
#include "ha-examples/drill/writer/verifier.h"

#include <algorithm>
#include <optional>

#include "ha-examples/drill/writer/block_format.h"

namespace san::drill {
namespace {

struct LbaHistory {
  std::map<uint64_t, uint64_t> submit_us_by_seq;  // every write logged at this LBA
  std::optional<uint64_t> last_acked;
};

void AddProblem(VerifyReport& r, uint64_t lba, bool lost, std::string what) {
  (lost ? r.lost : r.corrupt) += 1;
  if (r.problems.size() < kMaxProblems) r.problems.push_back({lba, lost, std::move(what)});
}

}  // namespace

uint64_t MaxLba(const std::vector<LogEntry>& log) {
  uint64_t max = 0;
  for (const LogEntry& e : log) max = std::max(max, e.lba);
  return max;
}

VerifyReport Verify(std::span<const std::byte> image, size_t block_size,
                    const std::vector<LogEntry>& log) {
  VerifyReport r;
  std::map<uint64_t, LbaHistory> lbas;
  std::optional<uint64_t> previous_ack_us;
  for (const LogEntry& e : log) {
    ++r.writes;
    LbaHistory& h = lbas[e.lba];
    h.submit_us_by_seq[e.seq] = e.submit_us;
    if (!e.ok()) {
      ++r.errors;
      ++r.error_reasons[e.result];
      continue;
    }
    ++r.acked;
    h.last_acked = e.seq;  // the log is in seq order
    if (previous_ack_us && e.done_us - *previous_ack_us > r.longest_gap_us) {
      r.longest_gap_us = e.done_us - *previous_ack_us;
      r.gap_start_us = *previous_ack_us;
    }
    previous_ack_us = e.done_us;
  }
  // The writer has at most one write outstanding: when it was stopped, seq last+1 may have
  // reached the disk without a log line.
  const std::optional<uint64_t> in_flight_seq =
      log.empty() ? std::optional<uint64_t>(0) : log.back().seq + 1;
  const uint64_t last_done_us = log.empty() ? 0 : log.back().done_us;

  for (const auto& [lba, h] : lbas) {
    ++r.lbas_checked;
    DecodedBlock d = DecodeBlock(image.subspan(lba * block_size, block_size), lba);
    if (d.state == BlockState::kBlank) {
      if (h.last_acked) {
        AddProblem(r, lba, true,
                   "last acknowledged seq " + std::to_string(*h.last_acked) + ", found no block");
      }
      continue;
    }
    if (d.state == BlockState::kCorrupt) {
      AddProblem(r, lba, false, d.why);
      continue;
    }
    const uint64_t seq = d.header.seq;
    auto written = h.submit_us_by_seq.find(seq);
    if (written != h.submit_us_by_seq.end()) {
      if (written->second != d.header.submit_us) {
        AddProblem(r, lba, false,
                   "seq " + std::to_string(seq) + " submitted at " +
                       FormatMicros(d.header.submit_us) + ", the log says " +
                       FormatMicros(written->second) + " (a block of another run?)");
        continue;
      }
    } else if (seq == in_flight_seq && d.header.submit_us >= last_done_us) {
      // The write in flight when the writer stopped: fine, it was never acknowledged.
    } else {
      AddProblem(r, lba, false, "seq " + std::to_string(seq) + " was never written at this LBA");
      continue;
    }
    if (h.last_acked && seq < *h.last_acked) {
      AddProblem(r, lba, true,
                 "last acknowledged seq " + std::to_string(*h.last_acked) + ", found seq " +
                     std::to_string(seq));
      continue;
    }
    if (!h.last_acked || seq != *h.last_acked) ++r.unacked_found;
  }
  return r;
}

}  // namespace san::drill
