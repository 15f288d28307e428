// Whether Pacemaker considers another node safely down (fenced, or cleanly stopped), so that its
// claim on a volume group may be taken over. Pacemaker itself starts a resource elsewhere only
// once the node that ran it is in that state; the agent asks the same question of `crm_mon`
// rather than trusting that it was called at the right time.
#pragma once

#include <string>
#include <string_view>

#include "libsan/host/host.h"

namespace san::lvm {

struct NodeStatus {
  bool known = false;  // crm_mon lists the node
  bool online = false;
  bool unclean = false;  // lost and not yet fenced
  bool expected_up = false;
};

struct FenceVerdict {
  bool safe = false;   // the node is down and Pacemaker knows it (fenced or shut down cleanly)
  std::string reason;  // why (or why not), for the log and the exit reason
};

// Pure: the status of `node` in `crm_mon --one-shot --output-as=xml` output. Corruption when the
// text is not crm_mon's XML result.
Result<NodeStatus> ParseCrmMonNode(std::string_view xml, const std::string& node);
// Pure: the last successful fencing of `node` ("reboot by node1 at 2026-...") in
// `stonith_admin --history NODE --output-as=xml`, or "" when none is recorded.
Result<std::string> ParseLastFencing(std::string_view xml, const std::string& node);

// Runs crm_mon (and stonith_admin for the log) through `host`. Not safe when crm_mon is missing
// or fails, the node is unknown, online, or unclean.
FenceVerdict CheckNodeDown(Host& host, const std::string& node);

}  // namespace san::lvm
