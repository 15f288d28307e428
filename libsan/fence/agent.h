// The fence agent's actions (fence-agents semantics) on a checked FenceRequest. No printing, no
// exit: the result carries stdout text, a one-line error and the exit code (0 ok, 1 failed,
// 2 status off), for fence/main.cc, the proxy and the cluster-glue front alike.
#pragma once

#include <functional>
#include <string>

#include "libsan/fence/options.h"
#include "libsan/host/host.h"
#include "libsan/remote/ssh_session.h"
#include "libsan/snmp/snmp_client.h"
#include "libsan/util/logger.h"

namespace san::fence {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitOff = 2;

struct AgentResult {
  int exit_code = kExitOk;
  std::string out;    // protocol text for stdout ("Status: OFF\n", list lines)
  std::string error;  // one line for stderr when something failed or was only partly done
};

// What the actions use to reach the world. Not owned; must outlive the call.
struct AgentDeps {
  Host* host = nullptr;
  snmp::ClientFactory snmp;
  remote::SshFactory ssh;  // only used with ssh_proxy
  Logger* log = nullptr;
};

// Runs r.action against the PDUs (or through r.ssh_proxy_host). metadata is the caller's job.
AgentResult RunAction(const FenceRequest& r, const AgentDeps& deps);

// An AgentResult for a failed Status: exit 1, "Failed: <message>".
AgentResult Failure(const Status& status);

}  // namespace san::fence
