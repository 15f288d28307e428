// /proc/net/tcp{,6} parsing on listings captured from the real kernel
// (tests/data/proc-net/capture.sh): established connections only, both families, IPv4-mapped
// peers of dual-stack sockets, and refusal of text that is not the kernel's format.
#include "libsan/net/tcp_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_data.h"

namespace san::net {
namespace {

std::vector<std::string> Describe(const std::vector<TcpConnection>& conns) {
  std::vector<std::string> out;
  for (const auto& c : conns) out.push_back(c.local.ToString() + " " + c.remote.ToString());
  return out;
}

TEST(TcpTableTest, Ipv4EstablishedOnly) {
  Result<std::vector<TcpConnection>> conns =
      ParseProcNetTcp(testing::ReadTestData("proc-net/tcp_established.txt"), Family::kIpv4);
  ASSERT_TRUE(conns.ok()) << conns.status().ToString();
  // The listener (state 0A) is not a connection.
  EXPECT_THAT(
      Describe(*conns),
      ::testing::ElementsAre("192.0.2.1:3260 192.0.2.1:59760", "192.0.2.1:3260 192.0.2.1:59772",
                             "192.0.2.1:35054 192.0.2.2:3261", "192.0.2.1:59760 192.0.2.1:3260",
                             "192.0.2.1:59772 192.0.2.1:3260"));
}

TEST(TcpTableTest, Ipv6AndMappedPeers) {
  Result<std::vector<TcpConnection>> conns =
      ParseProcNetTcp(testing::ReadTestData("proc-net/tcp6_established.txt"), Family::kIpv6);
  ASSERT_TRUE(conns.ok()) << conns.status().ToString();
  EXPECT_THAT(Describe(*conns), ::testing::ElementsAre("192.0.2.2:3261 192.0.2.1:35054",
                                                       "[2001:db8::1]:36098 [2001:db8::1]:3260",
                                                       "[2001:db8::1]:3260 [2001:db8::1]:36098"));
  EXPECT_EQ((*conns)[0].local.address.family, Family::kIpv4);
}

TEST(TcpTableTest, RefusesWhatIsNotTheKernelsFormat) {
  const std::string header =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n";
  const std::vector<std::string> bad = {
      "",
      "garbage\n",
      header + "   0: 010200C0:0CBC 010200C0\n",
      header + "   0: 010200G0:0CBC 010200C0:E970 01\n",
      header + "   0: 010200C0:0CBC 010200C0:E970 1\n",
      header + "   0  010200C0:0CBC 010200C0:E970 01\n",
      header + "   0: 010200C0:0CBCC 010200C0:E970 01\n",
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(ParseProcNetTcp(text, Family::kIpv4).ok()) << text;
  }
  // The IPv6 width in a tcp (IPv4) listing is not an address either.
  EXPECT_FALSE(
      ParseProcNetTcp(testing::ReadTestData("proc-net/tcp6_established.txt"), Family::kIpv4).ok());
  Result<std::vector<TcpConnection>> empty = ParseProcNetTcp(header, Family::kIpv4);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace san::net
