// Option table from the metadata XML, stdin parsing and request checking.
#include "libsan/fence/options.h"

#include <algorithm>
#include <pugixml.hpp>

#include "libsan/util/strings.h"

namespace san::fence {
namespace {

// fence-agents' historic names that no parameter declares as obsoleted.
const std::map<std::string, std::string> kExtraAliases = {{"option", "action"}};

std::string Get(const Values& v, const std::string& name) {
  auto it = v.find(name);
  return it == v.end() ? std::string() : it->second;
}

// "host", "host:port", "[v6]", "[v6]:port"; a bare IPv6 address has no port.
Status ParseHostPort(const std::string& text, uint16_t default_port, std::string* host,
                     uint16_t* port) {
  *port = default_port;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return Status::InvalidConfig("bad address " + Printable(text));
    *host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return Status::InvalidConfig("bad address " + Printable(text));
      port_text = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    *host = text.substr(0, text.find(':'));
    port_text = text.substr(text.find(':') + 1);
  } else {
    *host = text;
  }
  if (host->empty() || HasControlChars(*host) || host->find_first_of(" \t/") != std::string::npos) {
    return Status::InvalidConfig("bad address " + Printable(text));
  }
  if (!port_text.empty()) {
    Result<int64_t> p = ParseInt64(port_text);
    if (!p.ok() || *p < 1 || *p > 65535) {
      return Status::InvalidConfig("bad port in " + Printable(text));
    }
    *port = static_cast<uint16_t>(*p);
  }
  return Status::Ok();
}

// Runs a *_script value (blank-separated argv, no shell) and returns its first output line.
Result<std::string> RunSecretScript(Host& host, const std::string& name,
                                    const std::string& script) {
  std::vector<std::string> argv = SplitList(script, " \t");
  if (argv.empty()) return Status::InvalidConfig(name + " is empty");
  Result<Output> out = host.Run({argv, "", milliseconds(10'000), {}, {}});
  if (!out.ok()) return out.status().WithContext(name);
  if (out->exit_code != 0) {
    return Status::CommandFailed(name + " exited " + std::to_string(out->exit_code) + ": " +
                                 Printable(out->FirstErrorLine()));
  }
  std::string first = out->out.substr(0, out->out.find('\n'));
  if (!first.empty() && first.back() == '\r') first.pop_back();
  return first;
}

}  // namespace

Result<std::vector<OptionSpec>> ParseOptionSpecs(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return Status::Corruption("bad agent metadata");
  std::vector<OptionSpec> specs;
  for (pugi::xml_node p : doc.child("resource-agent").child("parameters").children("parameter")) {
    OptionSpec s;
    s.name = p.attribute("name").value();
    s.deprecated = std::string_view(p.attribute("deprecated").value()) == "1";
    s.obsoletes = p.attribute("obsoletes").value();
    pugi::xml_node content = p.child("content");
    s.flag = std::string_view(content.attribute("type").value()) == "boolean";
    if (content.attribute("default")) s.default_value = content.attribute("default").value();
    for (pugi::xml_node o : content.children("option"))
      s.choices.push_back(o.attribute("value").value());
    for (const std::string& token : SplitList(p.child("getopt").attribute("mixed").value(), ", ")) {
      if (token.rfind("--", 0) == 0) {
        s.long_name = token.substr(
            2, token.find('=') == std::string::npos ? std::string::npos : token.find('=') - 2);
      } else if (token.size() == 2 && token[0] == '-') {
        s.short_name = token[1];
      }
    }
    if (s.name.empty() || s.long_name.empty())
      return Status::Corruption("metadata parameter without getopt");
    specs.push_back(std::move(s));
  }
  return specs;
}

void Canonicalize(Values& values, const std::vector<OptionSpec>& specs) {
  auto move_to = [&](const std::string& from, const std::string& to) {
    auto it = values.find(from);
    if (it == values.end()) return;
    if (!values.count(to)) values[to] = it->second;
    values.erase(it);
  };
  for (const OptionSpec& s : specs) {
    if (!s.obsoletes.empty()) move_to(s.obsoletes, s.name);
  }
  for (const auto& [from, to] : kExtraAliases) move_to(from, to);
}

Result<Values> ParseStdin(std::string_view text, const std::vector<OptionSpec>& specs,
                          std::vector<std::string>* unknown) {
  Values values;
  for (const std::string& raw : SplitList(text, "\n")) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidConfig("stdin line without '=': " + Printable(line));
    }
    std::string key(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    bool known =
        kExtraAliases.count(key) > 0 ||
        std::any_of(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == key; });
    if (!known) {
      if (unknown) unknown->push_back(key);
      continue;
    }
    // Empty means the default, as if the key were absent (pacemaker sends "key=" for an
    // attribute set to ""): it never overrides a value given under another name either.
    if (value.empty()) continue;
    values[key] = value;
  }
  Canonicalize(values, specs);
  return values;
}

std::string FormatSeconds(std::chrono::milliseconds d) {
  std::string s = std::to_string(d.count() / 1000);
  if (int64_t frac = d.count() % 1000; frac != 0) {
    std::string f = std::to_string(1000 + frac).substr(1);
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s + " s";
}

Result<std::chrono::milliseconds> ParseSeconds(std::string_view text) {
  text = Trim(text);
  size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    std::string whole_text(text.substr(0, dot));
    std::string frac(text.substr(dot + 1));
    Result<int64_t> whole = ParseInt64(whole_text);
    bool digits = !frac.empty() && frac.size() <= 3 &&
                  frac.find_first_not_of("0123456789") == std::string::npos;
    // At most 12 digits of seconds: the milliseconds then cannot overflow.
    if (!whole.ok() || *whole < 0 || whole_text.size() > 12 || !digits) {
      return Status::InvalidConfig("'" + Printable(text) + "' is not a number of seconds");
    }
    while (frac.size() < 3) frac += '0';
    Result<int64_t> f = ParseInt64(frac);
    if (!f.ok())
      return Status::InvalidConfig("'" + Printable(text) + "' is not a number of seconds");
    return std::chrono::milliseconds(*whole * 1000 + *f);
  }
  return ParseDuration(text);
}

namespace {

// A duration option within [min, max] (both in ms), refused with its name and unit otherwise.
Result<std::chrono::milliseconds> Bounded(const Values& v, const std::string& name,
                                          std::chrono::milliseconds min,
                                          std::chrono::milliseconds max) {
  Result<std::chrono::milliseconds> d = ParseSeconds(Get(v, name));
  if (!d.ok()) return d.status().WithContext(name);
  if (*d < min || *d > max) {
    return Status::InvalidConfig(name + "=" + Printable(Get(v, name)) + " is out of range: " +
                                 FormatSeconds(min) + " to " + FormatSeconds(max));
  }
  return *d;
}

}  // namespace

Result<FenceRequest> BuildRequest(const Values& given, const std::vector<OptionSpec>& specs,
                                  Host& host) {
  Values v;
  for (const auto& [key, value] : given) {
    if (!value.empty()) v[key] = value;  // empty means the default
  }
  Canonicalize(v, specs);
  auto given_nonempty = [&](const std::string& key) {
    auto it = given.find(key);
    return it != given.end() && !it->second.empty();
  };
  for (const OptionSpec& s : specs) {
    auto it = v.find(s.name);
    if (it == v.end()) {
      if (s.default_value) v[s.name] = *s.default_value;
      continue;
    }
    if (HasControlChars(it->second))
      return Status::InvalidConfig(s.name + " contains control characters");
    if (!s.choices.empty() &&
        std::find(s.choices.begin(), s.choices.end(), it->second) == s.choices.end()) {
      return Status::InvalidConfig(s.name + "=" + Printable(it->second) + " is not one of " +
                                   Join(s.choices, ", "));
    }
  }
  FenceRequest r;
  r.action = Get(v, "action");
  static const std::vector<std::string> kActions = {"on",      "off",      "reboot",
                                                    "status",  "list",     "list-status",
                                                    "monitor", "metadata", "validate-all"};
  if (std::find(kActions.begin(), kActions.end(), r.action) == kActions.end()) {
    return Status::InvalidConfig("unknown action " + Printable(r.action));
  }
  r.verbose = Get(v, "verbose") == "1" || Get(v, "verbose") == "true";
  r.quiet = Get(v, "quiet") == "1" || Get(v, "quiet") == "true";
  std::string sep = Get(v, "plug_separator");
  if (sep.size() != 1) return Status::InvalidConfig("plug_separator must be one character");
  r.plug_separator = sep[0];
  r.plug = Get(v, "plug");
  bool needs_plug =
      r.action == "on" || r.action == "off" || r.action == "reboot" || r.action == "status";
  if (needs_plug && r.plug.empty())
    return Status::InvalidConfig("plug (or port) is required for " + r.action);

  // Every wait has a ceiling, and all of them together the operation's: an off against a silent
  // PDU once ran for more than 10 minutes (snmp_timeout had no upper bound).
  using std::chrono::milliseconds;
  SAN_ASSIGN_OR_RETURN(r.operation_timeout,
                       Bounded(v, "operation_timeout", milliseconds(1000), kMaxOperationTimeout));
  SAN_ASSIGN_OR_RETURN(r.power.power_timeout,
                       Bounded(v, "power_timeout", milliseconds(0), kMaxPowerTimeout));
  SAN_ASSIGN_OR_RETURN(r.power.power_wait,
                       Bounded(v, "power_wait", milliseconds(0), kMaxPowerWait));
  SAN_ASSIGN_OR_RETURN(r.delay, Bounded(v, "delay", milliseconds(0), kMaxOperationTimeout));
  if (r.delay >= r.operation_timeout) {
    return Status::InvalidConfig("delay=" + Printable(Get(v, "delay")) +
                                 " leaves no time for fencing within operation_timeout=" +
                                 Printable(Get(v, "operation_timeout")));
  }
  SAN_ASSIGN_OR_RETURN(milliseconds snmp_timeout,
                       Bounded(v, "snmp_timeout", milliseconds(10), kMaxSnmpTimeout));
  Result<int64_t> retries = ParseInt64(Get(v, "snmp_retries"));
  if (!retries.ok() || *retries < 0 || *retries > kMaxSnmpRetries) {
    return Status::InvalidConfig("snmp_retries=" + Printable(Get(v, "snmp_retries")) +
                                 " is out of range: 0 to " + std::to_string(kMaxSnmpRetries));
  }
  Result<int64_t> ipport = ParseInt64(Get(v, "ipport"));
  if (!ipport.ok() || *ipport < 1 || *ipport > 65535) {
    return Status::InvalidConfig("ipport=" + Printable(Get(v, "ipport")) +
                                 " is out of range: 1 to 65535");
  }

  if (!Get(v, "ssh_proxy").empty()) {
    SAN_RETURN_IF_ERROR(
        ParseHostPort(Get(v, "ssh_proxy"), 22, &r.ssh_proxy_host, &r.ssh_proxy_port));
    r.ssh_user = Get(v, "ssh_user");
    r.ssh_identity = Get(v, "ssh_identity");
    r.ssh_known_hosts = Get(v, "ssh_known_hosts");
    SAN_ASSIGN_OR_RETURN(r.ssh_connect_timeout, Bounded(v, "ssh_connect_timeout", milliseconds(10),
                                                        kMaxSshConnectTimeout));
    return r;  // the PDUs and their secrets live on the proxy
  }

  bool needs_pdus = r.action != "metadata";
  std::string ip = Get(v, "ip");
  if (needs_pdus && ip.empty()) return Status::InvalidConfig("ip is required (or ssh_proxy)");
  snmp::Target base;
  base.timeout = snmp_timeout;
  base.retries = static_cast<int>(*retries);
  std::string version = Get(v, "snmp_version");
  if (!given_nonempty("snmp_version")) {
    // fence-agents' inference: a user name means v3, an explicit community v2c.
    if (v.count("username")) {
      version = "3";
    } else if (given_nonempty("community")) {
      version = "2c";
    }
  }
  base.version = version == "3"    ? snmp::Version::kV3
                 : version == "2c" ? snmp::Version::kV2c
                                   : snmp::Version::kV1;
  base.community = Get(v, "community");
  base.username = Get(v, "username");
  base.sec_level = Get(v, "snmp_sec_level");
  base.auth_protocol = Get(v, "snmp_auth_prot");
  base.priv_protocol = Get(v, "snmp_priv_prot");
  base.auth_password = Get(v, "password");
  base.priv_password = Get(v, "snmp_priv_passwd");
  if (base.auth_password.empty() && !Get(v, "password_script").empty()) {
    SAN_ASSIGN_OR_RETURN(base.auth_password,
                         RunSecretScript(host, "password_script", Get(v, "password_script")));
  }
  if (base.priv_password.empty() && !Get(v, "snmp_priv_passwd_script").empty()) {
    SAN_ASSIGN_OR_RETURN(base.priv_password, RunSecretScript(host, "snmp_priv_passwd_script",
                                                             Get(v, "snmp_priv_passwd_script")));
  }
  if (base.version == snmp::Version::kV3 && base.username.empty()) {
    return Status::InvalidConfig("snmp_version=3 needs username");
  }
  for (const std::string& item : SplitList(ip, ",")) {
    snmp::Target t = base;
    SAN_RETURN_IF_ERROR(ParseHostPort(item, static_cast<uint16_t>(*ipport), &t.host, &t.port));
    r.pdus.push_back(std::move(t));
    r.pdu_hosts.push_back(item);
  }
  if (needs_pdus && r.pdus.empty()) return Status::InvalidConfig("ip lists no PDU");
  if (r.pdus.size() > 16) return Status::InvalidConfig("at most 16 PDUs per device");
  return r;
}

}  // namespace san::fence
