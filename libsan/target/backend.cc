// Backend choice and portal parsing.
#include "libsan/target/backend.h"

#include <algorithm>

#include "libsan/net/address.h"
#include "libsan/target/tgt_backend.h"
#include "libsan/util/strings.h"

namespace san::target {

std::string Portal::ToString() const {
  std::string host = address.empty() ? "0.0.0.0" : address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

Result<std::vector<Portal>> ParsePortals(std::string_view text) {
  std::vector<Portal> out;
  for (const std::string& item : SplitList(text, ", \t")) {
    std::string addr = item;
    std::string port;
    if (!addr.empty() && addr[0] == '[') {
      size_t close = addr.find(']');
      if (close == std::string::npos) {
        return Status::InvalidConfig("portal '" + Printable(item) + "': missing ']'");
      }
      if (close + 1 < addr.size()) {
        if (addr[close + 1] != ':') {
          return Status::InvalidConfig("portal '" + Printable(item) + "': expected ]:PORT");
        }
        port = addr.substr(close + 2);
      }
      addr = addr.substr(1, close - 1);
    } else if (std::count(addr.begin(), addr.end(), ':') == 1) {
      port = addr.substr(addr.find(':') + 1);
      addr = addr.substr(0, addr.find(':'));
    }
    Result<net::Network> n = net::ParseNetwork(addr);
    if (!n.ok() || !n->IsHost()) {
      return Status::InvalidConfig("portal '" + Printable(item) + "': not an IP address");
    }
    Portal p;
    p.address = n->ToShortString();
    if (!port.empty()) {
      Result<int64_t> v = ParseInt64(port);
      if (!v.ok() || *v < 1 || *v > 65535) {
        return Status::InvalidConfig("portal '" + Printable(item) + "': bad port");
      }
      p.port = static_cast<int>(*v);
    }
    out.push_back(p);
  }
  return out;
}

Result<std::unique_ptr<TargetBackend>> MakeTargetBackend(std::string_view kind, Host& host,
                                                         Logger& log, BackendOptions options) {
  if (kind == "tgt" || kind == "auto") {
    return std::unique_ptr<TargetBackend>(
        std::make_unique<tgt::TgtBackend>(host, log, std::move(options)));
  }
  return Status::InvalidConfig("backend '" + Printable(kind) + "' is not tgt or auto");
}

}  // namespace san::target
