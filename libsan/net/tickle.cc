// Tickle ACK packets, built byte by byte (network order) with RFC 1071 checksums.
#include "libsan/net/tickle.h"

#include <cstring>

namespace san::net {

namespace {

constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kTcpFlagAck = 0x10;
constexpr uint16_t kWindow = 1234;
constexpr size_t kTcpHeader = 20;

void Put16(std::string& b, size_t at, uint16_t v) {
  b[at] = static_cast<char>(v >> 8);
  b[at + 1] = static_cast<char>(v & 0xff);
}
void Put32(std::string& b, size_t at, uint32_t v) {
  Put16(b, at, static_cast<uint16_t>(v >> 16));
  Put16(b, at + 2, static_cast<uint16_t>(v & 0xffff));
}

// One's-complement sum of 16-bit big-endian words, not yet folded.
uint32_t Sum(const uint8_t* data, size_t len, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (static_cast<uint32_t>(data[i]) << 8) | data[i + 1];
  if (len & 1) sum += static_cast<uint32_t>(data[len - 1]) << 8;
  return sum;
}
uint16_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

const uint8_t* Bytes(const std::string& s, size_t at) {
  return reinterpret_cast<const uint8_t*>(s.data()) + at;
}

}  // namespace

std::string BuildTcpAck(const Endpoint& from, const Endpoint& to, uint32_t seq, uint32_t ack) {
  const bool v4 = from.address.family == Family::kIpv4;
  const size_t ip_len = v4 ? 20 : 40;
  const size_t addr_len = v4 ? 4 : 16;
  std::string p(ip_len + kTcpHeader, '\0');
  if (v4) {
    p[0] = 0x45;                                   // version 4, 5 words
    Put16(p, 2, static_cast<uint16_t>(p.size()));  // total length
    p[6] = 0x40;                                   // don't fragment
    p[8] = 64;                                     // TTL
    p[9] = static_cast<char>(kProtoTcp);
    std::memcpy(&p[12], from.address.bytes.data(), 4);
    std::memcpy(&p[16], to.address.bytes.data(), 4);
    Put16(p, 10, Fold(Sum(Bytes(p, 0), 20)));
  } else {
    p[0] = 0x60;                                     // version 6
    Put16(p, 4, static_cast<uint16_t>(kTcpHeader));  // payload length
    p[6] = static_cast<char>(kProtoTcp);             // next header
    p[7] = 64;                                       // hop limit
    std::memcpy(&p[8], from.address.bytes.data(), 16);
    std::memcpy(&p[24], to.address.bytes.data(), 16);
  }
  const size_t t = ip_len;
  Put16(p, t, from.port);
  Put16(p, t + 2, to.port);
  Put32(p, t + 4, seq);
  Put32(p, t + 8, ack);
  p[t + 12] = static_cast<char>(5 << 4);  // data offset: 5 words
  p[t + 13] = static_cast<char>(kTcpFlagAck);
  Put16(p, t + 14, kWindow);
  // Pseudo header: source, destination, protocol, TCP length.
  uint32_t sum = Sum(from.address.bytes.data(), addr_len);
  sum = Sum(to.address.bytes.data(), addr_len, sum);
  sum += kProtoTcp + static_cast<uint32_t>(kTcpHeader);
  sum = Sum(Bytes(p, t), kTcpHeader, sum);
  Put16(p, t + 16, Fold(sum));
  return p;
}

TickleReport SendTickles(PacketSender& sender, const std::vector<TcpConnection>& connections,
                         int rounds) {
  TickleReport report;
  report.connections = static_cast<int>(connections.size());
  for (int round = 0; round < rounds; ++round) {
    for (const TcpConnection& c : connections) {
      // seq/ack 0: outside every window of a live connection, so the peer answers with a
      // duplicate ACK carrying its real numbers (RFC 793 §3.9, RFC 5961 §4).
      Status s = sender.Send(c.remote, BuildTcpAck(c.local, c.remote, 0, 0));
      if (s.ok()) {
        ++report.packets_sent;
      } else {
        ++report.packets_failed;
        if (report.first_error.empty()) report.first_error = s.message();
      }
    }
  }
  return report;
}

}  // namespace san::net
