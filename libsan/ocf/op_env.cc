// Why this is careful: Pacemaker always sends plain milliseconds, but the same variables reach an
// agent from ocf-tester, heartbeat v1, scripts and administrators. A timeout of 2^63 ms once made
// Now() + timeout overflow into the past, so every command failed at once with Timeout.
#include "libsan/ocf/op_env.h"

#include <algorithm>

#include "libsan/util/strings.h"

namespace san::ocf {
namespace {

using std::chrono::milliseconds;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "000123" → "123", "000" → "0": the length of what is left bounds the value.
std::string_view StripZeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

// A duration in milliseconds: plain digits (any length; clamped) or a unit form. Not OK when it is
// neither.
Result<milliseconds> ParseMillis(std::string_view text) {
  text = Trim(text);
  if (AllDigits(text)) {
    text = StripZeros(text);
    // More digits than kMaxOperationTimeout has: clamped without risking an int64 overflow.
    if (text.size() > 12) return kMaxOperationTimeout;
    Result<int64_t> n = ParseInt64(text);
    if (!n.ok()) return n.status();
    return std::min(milliseconds(*n), kMaxOperationTimeout);
  }
  return ParseDuration(text);
}

std::chrono::milliseconds WithMargin(milliseconds timeout) {
  milliseconds margin = std::min<milliseconds>(timeout / 10, milliseconds(2000));
  return timeout - margin;
}

}  // namespace

OperationBudget ParseOperationTimeout(std::string_view crm_meta_timeout,
                                      std::string_view metadata_default) {
  OperationBudget out;
  milliseconds timeout{0};
  // Absent (heartbeat v1, a hand run): no bound, as before; v1 has no operation timeout, and a VG
  // with a big snapshot can take minutes to activate.
  if (Trim(crm_meta_timeout).empty()) return out;
  {
    Result<milliseconds> given = ParseMillis(crm_meta_timeout);
    if (given.ok() && *given > milliseconds(0)) {
      timeout = *given;
      if (timeout >= kMaxOperationTimeout) {
        timeout = kMaxOperationTimeout;
        out.note = "CRM_meta_timeout '" + Printable(crm_meta_timeout, 40) + "' clamped to 24 h";
      }
    } else {
      out.note = "CRM_meta_timeout '" + Printable(crm_meta_timeout, 40) +
                 "' is not a positive number of milliseconds";
    }
  }
  if (timeout == milliseconds(0)) {
    Result<milliseconds> fallback = ParseMillis(metadata_default);
    if (fallback.ok() && *fallback > milliseconds(0)) {
      timeout = std::min(*fallback, kMaxOperationTimeout);
      if (!out.note.empty())
        out.note += "; using the meta-data timeout " + std::string(metadata_default);
    }
  }
  out.budget = WithMargin(timeout);
  return out;
}

bool IsProbeInterval(std::string_view crm_meta_interval) {
  if (Trim(crm_meta_interval).empty()) return true;
  Result<milliseconds> ms = ParseMillis(crm_meta_interval);
  return ms.ok() && *ms == milliseconds(0);
}

Result<int> ParseCheckLevel(std::string_view ocf_check_level) {
  std::string_view text = Trim(ocf_check_level);
  if (text.empty()) return 0;
  if (!AllDigits(text)) {
    return Status::InvalidConfig("OCF_CHECK_LEVEL '" + Printable(ocf_check_level, 40) +
                                 "' is not 0, 10 or 20");
  }
  text = StripZeros(text);
  if (text.size() > 9) return 20;
  Result<int64_t> n = ParseInt64(text);
  if (!n.ok()) return n.status();
  return *n >= 20 ? 20 : (*n >= 10 ? 10 : 0);
}

}  // namespace san::ocf
