// Established TCP connections as the kernel lists them in /proc/net/tcp and /proc/net/tcp6.
// Pure parse of the text (read it through Host); a line that is not the kernel's format is an
// error, never guessed at.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/net/address.h"
#include "libsan/util/status.h"

namespace san::net {

// One end of a connection: a host address (prefix 32 or 128) and a port.
struct Endpoint {
  Network address;
  uint16_t port = 0;
  std::string ToString() const;  // "192.0.2.1:3260", "[2001:db8::1]:3260"
  bool operator==(const Endpoint&) const = default;
  auto operator<=>(const Endpoint&) const = default;
};

struct TcpConnection {
  Endpoint local;
  Endpoint remote;
  bool operator==(const TcpConnection&) const = default;
  auto operator<=>(const TcpConnection&) const = default;
};

// The ESTABLISHED (state 01) connections of a /proc/net/tcp (kIpv4) or /proc/net/tcp6 (kIpv6)
// listing. IPv4-mapped IPv6 addresses in tcp6 (::ffff:a.b.c.d) become IPv4 endpoints.
// Corruption naming the line when the header or a line is not the kernel's format.
Result<std::vector<TcpConnection>> ParseProcNetTcp(std::string_view text, Family family);

}  // namespace san::net
