// Stonith proxy, server side: the program runs as the forced command of an authorized key
// (`command="fence_apc_pdu --proxy --proxy-key=node1"`), reads the client's request from
// SSH_ORIGINAL_COMMAND, checks the per-key authorization table, and only then fences.
//
// Configuration (one entry per line, '#' comments):
//   node NODE key=value...   the fence device of NODE, as fence_apc_pdu stdin parameters
//   allow KEY NODE...        the key KEY may fence these nodes
//   log FILE                 where decisions are appended (also on stderr)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/fence/agent.h"
#include "libsan/fence/options.h"

namespace san::fence {

struct ProxyConfig {
  std::map<std::string, Values> nodes;
  std::map<std::string, std::vector<std::string>> allow;
  std::string log_file;
};

// InvalidConfig (with the line number) on anything it does not understand.
Result<ProxyConfig> ParseProxyConfig(std::string_view text, const std::vector<OptionSpec>& specs);

// Serves one request. Anything but "ACTION NODE" (on, off, reboot, status) or "list" / "monitor",
// from a key allowed to fence NODE, is refused with exit 1 and logged as an error. "list" names
// the nodes the key may fence; "monitor" checks the PDUs of all of them.
AgentResult ServeProxyRequest(const ProxyConfig& config, const std::string& key_id,
                              std::string_view original_command,
                              const std::vector<OptionSpec>& specs, const AgentDeps& d);

}  // namespace san::fence
