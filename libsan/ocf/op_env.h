// The operation facts Pacemaker (or heartbeat v1, or an administrator by hand) passes in the
// environment: CRM_meta_timeout, CRM_meta_interval, OCF_CHECK_LEVEL. Pure: text in, checked value
// out; a value that cannot be what its sender meant never makes a deadline land in the past, a
// recurring monitor pass for a probe, or a stop fail.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "libsan/util/status.h"

namespace san::ocf {

// Longest operation bound sanha accepts: a larger CRM_meta_timeout is clamped to it (a deadline
// far enough away never overflows the clock, and no operation needs more than a day).
inline constexpr std::chrono::milliseconds kMaxOperationTimeout = std::chrono::hours(24);

struct OperationBudget {
  // How long the handler may run: the timeout minus a margin of 10% (at most 2 s) so that the
  // agent answers before Pacemaker kills it. Zero when there is no bound.
  std::chrono::milliseconds budget{0};
  // Why the given value was not used as is ("" when it was): clamped, unparsable, not positive.
  std::string note;
};

// CRM_meta_timeout is milliseconds ("20000"); a unit form ("20s", "2min") is accepted too. Absent
// or blank: no bound (budget 0). Unparsable, zero or negative values fall back to
// `metadata_default` (the action's timeout in the meta-data, e.g. "90s"); values above
// kMaxOperationTimeout are clamped to it.
OperationBudget ParseOperationTimeout(std::string_view crm_meta_timeout,
                                      std::string_view metadata_default);

// CRM_meta_interval in milliseconds (or with a unit): a monitor is a probe when it is absent or
// zero ("0", "0s"). Anything unparsable counts as recurring: a failure then stays a failure.
bool IsProbeInterval(std::string_view crm_meta_interval);

// OCF_CHECK_LEVEL: 0, 10 or 20 (other numbers round down to one of them; "" is 0). InvalidConfig
// for text that is not a non-negative integer.
Result<int> ParseCheckLevel(std::string_view ocf_check_level);

}  // namespace san::ocf
