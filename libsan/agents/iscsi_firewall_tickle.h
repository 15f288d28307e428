// Tickle ACKs and local resets of the iscsi-firewall agent (action=unblock with tickle_dir or
// reset_local_on_unblock_stop). Internal to the agent: see iscsi_firewall.h for the parameters.
#pragma once

#include <string>
#include <vector>

#include "libsan/agents/iscsi_firewall.h"

namespace san::agents::iscsi_firewall {

// Shared with iscsi_firewall.cc: what every rule of a spec looks like in a message, and a hash of
// everything that defines the rules (names the spec in file names and caches).
std::string DescribeRules(const std::vector<firewall::Rule>& rules);
uint64_t SpecKey(const firewall::BlockSpec& spec);

// Writes this node's established connections to the spec into tickle_dir when they changed.
// Failures are logged warnings: a shared directory that is away must not fail the service.
void RecordConnections(ocf::Context& ctx, const Config& cfg);
// Sends three tickle ACKs to every connection any node recorded in tickle_dir (validated).
void SendRecordedTickles(ocf::Context& ctx, const Config& cfg, const SenderFactory& factory);
// Resets this node's established connections to the spec (ss -K); failures are warnings.
void ResetLocalConnections(ocf::Context& ctx, const Config& cfg);

}  // namespace san::agents::iscsi_firewall
