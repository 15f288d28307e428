// The iet-target agent's handlers: one resource keeps tgtd in step with one target file.
// start = daemon up + reconcile + verify; stop = hold, close sessions, remove the file's targets,
// stop the daemon if this agent started it; monitor = exact comparison (depth 0 cheap, 10 full);
// reload = apply the file. main() only registers these with an ocf::Agent.
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
// Running when the daemon answers and runs exactly what the file says. Drift is an error whose
// message names each difference; a probe with nothing of the file running is "stopped".
Result<ocf::RunState> Monitor(ocf::Context& ctx);

}  // namespace san::agents::iet_target
