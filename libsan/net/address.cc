// Strict address, network and port parsing. inet_pton does the address syntax (no name lookups,
// no "10.1" shorthand, no zone ids); everything printed comes from the parsed bytes via inet_ntop,
// which prints IPv6 the way iptables and nft print it back (lower case, RFC 5952 compression).
#include "libsan/net/address.h"

#include <arpa/inet.h>

#include <algorithm>

#include "libsan/util/strings.h"

namespace san::net {

namespace {

// Longest text worth parsing: a full IPv6 address with an embedded IPv4 tail and a prefix.
constexpr size_t kMaxNetworkText = 64;

std::string Quoted(std::string_view text) { return "'" + Printable(text) + "'"; }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal without sign or blanks, at most `max_digits` digits; -1 when malformed.
int ParseSmallNumber(std::string_view s, size_t max_digits) {
  if (!AllDigits(s) || s.size() > max_digits) return -1;
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

// Clears every bit past `prefix`; returns true when any was set.
bool ClearHostBits(std::array<uint8_t, 16>& bytes, int prefix, int total_bits) {
  bool had_host_bits = false;
  for (int bit = prefix; bit < total_bits; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if (bytes[bit / 8] & mask) {
      had_host_bits = true;
      bytes[bit / 8] = static_cast<uint8_t>(bytes[bit / 8] & ~mask);
    }
  }
  return had_host_bits;
}

template <typename T>
void AppendUnique(std::vector<T>& list, T value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

}  // namespace

std::string Network::ToShortString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  const int af = family == Family::kIpv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes.data(), buf, sizeof(buf)) == nullptr) return "?";
  return IsHost() ? std::string(buf) : std::string(buf) + "/" + std::to_string(prefix);
}

std::string Network::ToString() const {
  // ToShortString() already carries the prefix of a non-host network.
  return IsHost() ? ToShortString() + "/" + std::to_string(prefix) : ToShortString();
}

Result<Network> ParseNetwork(std::string_view text) {
  const std::string what = Quoted(text) + " is not an IPv4/IPv6 address or CIDR";
  if (text.empty() || text.size() > kMaxNetworkText || HasControlChars(text)) {
    return Status::InvalidConfig(what);
  }
  std::string_view address = text;
  std::string_view prefix_text;
  const size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    address = text.substr(0, slash);
    prefix_text = text.substr(slash + 1);
  }
  Network net;
  // inet_pton needs a NUL-terminated string; the copy also keeps it away from the caller's buffer.
  const std::string addr(address);
  const bool v6 = addr.find(':') != std::string::npos;
  net.family = v6 ? Family::kIpv6 : Family::kIpv4;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), net.bytes.data()) != 1) {
    return Status::InvalidConfig(what);
  }
  const int total_bits = v6 ? 128 : 32;
  net.prefix = total_bits;
  if (slash != std::string_view::npos) {
    const int prefix = ParseSmallNumber(prefix_text, 3);
    if (prefix < 0 || prefix > total_bits) {
      return Status::InvalidConfig(Quoted(text) + " has an invalid prefix length (0-" +
                                   std::to_string(total_bits) + ")");
    }
    net.prefix = prefix;
  }
  Network network_part = net;
  if (ClearHostBits(network_part.bytes, net.prefix, total_bits)) {
    return Status::InvalidConfig(Quoted(text) + " has host bits set (the network is " +
                                 network_part.ToString() + ")");
  }
  return net;
}

Result<std::vector<Network>> ParseNetworkList(std::string_view text) {
  std::vector<Network> list;
  for (const std::string& item : SplitList(text, ", \t")) {
    SAN_ASSIGN_OR_RETURN(Network net, ParseNetwork(item));
    AppendUnique(list, net);
  }
  return list;
}

std::string PortRange::ToString(char separator) const {
  std::string text = std::to_string(first);
  if (last != first) text += separator + std::to_string(last);
  return text;
}

Result<PortRange> ParsePortRange(std::string_view text) {
  const std::string bad =
      Quoted(text) + " is not a port or port range (1-65535, as 3260 or 3260:3270)";
  if (text.empty() || HasControlChars(text)) return Status::InvalidConfig(bad);
  std::string_view first_text = text;
  std::string_view last_text = text;
  const size_t sep = text.find_first_of(":-");
  if (sep != std::string_view::npos) {
    first_text = text.substr(0, sep);
    last_text = text.substr(sep + 1);
  }
  const int first = ParseSmallNumber(first_text, 5);
  const int last = ParseSmallNumber(last_text, 5);
  if (first < 0 || last < 0) return Status::InvalidConfig(bad);
  if (first < 1 || first > 65535 || last < 1 || last > 65535) {
    return Status::InvalidConfig(Quoted(text) + " is out of range (ports are 1-65535)");
  }
  if (first > last) {
    return Status::InvalidConfig(Quoted(text) + " is a reversed range (first port > last port)");
  }
  return PortRange{static_cast<uint16_t>(first), static_cast<uint16_t>(last)};
}

Result<std::vector<PortRange>> ParsePortList(std::string_view text) {
  std::vector<PortRange> list;
  for (const std::string& item : SplitList(text, ", \t")) {
    SAN_ASSIGN_OR_RETURN(PortRange range, ParsePortRange(item));
    AppendUnique(list, range);
  }
  if (list.empty()) return Status::InvalidConfig("no port given");
  return list;
}

}  // namespace san::net
