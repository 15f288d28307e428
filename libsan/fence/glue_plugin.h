// cluster-glue `external/` stonith plugin protocol (heartbeat v1 `stonith_host` lines, the
// `stonith` tool): `PLUGIN OP [HOST]` with the device parameters in the environment. The same
// program serves it when installed as /usr/lib/stonith/plugins/external/sanha_apc_pdu.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libsan/fence/agent.h"
#include "libsan/fence/options.h"

namespace san::fence {

// The positional parameters of a stonith_host line, in order (getconfignames).
const std::vector<std::string>& GlueConfigNames();

// Runs one plugin operation: gethosts, on, off, reset, status, getconfignames, getinfo-devid,
// getinfo-devname, getinfo-devdescr, getinfo-devurl, getinfo-xml. `env` holds the parameters
// (hostname, ip, plug, community, and any other fence_apc_pdu parameter by name). A request for
// a host other than `hostname` fails: this device powers only that node.
AgentResult RunGluePlugin(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env,
                          const std::vector<OptionSpec>& specs, const AgentDeps& d);

}  // namespace san::fence
