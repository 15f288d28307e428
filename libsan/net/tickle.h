// Tickle ACKs: after a takeover, a bare ACK from the service address to each initiator that was
// connected to the dead node makes the initiator answer with its real sequence numbers; this
// node's kernel has no socket for that connection and answers RST, so the initiator reconnects at
// once instead of waiting for its next retransmission. The packet builder is pure; PacketSender
// is the seam (a raw socket in production, a recording fake in tests).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/net/tcp_table.h"
#include "libsan/util/status.h"

namespace san::net {

// A whole IP packet (IPv4 or IPv6 header, then a 20-byte TCP header with only ACK set, window
// 1234, no payload) from `from` to `to`, checksums filled in. Both ends of one family.
std::string BuildTcpAck(const Endpoint& from, const Endpoint& to, uint32_t seq, uint32_t ack);

class PacketSender {
 public:
  virtual ~PacketSender() = default;
  // Sends one whole IP packet (as BuildTcpAck makes) towards `to`.
  virtual Status Send(const Endpoint& to, std::string_view packet) = 0;
};

// Raw sockets (IPPROTO_RAW, header included) for both families, opened on first use. Needs
// CAP_NET_RAW: Permission otherwise.
std::unique_ptr<PacketSender> MakeRawPacketSender();

struct TickleReport {
  int connections = 0;
  int packets_sent = 0;
  int packets_failed = 0;
  std::string first_error;  // "" when every packet went out
};

// Sends `rounds` tickle ACKs to each connection's remote end, from its local end (portblock's
// tickle_tcp sends 3). The sequence numbers are deliberately outside any window.
TickleReport SendTickles(PacketSender& sender, const std::vector<TcpConnection>& connections,
                         int rounds = 3);

}  // namespace san::net
