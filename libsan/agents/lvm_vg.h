// The lvm-vg agent's handlers (exclusive VG activation, the amherst_lvm / LVM-activate role) on
// top of san::lvm, plus the `lvm-vg boot-deactivate` helper. main() only registers these.
#pragma once

#include <string>
#include <vector>

#include "libsan/lvm/activation.h"
#include "libsan/lvm/budget.h"
#include "libsan/ocf/agent.h"

namespace san::agents::lvm_vg {

struct Config {
  lvm::VgConfig vg;
  milliseconds budget{0};  // activation_budget; 0 = no budget
};

// Parameters → Config. InvalidConfig naming the parameter. Reads nothing from the machine.
Result<Config> LoadConfig(const ocf::Params& params);
// Completes a Config with this node's identity: the cluster node name (Pacemaker's
// CRM_meta_on_node, else the host name) and, for method=system_id, `lvm systemid`.
Status ResolveIdentity(ocf::Context& ctx, Config* cfg);

Status Validate(ocf::Context& ctx);
Status Start(ocf::Context& ctx);
Status Stop(ocf::Context& ctx);
Result<ocf::RunState> Monitor(ocf::Context& ctx);

// Start/Stop/Monitor with a chosen node-down check and holder roots (tests).
struct Hooks {
  lvm::NodeDownCheck node_down;
  lvm::DeactivateOptions deactivate;
};
Status StartWith(ocf::Context& ctx, const Hooks& hooks);
Status StopWith(ocf::Context& ctx, const Hooks& hooks);

// `lvm-vg boot-deactivate [--tag PREFIX] [VG...]`: deactivates the named VGs, or every VG that
// carries an owner tag "<PREFIX>_*" or a system ID, before the cluster starts, so that no VG is
// ever active on two nodes after a reboot (the original rc.local step). Claims are left alone.
// Returns the process exit code (0, 1 on failure, 2 on bad usage); messages go to `log`.
int BootDeactivate(Host& host, Logger& log, const std::vector<std::string>& args);

}  // namespace san::agents::lvm_vg
