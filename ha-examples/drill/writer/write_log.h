// The drill writer's log: one line per completed write, `SEQ LBA T_SUBMIT T_DONE RESULT`, times
// as CLOCK_REALTIME seconds with exactly 6 decimals, RESULT `ok` or `err:<reason>`. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::drill {

struct LogEntry {
  uint64_t seq = 0;
  uint64_t lba = 0;
  uint64_t submit_us = 0;  // microseconds since the epoch
  uint64_t done_us = 0;
  std::string result;  // "ok", or the reason of an error ("timeout", "not_ready", ...)
  bool ok() const { return result == "ok"; }
  bool operator==(const LogEntry&) const = default;
};

// "12 12 1764640000.000100 1764640000.002000 ok\n"; an error's reason after "err:". The reason
// must be a valid one (IsReasonWord), the caller guarantees it.
std::string FormatLogLine(const LogEntry& entry);
// "1764640000.000100".
std::string FormatMicros(uint64_t us);

// One lowercase word: [a-z0-9_], 1 to 32 characters, not "ok".
bool IsReasonWord(std::string_view word);

// Parses a whole log. Corruption naming the line number and what is wrong for: a line without
// five single-space-separated fields, a number with a sign, blanks or junk, a time without
// exactly six decimals, T_DONE before T_SUBMIT, a seq not greater than the previous line's, an
// unknown RESULT, or a last line without its newline (a truncated log).
Result<std::vector<LogEntry>> ParseLog(std::string_view text);

}  // namespace san::drill
