// The iet-target agent's handlers: one resource keeps tgtd in step with one target file.
// start = daemon up + reconcile + verify; stop = hold, close sessions, remove the file's targets,
// stop the daemon if this agent started it; monitor = exact comparison with what was applied
// (depth 0 cheap, 10 full), file changes reported as pending; reload = apply the file. main() only
// registers these with an ocf::Agent.
#pragma once

#include <string>
#include <vector>

#include "libsan/ocf/agent.h"
#include "libsan/target/backend.h"
#include "libsan/target/reconcile.h"

namespace san::agents::iet_target {

struct Config {
  std::string config_path;
  std::string backend;
  target::BackendOptions backend_options;
  target::ReconcileOptions reconcile;
  bool manage_daemon = true;
};

// Parses and checks every parameter; InvalidConfig naming the parameter otherwise.
Result<Config> LoadConfig(const ocf::Params& params);

Status Validate(ocf::Context& ctx);
Status Start(ocf::Context& ctx);
Status Stop(ocf::Context& ctx);
Status Reload(ocf::Context& ctx);
// Running when the daemon answers and runs what sanha last applied or what the file says. Drift
// (neither) is an error whose message names each difference; a pending change (the file edited,
// a backing device grown, the file unusable while the daemon runs what was applied) is success
// with a warning and, under Pacemaker, the node attribute PendingAttribute(); reload applies it.
// A probe with nothing of the file running is "stopped".
Result<ocf::RunState> Monitor(ocf::Context& ctx);

// The transient node attribute naming a pending change of resource `instance`.
std::string PendingAttribute(const std::string& instance);

}  // namespace san::agents::iet_target
