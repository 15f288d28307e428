// Tickle files: written by one node, read by another after a takeover. The reader re-parses every
// address and port strictly and keeps only connections to the spec's own addresses and ports, so a
// garbled or planted file cannot make this node send packets anywhere else.
#include "libsan/firewall/tickle_file.h"

#include <algorithm>

#include "libsan/util/strings.h"

namespace san::firewall {

namespace {

constexpr std::string_view kHeader = "sanha-tickle 1";
constexpr std::string_view kTmpMarker = ".tmp.";

bool Contains(const net::Network& net, const net::Network& host) {
  if (net.family != host.family) return false;
  for (int bit = 0; bit < net.prefix; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if ((net.bytes[bit / 8] & mask) != (host.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

bool InPorts(const std::vector<net::PortRange>& ports, uint16_t port) {
  return std::any_of(ports.begin(), ports.end(),
                     [&](const net::PortRange& r) { return port >= r.first && port <= r.last; });
}

// An address a real initiator can have: not unspecified, loopback or multicast.
bool Unicast(const net::Network& a) {
  if (a.family == net::Family::kIpv4) {
    return a.bytes[0] != 0 && a.bytes[0] != 127 && a.bytes[0] < 224;
  }
  bool zero = std::all_of(a.bytes.begin(), a.bytes.end() - 1, [](uint8_t b) { return b == 0; });
  if (zero && (a.bytes[15] == 0 || a.bytes[15] == 1)) return false;  // :: and ::1
  return a.bytes[0] != 0xff;
}

bool Belongs(const BlockSpec& spec, const net::TcpConnection& c) {
  if (!c.local.address.IsHost() || !c.remote.address.IsHost()) return false;
  if (c.local.address.family != c.remote.address.family) return false;
  if (!Unicast(c.remote.address) || c.remote.port == 0) return false;
  if (!InPorts(spec.ports, c.local.port)) return false;
  if (std::none_of(spec.destinations.begin(), spec.destinations.end(),
                   [&](const net::Network& d) { return Contains(d, c.local.address); })) {
    return false;
  }
  return spec.sources.empty() ||
         std::any_of(spec.sources.begin(), spec.sources.end(),
                     [&](const net::Network& s) { return Contains(s, c.remote.address); });
}

bool ParsePort(std::string_view s, uint16_t* out) {
  Result<int64_t> v = ParseInt64(s);
  if (!v.ok() || *v < 1 || *v > 65535 || s.front() == '0') return false;
  *out = static_cast<uint16_t>(*v);
  return true;
}

bool ParseHost(std::string_view s, net::Network* out) {
  if (s.find('/') != std::string_view::npos) return false;
  Result<net::Network> n = net::ParseNetwork(s);
  if (!n.ok() || !n->IsHost()) return false;
  *out = *n;
  return true;
}

}  // namespace

std::vector<net::TcpConnection> ConnectionsOf(const BlockSpec& spec,
                                              const std::vector<net::TcpConnection>& all) {
  std::vector<net::TcpConnection> out;
  for (const net::TcpConnection& c : all)
    if (Belongs(spec, c)) out.push_back(c);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kMaxTickleConnections) out.resize(kMaxTickleConnections);
  return out;
}

std::string FormatTickleFile(const std::vector<net::TcpConnection>& connections) {
  std::string text = std::string(kHeader) + "\n";
  for (const net::TcpConnection& c : connections) {
    text += c.local.address.ToShortString() + " " + std::to_string(c.local.port) + " " +
            c.remote.address.ToShortString() + " " + std::to_string(c.remote.port) + "\n";
  }
  return text;
}

Result<TickleFile> ParseTickleFile(std::string_view text, const BlockSpec& spec) {
  if (text.size() > kMaxTickleFileBytes) {
    return Status::Corruption("tickle file larger than " + std::to_string(kMaxTickleFileBytes) +
                              " bytes");
  }
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos || text.substr(0, nl) != kHeader) {
    return Status::Corruption("not a tickle file (no '" + std::string(kHeader) + "' header)");
  }
  TickleFile file;
  std::vector<net::TcpConnection> found;
  size_t start = nl + 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      ++file.rejected_lines;  // a truncated last line
      break;
    }
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    std::vector<std::string> f = SplitList(line, " ");
    net::TcpConnection c;
    if (f.size() != 4 || HasControlChars(line) || !ParseHost(f[0], &c.local.address) ||
        !ParsePort(f[1], &c.local.port) || !ParseHost(f[2], &c.remote.address) ||
        !ParsePort(f[3], &c.remote.port) || !Belongs(spec, c)) {
      ++file.rejected_lines;
      continue;
    }
    found.push_back(c);
  }
  file.connections = ConnectionsOf(spec, found);
  return file;
}

std::string TickleFileName(std::string_view spec_key, std::string_view node) {
  std::string safe;
  for (char c : node.substr(0, 64)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    safe += ok ? c : '_';
  }
  if (safe.empty() || safe.find(kTmpMarker) != std::string::npos) safe = "node";
  return "sanha-tickle-" + std::string(spec_key) + "." + safe;
}

bool IsTickleFileOf(std::string_view name, std::string_view spec_key) {
  const std::string prefix = "sanha-tickle-" + std::string(spec_key) + ".";
  return name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
         name.find(kTmpMarker) == std::string_view::npos;
}

}  // namespace san::firewall
