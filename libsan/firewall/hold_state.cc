// Hold records: a tiny line format read back strictly, and the rule that lets a block instance
// tell its partner's legitimate lift from rules removed behind its back.
#include "libsan/firewall/hold_state.h"

#include <vector>

#include "libsan/util/strings.h"

namespace san::firewall {

namespace {

constexpr std::string_view kHeader = "sanha-iscsi-firewall-hold 1";

bool ValidToken(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string FormatHoldRecord(const HoldRecord& record) {
  std::string text = std::string(kHeader) + "\nboot " + record.boot_id + "\nsince " +
                     std::to_string(record.since_ns) + "\n";
  if (!record.partner.empty()) text += "partner " + record.partner + "\n";
  return text;
}

Result<HoldRecord> ParseHoldRecord(std::string_view text) {
  if (text.size() > 4096) return Status::Corruption("hold record larger than 4096 bytes");
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) return Status::Corruption("hold record is truncated");
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 3 || lines.size() > 4 || lines[0] != kHeader) {
    return Status::Corruption("not a hold record");
  }
  HoldRecord record;
  auto value = [&](std::string_view line, std::string_view key) -> std::optional<std::string> {
    if (line.size() <= key.size() + 1 || line.substr(0, key.size()) != key ||
        line[key.size()] != ' ') {
      return std::nullopt;
    }
    std::string_view v = line.substr(key.size() + 1);
    if (!ValidToken(v, 1024)) return std::nullopt;
    return std::string(v);
  };
  std::optional<std::string> boot = value(lines[1], "boot");
  std::optional<std::string> since = value(lines[2], "since");
  if (!boot || !since) return Status::Corruption("hold record lacks boot or since");
  Result<int64_t> ns = ParseInt64(*since);
  if (!ns.ok() || *ns < 0) return Status::Corruption("hold record has a bad time");
  record.boot_id = *boot;
  record.since_ns = *ns;
  if (lines.size() == 4) {
    std::optional<std::string> partner = value(lines[3], "partner");
    if (!partner) return Status::Corruption("hold record has a bad partner line");
    record.partner = *partner;
  }
  return record;
}

bool LiftCoversBlock(const HoldRecord& own, const std::optional<HoldRecord>& lift,
                     const std::optional<HoldRecord>& partner, std::string_view boot_id) {
  if (!lift || !partner) return false;
  if (own.boot_id != boot_id || lift->boot_id != boot_id || partner->boot_id != boot_id) {
    return false;
  }
  // The lift happened after our block was put in place, by a partner started before it lifted
  // and still started now (its stop re-blocks and removes its record).
  return lift->since_ns >= own.since_ns && partner->since_ns <= lift->since_ns;
}

bool IsPartnerPath(std::string_view path, std::string_view state_dir, std::string_view prefix,
                   std::string_view suffix) {
  if (path.size() <= state_dir.size() + 1 || path.substr(0, state_dir.size()) != state_dir ||
      path[state_dir.size()] != '/') {
    return false;
  }
  std::string_view name = path.substr(state_dir.size() + 1);
  if (name.find('/') != std::string_view::npos || name.size() > 255) return false;
  if (name.size() <= prefix.size() + suffix.size()) return false;
  return name.substr(0, prefix.size()) == prefix &&
         name.substr(name.size() - suffix.size()) == suffix;
}

}  // namespace san::firewall
