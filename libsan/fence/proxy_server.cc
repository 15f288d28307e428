// The proxy's authorization check. The request is never handed to a shell: it is split into at
// most two plain words, and the words only select entries of the configuration.
#include "libsan/fence/proxy_server.h"

#include <algorithm>

#include "libsan/fence/proxy_client.h"
#include "libsan/util/strings.h"

namespace san::fence {

Result<ProxyConfig> ParseProxyConfig(std::string_view text, const std::vector<OptionSpec>& specs) {
  ProxyConfig c;
  int line_no = 0;
  for (std::string_view rest = text; !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view line = Trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> words = SplitList(line, " \t");
    auto bad = [&](const std::string& why) {
      return Status::InvalidConfig("proxy config line " + std::to_string(line_no) + ": " + why);
    };
    if (words[0] == "node" && words.size() >= 2) {
      if (!IsProxyWord(words[1])) return bad("bad node name " + Printable(words[1]));
      std::string kv;
      for (size_t i = 2; i < words.size(); ++i) kv += words[i] + "\n";
      std::vector<std::string> unknown;
      Result<Values> v = ParseStdin(kv, specs, &unknown);
      if (!v.ok()) return bad(v.status().message());
      if (!unknown.empty()) return bad("unknown parameter " + Printable(unknown.front()));
      if (v->count("ssh_proxy")) return bad("a proxy does not chain to another proxy");
      c.nodes[words[1]] = std::move(*v);
    } else if (words[0] == "allow" && words.size() >= 3) {
      for (size_t i = 1; i < words.size(); ++i) {
        if (!IsProxyWord(words[i])) return bad("bad name " + Printable(words[i]));
      }
      auto& list = c.allow[words[1]];
      list.insert(list.end(), words.begin() + 2, words.end());
    } else if (words[0] == "log" && words.size() == 2) {
      c.log_file = words[1];
    } else {
      return bad("expected 'node NAME key=value...', 'allow KEY NODE...' or 'log FILE'");
    }
  }
  for (const auto& [key, nodes] : c.allow) {
    for (const std::string& n : nodes) {
      if (!c.nodes.count(n))
        return Status::InvalidConfig("proxy config: allow " + key + " names unknown node " + n);
    }
  }
  return c;
}

AgentResult ServeProxyRequest(const ProxyConfig& config, const std::string& key_id,
                              std::string_view original_command,
                              const std::vector<OptionSpec>& specs, const AgentDeps& d) {
  auto refuse = [&](const std::string& why) {
    d.log->Error("stonith proxy: REFUSED key " + Printable(key_id) + " request \"" +
                 Printable(original_command, 128) + "\": " + why);
    return Failure(Status::Permission("stonith proxy refused: " + why));
  };
  if (!IsProxyWord(key_id)) return refuse("no valid --proxy-key in the forced command");
  std::vector<std::string> words;
  for (const std::string& w : SplitList(original_command, " ")) words.push_back(w);
  if (HasControlChars(original_command) || words.empty() || words.size() > 2) {
    return refuse("expected 'ACTION NODE', 'list' or 'monitor'");
  }
  auto allowed_it = config.allow.find(key_id);
  const std::vector<std::string> none;
  const std::vector<std::string>& allowed =
      allowed_it == config.allow.end() ? none : allowed_it->second;
  const std::string& action = words[0];

  if (words.size() == 1 && action == "list") {
    std::string out;
    for (const std::string& n : allowed) out += n + "," + n + "\n";
    d.log->Info("stonith proxy: key " + key_id + " list");
    return {kExitOk, out, {}};
  }
  if (words.size() == 1 && action == "monitor") {
    if (allowed.empty()) return refuse("key may fence no node");
    for (const std::string& n : allowed) {
      Values v = config.nodes.at(n);
      v["action"] = "monitor";
      v.erase("ssh_proxy");  // the proxy talks to the PDUs itself, as for the node actions
      Result<FenceRequest> r = BuildRequest(v, specs, *d.host);
      if (!r.ok()) return Failure(r.status().WithContext("node " + n));
      AgentResult res = RunAction(*r, d);
      if (res.exit_code != kExitOk) return res;
    }
    return {kExitOk, "", {}};
  }
  static const std::vector<std::string> kNodeActions = {"on", "off", "reboot", "status"};
  if (words.size() != 2 ||
      std::find(kNodeActions.begin(), kNodeActions.end(), action) == kNodeActions.end()) {
    return refuse("unknown request");
  }
  const std::string& node = words[1];
  if (!IsProxyWord(node)) return refuse("bad node name");
  if (std::find(allowed.begin(), allowed.end(), node) == allowed.end()) {
    return refuse("key " + key_id + " may not fence " + node);
  }
  Values v = config.nodes.at(node);
  v["action"] = action;
  v.erase("ssh_proxy");
  Result<FenceRequest> r = BuildRequest(v, specs, *d.host);
  if (!r.ok()) return Failure(r.status().WithContext("proxy config for " + node));
  AgentResult res = RunAction(*r, d);
  std::string outcome = res.exit_code == kExitFailed ? "FAILED: " + res.error
                                                     : "exit " + std::to_string(res.exit_code);
  d.log->Log(res.exit_code == kExitFailed ? LogLevel::kError : LogLevel::kInfo,
             "stonith proxy: key " + key_id + " " + action + " " + node + ": " + outcome);
  return res;
}

}  // namespace san::fence
