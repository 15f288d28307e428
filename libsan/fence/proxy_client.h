// Stonith proxy, client side: the agent sends "ACTION NODE" over SSH (libssh2, verified host key,
// key authentication) to the proxy host, whose forced command does the SNMP work; the proxy's
// exit code (0 / 1 / 2) and output become this agent's result.
#pragma once

#include "libsan/fence/agent.h"

namespace san::fence {

AgentResult RunThroughProxy(const FenceRequest& r, const AgentDeps& d);

// Node names and actions travel as plain words: letters, digits, '.', '_', '-' (1..64).
bool IsProxyWord(std::string_view s);

}  // namespace san::fence
