// Pure parsers of tgtadm's `--op show` outputs (tgt 1.0.85 layout) into the RunningState model.
// Exact: every line must be understood; anything else is Corruption naming the line, so a tgt
// with another layout is noticed instead of being misread. Text a remote initiator controls (its
// InitiatorName and alias, printed verbatim, newlines included) never decides what the parser
// believes: lines after it that cannot be where they are become anomalies, not errors.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/target/model.h"
#include "libsan/util/status.h"

namespace san::target::tgt {

// What ParseShowTargets understood.
struct TargetListing {
  std::vector<RunningTarget> targets;
  // "tgtadm output line N: what: 'text'" for each line that cannot be genuine tgt output at its
  // place (a forged line from an initiator name, a name outside the IQN/EUI grammar). Such lines
  // are left out of `targets`; a listing with anomalies must not drive deletions.
  std::vector<std::string> anomalies;
  // tids of "Target N:" lines printed after the first initiator name: an initiator may have
  // forged them. The caller asks the daemon whether each exists and parses again with the
  // missing ones in `forged`.
  std::vector<int> unverified_tids;
  // "Target" lines set aside (tid out of order or repeated), see RunningState::shadowed.
  std::vector<std::pair<int, std::string>> shadowed;
};

// `tgtadm --lld iscsi --op show --mode target`: targets, sessions, LUNs, accounts, ACLs. Lines
// before the first initiator name must all be understood (Corruption otherwise: another tgt
// layout). After it, misplaced lines are anomalies. A "Target N:" line with N in `forged` is an
// anomaly and what follows it is read as the continuation of the target before it.
Result<TargetListing> ParseShowTargets(std::string_view text, const std::set<int>& forged = {});

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
