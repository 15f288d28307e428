// Fuzz target: address, network, port and portal parsing (libsan/net/address, target/backend),
// which reads initiator addresses, admin lists and firewall listings. A parsed value prints
// canonically, and what it prints parses back to the same value (printing is what reaches argv and
// nft scripts).
#include <cstdint>
#include <string>

#include "libsan/net/address.h"
#include "libsan/target/backend.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using san::fuzz::Check;
namespace net = san::net;

void CheckNetwork(const net::Network& n) {
  const std::string s = n.ToString();
  Check(s.find_first_not_of("0123456789abcdef.:/") == std::string::npos,
        "non-canonical characters printed", s);
  auto back = net::ParseNetwork(s);
  Check(back.ok() && *back == n, "network does not survive print → parse", s);
  auto short_back = net::ParseNetwork(n.ToShortString());
  Check(short_back.ok() && *short_back == n, "short form does not survive print → parse", s);
}

void CheckPorts(const net::PortRange& p) {
  Check(p.first >= 1 && p.first <= p.last, "port range out of order or zero", p.ToString());
  for (char sep : {':', '-'}) {
    auto back = net::ParsePortRange(p.ToString(sep));
    Check(back.ok() && *back == p, "port range does not survive print → parse", p.ToString());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  if (auto n = net::ParseNetwork(text); n.ok()) CheckNetwork(*n);
  if (auto l = net::ParseNetworkList(text); l.ok()) {
    for (const auto& n : *l) CheckNetwork(n);
  }
  if (auto p = net::ParsePortRange(text); p.ok()) CheckPorts(*p);
  if (auto l = net::ParsePortList(text); l.ok()) {
    Check(!l->empty(), "an empty port list accepted");
    for (const auto& p : *l) CheckPorts(p);
  }
  // Portals (iet-target's `portals`, san-target --portals): printed back, they parse the same.
  if (auto portals = san::target::ParsePortals(text); portals.ok()) {
    std::string printed;
    for (const auto& p : *portals) printed += p.ToString() + ",";
    auto back = san::target::ParsePortals(printed);
    Check(back.ok() && back->size() == portals->size(), "portals do not survive print → parse",
          printed);
    for (size_t i = 0; i < portals->size(); ++i) {
      Check((*back)[i].address == (*portals)[i].address && (*back)[i].port == (*portals)[i].port,
            "a portal changed on print → parse", printed);
    }
  }
  return 0;
}
