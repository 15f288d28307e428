// The SSH leg of a proxied fence request.
#include "libsan/fence/proxy_client.h"

#include <algorithm>

#include "libsan/util/strings.h"

namespace san::fence {

bool IsProxyWord(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

AgentResult RunThroughProxy(const FenceRequest& r, const AgentDeps& d) {
  std::string command = r.action;
  bool per_node = r.action != "list" && r.action != "monitor" && r.action != "list-status";
  if (r.action == "list-status") command = "list";
  if (per_node) {
    if (!IsProxyWord(r.plug)) {
      return Failure(Status::InvalidConfig("through ssh_proxy, plug must be one node name, not " +
                                           Printable(r.plug)));
    }
    command += " " + r.plug;
  }
  remote::SshTarget t;
  t.host = r.ssh_proxy_host;
  t.port = r.ssh_proxy_port;
  t.user = r.ssh_user;
  t.private_key = r.ssh_identity;
  t.known_hosts = r.ssh_known_hosts;
  t.connect_timeout = r.ssh_connect_timeout;
  // The proxy itself waits up to its power_timeout per step; give it room for a reboot.
  t.timeout = std::max<milliseconds>(milliseconds(10'000),
                                     2 * r.power.power_timeout + milliseconds(10'000));
  // Connect, handshake, authentication and every read of the reply end by the operation's
  // deadline: a proxy that accepts and then never answers cannot hold the fencing.
  t.deadline = d.host->deadline();
  if (r.delay.count() > 0) d.host->SleepFor(std::min(r.delay, d.host->TimeLeft()));
  Result<std::unique_ptr<remote::SshSession>> session = d.ssh(t);
  if (!session.ok()) return Failure(session.status());
  d.log->Debug("stonith proxy " + t.host + ": " + command);
  Result<remote::ExecResult> res = (*session)->Exec(command);
  if (!res.ok()) return Failure(res.status());
  // The proxy's verdict is its last stderr line (earlier ones are its log).
  std::string err;
  for (const std::string& line : SplitList(res->err, "\n")) err = line;
  if (res->exit_code == kExitOk || res->exit_code == kExitOff) {
    return {res->exit_code, res->out, err};
  }
  if (err.empty()) err = "stonith proxy " + t.host + " exited " + std::to_string(res->exit_code);
  if (err.rfind("Failed:", 0) != 0) err = "Failed: " + err;
  return {kExitFailed, res->out, err};
}

}  // namespace san::fence
