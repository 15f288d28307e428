// State records of the block/unblock pair, kept per node in HA_RSCTMP (tmpfs, gone at reboot):
// each instance's own record (which boot, since when) and the lift record an unblock instance
// leaves for its block partner. Pure: formatting, parsing and the decision; no Host here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libsan/util/status.h"

namespace san::firewall {

// One record: written by the instance itself (own state) or by the unblock partner (lift).
struct HoldRecord {
  std::string boot_id;   // the kernel's boot id when written: a record of another boot is stale
  int64_t since_ns = 0;  // monotonic clock (same boot) when the instance started / lifted
  std::string partner;   // lift records only: path of the unblock instance's own state record
};

// "sanha-iscsi-firewall-hold 1\nboot ID\nsince NS\n[partner PATH\n]".
std::string FormatHoldRecord(const HoldRecord& record);
// Corruption for anything but the exact format (the file may be truncated or foreign).
Result<HoldRecord> ParseHoldRecord(std::string_view text);

// Whether absent block rules were lifted legitimately: the block instance `own` started, a lift
// was recorded after (or at) that start by a partner whose own record `partner` is of this boot
// and is still there. Every record must belong to `boot_id`.
bool LiftCoversBlock(const HoldRecord& own, const std::optional<HoldRecord>& lift,
                     const std::optional<HoldRecord>& partner, std::string_view boot_id);

// Whether `path` may name a partner's own record: a file directly in `state_dir` whose name
// starts with `prefix` and ends with `suffix` (a lift record is local, but never trusted blindly).
bool IsPartnerPath(std::string_view path, std::string_view state_dir, std::string_view prefix,
                   std::string_view suffix);

}  // namespace san::firewall
