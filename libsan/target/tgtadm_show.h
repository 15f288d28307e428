// Pure parsers of tgtadm's `--op show` outputs (tgt 1.0.85 layout) into the RunningState model.
// Exact: every line must be understood; anything else is Corruption naming the line, so a tgt
// with another layout is noticed instead of being misread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/target/model.h"
#include "libsan/util/status.h"

namespace san::target::tgt {

// `tgtadm --lld iscsi --op show --mode target`: targets, sessions, LUNs, accounts, ACLs.
Result<std::vector<RunningTarget>> ParseShowTargets(std::string_view text);

// `tgtadm --lld iscsi --op show --mode account`: every account name.
Result<std::vector<std::string>> ParseShowAccounts(std::string_view text);

// `tgtadm --lld iscsi --op show --mode system`: the discovery accounts (the "Account
// information:" section; the outgoing one marked " (outgoing)").
struct DiscoveryAccounts {
  std::vector<std::string> incoming;
  std::optional<std::string> outgoing;
};
Result<DiscoveryAccounts> ParseShowSystemAccounts(std::string_view text);

// `tgtadm --lld iscsi --op show --mode target --tid N`: NAME=VALUE lines.
Result<std::map<std::string, std::string>> ParseShowTargetParams(std::string_view text);

// tgt's "Size: N MB" for a backing store of `bytes`: tgt rounds the size down to whole 512-byte
// blocks and prints it in decimal megabytes, rounded to nearest.
uint64_t TgtSizeMb(uint64_t bytes);

}  // namespace san::target::tgt
