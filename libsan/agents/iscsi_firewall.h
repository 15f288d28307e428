// The iscsi-firewall agent's handlers: portblock's start/stop meaning (action=block|unblock) on
// top of san::firewall. main() only registers these with an ocf::Agent.
#pragma once

#include <functional>
#include <memory>

#include "libsan/firewall/firewall.h"
#include "libsan/net/tickle.h"
#include "libsan/ocf/agent.h"

namespace san::agents::iscsi_firewall {

struct Config {
  bool block_on_start = true;  // action=block; false for action=unblock
  firewall::BlockSpec spec;
  firewall::BackendKind backend = firewall::BackendKind::kAuto;
  // unblock only: a directory the nodes share where each node records the established
  // connections to `spec` (on start, every monitor and stop), and from which a start sends
  // tickle ACKs to the connections other nodes recorded. "" = no tickles.
  std::string tickle_dir;
  // unblock only: stop resets this node's established connections to `spec` (after re-blocking),
  // so none lingers after the address moves (portblock's reset_local_on_unblock_stop).
  bool reset_local_on_unblock_stop = false;
};

// Parses and checks every parameter; InvalidConfig naming the parameter otherwise.
Result<Config> LoadConfig(const ocf::Params& params);

Status Validate(ocf::Context& ctx);
Status Start(ocf::Context& ctx);
Status Stop(ocf::Context& ctx);

// Start with another sender of tickle ACKs (tests); it is made only when tickles are due.
using SenderFactory = std::function<std::unique_ptr<net::PacketSender>()>;
Status StartWith(ocf::Context& ctx, const SenderFactory& sender);
// block: running when every rule is in place, or when none is and the started unblock partner
// lifted them after this block started (see docs/firewall.md). unblock: running when started here
// and no rule of the spec is in place; it then records the connections for tickles. Partial or
// contradicting states are errors naming the rules involved. At depth 0 with nft, a verdict from an
// exact check is reused while the kernel's ruleset generation is unchanged (nothing was committed
// since); depth 10 always checks the rules.
Result<ocf::RunState> Monitor(ocf::Context& ctx);

// Monitor with another source of the ruleset generation (tests).
using GenerationReader = std::function<Result<uint32_t>()>;
Result<ocf::RunState> MonitorWith(ocf::Context& ctx, const GenerationReader& generation);

}  // namespace san::agents::iscsi_firewall
