// Tickle ACK packets byte by byte: IPv4 and IPv6 headers, a bare ACK with sequence numbers
// outside any window, and checksums verified by an independent summation (a receiver drops a
// packet whose checksum is wrong; the end-to-end proof is tests/integration/firewall_tickle.sh).
#include "libsan/net/tickle.h"

#include <gtest/gtest.h>

#include "libsan/net/fake_packet_sender.h"

namespace san::net {
namespace {

Endpoint Ep(const std::string& addr, uint16_t port) {
  Result<Network> n = ParseNetwork(addr);
  EXPECT_TRUE(n.ok());
  return {*n, port};
}

// RFC 1071 the slow way: a fresh implementation, so a shared bug cannot hide.
uint16_t Verify(const std::vector<uint8_t>& bytes) {
  uint64_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint16_t word = static_cast<uint16_t>(bytes[i] << 8);
    if (i + 1 < bytes.size()) word = static_cast<uint16_t>(word | bytes[i + 1]);
    sum += word;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);  // 0xffff when the embedded checksum is right
}

std::vector<uint8_t> U8(const std::string& s, size_t from, size_t len) {
  return std::vector<uint8_t>(s.begin() + static_cast<long>(from),
                              s.begin() + static_cast<long>(from + len));
}

TEST(TickleTest, Ipv4Ack) {
  const std::string p = BuildTcpAck(Ep("192.0.2.100", 3260), Ep("192.0.2.50", 40000), 0, 0);
  ASSERT_EQ(p.size(), 40u);
  EXPECT_EQ(static_cast<uint8_t>(p[0]), 0x45);
  EXPECT_EQ(static_cast<uint8_t>(p[9]), 6);  // TCP
  EXPECT_EQ(U8(p, 12, 4), (std::vector<uint8_t>{192, 0, 2, 100}));
  EXPECT_EQ(U8(p, 16, 4), (std::vector<uint8_t>{192, 0, 2, 50}));
  EXPECT_EQ(Verify(U8(p, 0, 20)), 0xffff) << "IPv4 header checksum";
  EXPECT_EQ(U8(p, 20, 4), (std::vector<uint8_t>{0x0c, 0xbc, 0x9c, 0x40}));  // 3260 → 40000
  EXPECT_EQ(static_cast<uint8_t>(p[33]), 0x10) << "ACK only";
  EXPECT_EQ(static_cast<uint8_t>(p[32]), 0x50) << "20-byte header";
  std::vector<uint8_t> pseudo = U8(p, 12, 8);
  pseudo.insert(pseudo.end(), {0, 6, 0, 20});
  std::vector<uint8_t> tcp = U8(p, 20, 20);
  pseudo.insert(pseudo.end(), tcp.begin(), tcp.end());
  EXPECT_EQ(Verify(pseudo), 0xffff) << "TCP checksum";
}

TEST(TickleTest, Ipv6Ack) {
  const std::string p =
      BuildTcpAck(Ep("2001:db8::100", 3260), Ep("2001:db8::50", 51234), 0x01020304, 7);
  ASSERT_EQ(p.size(), 60u);
  EXPECT_EQ(static_cast<uint8_t>(p[0]) >> 4, 6);
  EXPECT_EQ(static_cast<uint8_t>(p[5]), 20) << "payload length";
  EXPECT_EQ(static_cast<uint8_t>(p[6]), 6) << "next header TCP";
  EXPECT_EQ(U8(p, 44, 4), (std::vector<uint8_t>{1, 2, 3, 4})) << "seq";
  std::vector<uint8_t> pseudo = U8(p, 8, 32);
  pseudo.insert(pseudo.end(), {0, 0, 0, 20, 0, 0, 0, 6});
  std::vector<uint8_t> tcp = U8(p, 40, 20);
  pseudo.insert(pseudo.end(), tcp.begin(), tcp.end());
  EXPECT_EQ(Verify(pseudo), 0xffff) << "TCP checksum over the IPv6 pseudo header";
}

TEST(TickleTest, SendsThreeRoundsFromTheLocalEnd) {
  FakePacketSender sender;
  std::vector<TcpConnection> conns = {{Ep("192.0.2.100", 3260), Ep("192.0.2.50", 40000)},
                                      {Ep("192.0.2.100", 3260), Ep("192.0.2.51", 40001)}};
  TickleReport r = SendTickles(sender, conns);
  EXPECT_EQ(r.connections, 2);
  EXPECT_EQ(r.packets_sent, 6);
  ASSERT_EQ(sender.sent().size(), 6u);
  EXPECT_EQ(sender.sent()[0].to.ToString(), "192.0.2.50:40000");
  EXPECT_EQ(sender.sent()[1].to.ToString(), "192.0.2.51:40001");
  EXPECT_EQ(sender.sent()[0].packet, BuildTcpAck(conns[0].local, conns[0].remote, 0, 0));
  sender.FailWith(Status::Permission("cannot open a raw socket: Operation not permitted"));
  r = SendTickles(sender, conns, 1);
  EXPECT_EQ(r.packets_failed, 2);
  EXPECT_EQ(r.first_error, "cannot open a raw socket: Operation not permitted");
}

}  // namespace
}  // namespace san::net
