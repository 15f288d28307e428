// The agent's options, read from its metadata XML (metadata/fence/fence_apc_pdu.xml, the single
// source): stdin keys are parameter names, command-line options come from each <getopt>. Then the
// key=value map becomes a checked FenceRequest.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/fence/power.h"
#include "libsan/host/host.h"
#include "libsan/snmp/snmp_client.h"
#include "libsan/util/status.h"

namespace san::fence {

// The agent's embedded metadata XML (generated from metadata/fence/fence_apc_pdu.xml).
std::string_view AgentMetadataXml();

struct OptionSpec {
  std::string name;       // stdin key: "snmp_priv_passwd"
  std::string long_name;  // command line: "snmp-priv-passwd"
  char short_name = 0;    // 'P', 0 when none
  bool flag = false;      // boolean: takes no value
  bool deprecated = false;
  std::string obsoletes;  // the old name this one replaces ("passwd")
  std::optional<std::string> default_value;
  std::vector<std::string> choices;  // for select
};

// Parses the metadata parameters. Corruption when the XML is malformed.
Result<std::vector<OptionSpec>> ParseOptionSpecs(std::string_view xml);

// name → value, as read from stdin or the command line (flags as "1").
using Values = std::map<std::string, std::string>;

// Reads fence-agents' stdin form: "key=value" lines, '#' comments, blanks ignored. Deprecated
// aliases (port, ipaddr, login, passwd, passwd_script, option) map to their new names. Unknown
// keys go to `unknown` (pacemaker also sends nodename and others; they are ignored, not fatal).
Result<Values> ParseStdin(std::string_view text, const std::vector<OptionSpec>& specs,
                          std::vector<std::string>* unknown);

// Maps deprecated names to the names that obsolete them ("port" → "plug").
void Canonicalize(Values& values, const std::vector<OptionSpec>& specs);

// Ceilings of the waits (InvalidConfig above them). Pacemaker passes no timeout to a fence agent
// (its fencer kills the agent at pcmk_<action>_timeout or stonith-timeout), so operation_timeout
// is the agent's own bound of a whole action.
inline constexpr std::chrono::milliseconds kMaxOperationTimeout{600'000};
inline constexpr std::chrono::milliseconds kMaxPowerTimeout{300'000};
inline constexpr std::chrono::milliseconds kMaxPowerWait{60'000};
inline constexpr std::chrono::milliseconds kMaxSnmpTimeout{30'000};
inline constexpr int kMaxSnmpRetries = 10;
inline constexpr std::chrono::milliseconds kMaxSshConnectTimeout{60'000};

struct FenceRequest {
  std::string action;
  std::vector<snmp::Target> pdus;
  std::vector<std::string> pdu_hosts;  // as written in ip, for pduN / ADDRESS prefixes
  std::string plug;
  char plug_separator = ',';
  PowerOptions power;
  std::chrono::milliseconds delay{0};
  // The bound of the whole action: every SNMP request, read-back wait, the delay and the proxy.
  std::chrono::milliseconds operation_timeout{50'000};
  // Stonith proxy client.
  std::string ssh_proxy_host;
  uint16_t ssh_proxy_port = 22;
  std::string ssh_user, ssh_identity, ssh_known_hosts;
  std::chrono::milliseconds ssh_connect_timeout{5000};
  bool verbose = false, quiet = false;
};

// Checks values and builds the request: defaults from the specs (also for keys given empty),
// choices, numbers and durations ("20", "1.5", "500ms") within their ceilings, ip list. *_script
// values run through `host` (argv split on blanks, no shell); their first output line is the
// secret. InvalidConfig with a one-line reason otherwise.
Result<FenceRequest> BuildRequest(const Values& values, const std::vector<OptionSpec>& specs,
                                  Host& host);

// "5 s", "1.5 s", "0.25 s": for messages.
std::string FormatSeconds(std::chrono::milliseconds d);

// Seconds with decimals ("1.5"), or a pacemaker duration ("500ms", "2s").
Result<std::chrono::milliseconds> ParseSeconds(std::string_view text);

}  // namespace san::fence
