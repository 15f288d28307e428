// /proc/net/tcp{,6}: "sl local_address rem_address st ...", addresses as the kernel's 32-bit
// words printed in host byte order (%08X each), ports as %04X. The words are copied back into
// memory in host order, which restores the network-order bytes on any endianness.
#include "libsan/net/tcp_table.h"

#include <cstring>

#include "libsan/util/strings.h"

namespace san::net {

namespace {

constexpr std::string_view kEstablished = "01";

bool ParseHex(std::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

// "0100007F:0CBC" (tcp) or 32 hex digits ":" 4 hex digits (tcp6).
bool ParseEndpoint(std::string_view s, Family family, Endpoint* out) {
  const size_t words = family == Family::kIpv4 ? 1 : 4;
  if (s.size() != words * 8 + 5 || s[words * 8] != ':') return false;
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < words; ++i) {
    uint32_t w;
    if (!ParseHex(s.substr(i * 8, 8), &w)) return false;
    std::memcpy(bytes.data() + i * 4, &w, 4);
  }
  uint32_t port;
  if (!ParseHex(s.substr(words * 8 + 1, 4), &port)) return false;
  out->port = static_cast<uint16_t>(port);
  out->address.family = family;
  out->address.prefix = family == Family::kIpv4 ? 32 : 128;
  out->address.bytes = bytes;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family == Family::kIpv6 && std::memcmp(bytes.data(), kMapped, 12) == 0) {
    out->address.family = Family::kIpv4;
    out->address.prefix = 32;
    out->address.bytes = {};
    std::memcpy(out->address.bytes.data(), bytes.data() + 12, 4);
  }
  return true;
}

}  // namespace

std::string Endpoint::ToString() const {
  std::string a = address.ToShortString();
  if (address.family == Family::kIpv6) a = "[" + a + "]";
  return a + ":" + std::to_string(port);
}

Result<std::vector<TcpConnection>> ParseProcNetTcp(std::string_view text, Family family) {
  std::vector<TcpConnection> out;
  size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    std::vector<std::string> f = SplitList(line, " \t");
    if (line_no == 1) {
      if (f.size() < 4 || f[0] != "sl" || f[1] != "local_address" ||
          (f[2] != "rem_address" && f[2] != "remote_address") || f[3] != "st") {
        return Status::Corruption("not a /proc/net/tcp listing: '" + Printable(line) + "'");
      }
      continue;
    }
    if (f.empty()) continue;
    TcpConnection c;
    if (f.size() < 4 || f[0].empty() || f[0].back() != ':' ||
        !ParseEndpoint(f[1], family, &c.local) || !ParseEndpoint(f[2], family, &c.remote) ||
        f[3].size() != 2) {
      return Status::Corruption("line " + std::to_string(line_no) +
                                " of /proc/net/tcp is malformed: '" + Printable(line) + "'");
    }
    if (f[3] == kEstablished) out.push_back(c);
  }
  if (line_no == 0) return Status::Corruption("empty /proc/net/tcp listing");
  return out;
}

}  // namespace san::net
