// The cluster-glue wrapper: maps plugin operations onto the agent's actions.
#include "libsan/fence/glue_plugin.h"

#include <algorithm>
#include <cctype>

#include "libsan/util/strings.h"

namespace san::fence {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const char kInfoXml[] = R"(<parameters>
<parameter name="hostname" unique="1" required="1">
<content type="string" />
<shortdesc lang="en">Node powered by the outlets</shortdesc>
<longdesc lang="en">The cluster node (uname -n) whose power supplies hang on the outlets below.</longdesc>
</parameter>
<parameter name="ip" unique="0" required="1">
<content type="string" />
<shortdesc lang="en">PDU address(es)</shortdesc>
<longdesc lang="en">Address of the APC PDU, or a comma-separated list (host or host:port) for dual feeds.</longdesc>
</parameter>
<parameter name="plug" unique="0" required="1">
<content type="string" />
<shortdesc lang="en">Outlets</shortdesc>
<longdesc lang="en">Outlet numbers or names, e.g. 5 or pdu1:5,pdu2:5. All are switched off and read back off before success.</longdesc>
</parameter>
<parameter name="community" unique="0" required="0">
<content type="string" default="private" />
<shortdesc lang="en">SNMP community</shortdesc>
<longdesc lang="en">SNMP v1/v2c write community. Any other fence_apc_pdu parameter (snmp_version, username, password, power_timeout, ...) may be set by name in the environment.</longdesc>
</parameter>
</parameters>
)";

}  // namespace

const std::vector<std::string>& GlueConfigNames() {
  static const std::vector<std::string> kNames = {"hostname", "ip", "plug", "community"};
  return kNames;
}

AgentResult RunGluePlugin(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env,
                          const std::vector<OptionSpec>& specs, const AgentDeps& d) {
  if (args.empty()) return Failure(Status::InvalidConfig("no stonith plugin operation given"));
  const std::string& op = args[0];
  auto get = [&](const std::string& k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  if (op == "getconfignames") return {kExitOk, Join(GlueConfigNames(), "\n") + "\n", {}};
  if (op == "getinfo-devid") return {kExitOk, "APC PDU (SNMP, sanha)\n", {}};
  if (op == "getinfo-devname") return {kExitOk, "APC PDU " + get("ip") + "\n", {}};
  if (op == "getinfo-devdescr") {
    return {kExitOk,
            "APC rack PDUs over SNMP (net-snmp in process): every outlet of the node is switched "
            "off and read back off before success; dual feeds are switched off together.\n",
            {}};
  }
  if (op == "getinfo-devurl") return {kExitOk, "https://www.apc.com\n", {}};
  if (op == "getinfo-xml") return {kExitOk, kInfoXml, {}};

  std::string hostname = get("hostname");
  if (hostname.empty()) return Failure(Status::InvalidConfig("hostname is not set"));
  if (op == "gethosts") return {kExitOk, hostname + "\n", {}};

  std::string action;
  if (op == "on" || op == "off") action = op;
  if (op == "reset") action = "reboot";
  if (op == "status") action = "monitor";
  if (action.empty())
    return Failure(Status::InvalidConfig("unknown stonith plugin operation " + Printable(op)));
  if (action != "monitor") {
    if (args.size() < 2) return Failure(Status::InvalidConfig(op + " needs a host"));
    if (Lower(args[1]) != Lower(hostname)) {
      return Failure(
          Status::InvalidConfig("this device powers " + hostname + ", not " + Printable(args[1])));
    }
  }
  Values v;
  for (const OptionSpec& s : specs) {
    auto it = env.find(s.name);
    if (it != env.end() && !it->second.empty()) v[s.name] = it->second;
  }
  // Proxy-side settings make no sense in a plugin (ssh_proxy does: the plug is then the node).
  for (const char* no : {"proxy", "proxy_key", "proxy_config"}) v.erase(no);
  v["action"] = action;
  Result<FenceRequest> r = BuildRequest(v, specs, *d.host);
  if (!r.ok()) return Failure(r.status());
  return RunAction(*r, d);
}

}  // namespace san::fence
