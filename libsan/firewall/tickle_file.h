// The connection lists behind tickle ACKs: which established connections to a block spec's
// addresses a node had, one file per node in a directory the nodes share (portblock's
// tickle_dir). Pure: the node's own list comes from /proc/net/tcp text, a peer's file is
// untrusted text and is validated line by line against the spec.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libsan/firewall/firewall.h"
#include "libsan/net/tcp_table.h"

namespace san::firewall {

inline constexpr size_t kMaxTickleConnections = 4096;
inline constexpr size_t kMaxTickleFileBytes = 512 * 1024;

// The connections of `all` that belong to `spec`: local address one of its destinations, local
// port in its ports, remote within its sources (when any). Sorted, no duplicates, at most
// kMaxTickleConnections.
std::vector<net::TcpConnection> ConnectionsOf(const BlockSpec& spec,
                                              const std::vector<net::TcpConnection>& all);

// "sanha-tickle 1\n" then "LOCAL_IP LOCAL_PORT REMOTE_IP REMOTE_PORT\n" per connection.
std::string FormatTickleFile(const std::vector<net::TcpConnection>& connections);

struct TickleFile {
  std::vector<net::TcpConnection> connections;  // valid and belonging to the spec
  size_t rejected_lines = 0;                    // malformed or not of the spec: skipped
};
// Corruption when the header is wrong or the text exceeds the caps; single bad lines are
// skipped and counted (one garbled line must not cancel every other tickle).
Result<TickleFile> ParseTickleFile(std::string_view text, const BlockSpec& spec);

// File names: "sanha-tickle-KEY.NODE" with KEY naming the spec and NODE the writer, reduced to
// [A-Za-z0-9._-] (at most 64 characters).
std::string TickleFileName(std::string_view spec_key, std::string_view node);
// Whether `name` is a finished tickle file of `spec_key` (not a temporary of a writer).
bool IsTickleFileOf(std::string_view name, std::string_view spec_key);

}  // namespace san::firewall
