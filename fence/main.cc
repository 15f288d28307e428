// fence_apc_pdu: the program front. Reads options (key=value lines on stdin as pacemaker sends
// them, or the command line), picks the mode by how it was called — fence agent, stonith proxy
// forced command (--proxy), or cluster-glue external plugin (any name not starting with
// "fence_") — prints the protocol text on stdout and exits 0 / 1 / 2.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>

#include "fence/command_line.h"
#include "fence/front_logger.h"
#include "libsan/fence/agent.h"
#include "libsan/fence/glue_plugin.h"
#include "libsan/fence/proxy_server.h"
#include "libsan/host/real_host.h"
#include "libsan/util/strings.h"

extern char** environ;

namespace san::fence {
namespace {

int Emit(const AgentResult& r) {
  std::cout << r.out << std::flush;
  if (!r.error.empty()) std::cerr << r.error << std::endl;
  return r.exit_code;
}

int Fail(const Status& st) { return Emit(Failure(st)); }

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env[std::string(*e, static_cast<size_t>(eq - *e))] = eq + 1;
  }
  return env;
}

LogLevel LevelFor(const Values& v) {
  auto on = [&](const char* k) {
    auto it = v.find(k);
    return it != v.end() && (it->second == "1" || it->second == "true" || it->second == "on");
  };
  // Quiet by default: pacemaker logs any stderr output of a successful agent as a warning.
  return on("verbose") ? LogLevel::kDebug : on("quiet") ? LogLevel::kError : LogLevel::kWarning;
}

int Run(int argc, char** argv) {
  Result<std::vector<OptionSpec>> specs = ParseOptionSpecs(AgentMetadataXml());
  if (!specs.ok()) return Fail(specs.status());
  std::string self = argv[0] ? argv[0] : "fence_apc_pdu";
  self = self.substr(self.rfind('/') == std::string::npos ? 0 : self.rfind('/') + 1);

  if (self.rfind("fence_", 0) != 0) {  // cluster-glue external/ plugin
    std::map<std::string, std::string> env = Environment();
    FrontLogger log(env.count("HA_debug") && env["HA_debug"] != "0" ? LogLevel::kDebug
                                                                    : LogLevel::kInfo);
    RealHost host(ProgramTable::FromEnvironment(environ), &log);
    host.SetDeadline(host.Now() + kMaxOperationTimeout);  // the hard cap of the whole run
    AgentDeps deps{&host, snmp::OpenNetSnmp, remote::OpenLibssh2, &log};
    return Emit(RunGluePlugin(std::vector<std::string>(argv + 1, argv + argc), env, *specs, deps));
  }

  Values values;
  if (argc > 1) {
    Status st = ParseCommandLine(argc, argv, *specs, &values);
    if (!st.ok()) return Fail(st);
  } else {
    // A fence request is a few hundred bytes: more than 1 MiB is not one (and must not grow
    // memory without bound).
    constexpr size_t kMaxStdin = 1 << 20;
    std::string input;
    char buf[4096];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
      input.append(buf, static_cast<size_t>(std::cin.gcount()));
      if (input.size() > kMaxStdin) {
        return Fail(Status::InvalidConfig("stdin is longer than 1 MiB: not a fence request"));
      }
    }
    std::vector<std::string> unknown;
    Result<Values> v = ParseStdin(input, *specs, &unknown);
    if (!v.ok()) return Fail(v.status());
    values = std::move(*v);
    // Like fence-agents, unknown keys are ignored; pacemaker's own (nodename, pcmk_*, CRM_meta_*)
    // silently, anything else (a typo such as "comunity") with a warning.
    std::vector<std::string> suspicious;
    for (const std::string& key : unknown) {
      if (key != "nodename" && key.rfind("pcmk_", 0) != 0 && key.rfind("CRM_meta_", 0) != 0) {
        suspicious.push_back(key);
      }
    }
    if (!suspicious.empty()) {
      FrontLogger(LevelFor(values))
          .Warning("ignoring unknown parameter(s): " + Join(suspicious, ", "));
    }
    // What the caller passed, names only (values may be secrets): shows, for instance, that
    // pacemaker's fencer sends no timeout (see docs/fencing.md).
    std::vector<std::string> keys;
    for (const auto& [key, value] : values) keys.push_back(key);
    keys.insert(keys.end(), unknown.begin(), unknown.end());
    std::sort(keys.begin(), keys.end());
    FrontLogger(LevelFor(values)).Debug("stdin keys: " + Join(keys, " "));
  }
  if (values.count("help")) {
    std::cout << Usage(*specs);
    return kExitOk;
  }
  if (values.count("version")) {
    std::cout << "fence_apc_pdu (sanha) 0.1.0\n";
    return kExitOk;
  }
  FrontLogger log(LevelFor(values));
  RealHost host(ProgramTable::FromEnvironment(environ), &log);
  // The hard cap of the whole run, secret scripts included; each action is bounded tighter by its
  // operation_timeout (RunAction).
  host.SetDeadline(host.Now() + kMaxOperationTimeout);
  AgentDeps deps{&host, snmp::OpenNetSnmp, remote::OpenLibssh2, &log};

  if (values.count("proxy")) {  // forced command of the stonith proxy's authorized key
    std::string path =
        values.count("proxy_config") ? values["proxy_config"] : "/etc/sanha/stonith-proxy.conf";
    Result<std::string> text = host.ReadFile(path);
    if (!text.ok()) return Fail(text.status().WithContext("proxy config"));
    Result<ProxyConfig> config = ParseProxyConfig(*text, *specs);
    if (!config.ok()) return Fail(config.status());
    log.AddProxySinks("fence_apc_pdu-proxy", config->log_file);
    const char* original = getenv("SSH_ORIGINAL_COMMAND");
    return Emit(ServeProxyRequest(*config, values.count("proxy_key") ? values["proxy_key"] : "",
                                  original ? original : "", *specs, deps));
  }

  if (values.count("action") && values["action"] == "metadata") {
    std::cout << AgentMetadataXml();
    return kExitOk;
  }
  Result<FenceRequest> request = BuildRequest(values, *specs, host);
  if (!request.ok()) return Fail(request.status());
  return Emit(RunAction(*request, deps));
}

}  // namespace
}  // namespace san::fence

int main(int argc, char** argv) {
  try {
    return san::fence::Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "Failed: internal error: " << e.what() << std::endl;
    return san::fence::kExitFailed;
  }
}
