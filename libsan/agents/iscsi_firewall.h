// The iscsi-firewall agent's handlers: portblock's start/stop meaning (action=block|unblock) on
// top of san::firewall. main() only registers these with an ocf::Agent.
#pragma once

#include <functional>

#include "libsan/firewall/firewall.h"
#include "libsan/ocf/agent.h"

namespace san::agents::iscsi_firewall {

struct Config {
  bool block_on_start = true;  // action=block; false for action=unblock
  firewall::BlockSpec spec;
  firewall::BackendKind backend = firewall::BackendKind::kAuto;
};

// Parses and checks every parameter; InvalidConfig naming the parameter otherwise.
Result<Config> LoadConfig(const ocf::Params& params);

Status Validate(ocf::Context& ctx);
Status Start(ocf::Context& ctx);
Status Stop(ocf::Context& ctx);
// block: running when every rule is in place. unblock: running when started here and no rule of
// the spec is in place. Partial or contradicting states are errors naming the rules involved.
// At depth 0 with nft, a verdict from an exact check is reused while the kernel's ruleset
// generation is unchanged (nothing was committed since); depth 10 always checks the rules.
Result<ocf::RunState> Monitor(ocf::Context& ctx);

// Monitor with another source of the ruleset generation (tests).
using GenerationReader = std::function<Result<uint32_t>()>;
Result<ocf::RunState> MonitorWith(ocf::Context& ctx, const GenerationReader& generation);

}  // namespace san::agents::iscsi_firewall
