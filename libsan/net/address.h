// IPv4/IPv6 addresses, CIDR networks and TCP/UDP port ranges, parsed strictly (inet_pton, no
// name lookups) and printed canonically. Printing comes from the parsed bytes, never from the
// caller's text, so a formatted value can go into an argv or an nft script safely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::net {

enum class Family { kIpv4, kIpv6 };

struct Network {
  Family family = Family::kIpv4;
  std::array<uint8_t, 16> bytes{};  // network address, host bits cleared; v4 uses the first 4
  int prefix = 32;                  // 0..32 or 0..128

  // "192.0.2.1/32", "10.0.0.0/8", "2001:db8::/32" — always with the prefix, lower-case.
  std::string ToString() const;
  // Without "/32" or "/128" for single hosts (what nft prints).
  std::string ToShortString() const;
  bool IsHost() const { return prefix == (family == Family::kIpv4 ? 32 : 128); }
  bool operator==(const Network&) const = default;
  auto operator<=>(const Network&) const = default;
};

// "192.0.2.1", "10.0.0.0/8", "2001:db8::1", "2001:db8::/32". Host bits set in a CIDR are an
// InvalidConfig error (10.0.0.1/8 is ambiguous: a typo or a host?).
Result<Network> ParseNetwork(std::string_view text);
// A list separated by commas and/or blanks; empty text gives an empty list. Duplicates removed,
// order kept.
Result<std::vector<Network>> ParseNetworkList(std::string_view text);

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  std::string ToString(char separator = ':') const;  // "3260" or "3260:3270" (nft uses '-')
  bool operator==(const PortRange&) const = default;
  auto operator<=>(const PortRange&) const = default;
};

// "3260", "3260:3270", "3260-3270"; 1..65535, first <= last.
Result<PortRange> ParsePortRange(std::string_view text);
// Comma and/or blank separated list; must not be empty. Duplicates removed, order kept.
Result<std::vector<PortRange>> ParsePortList(std::string_view text);

}  // namespace san::net
