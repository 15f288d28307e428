// Address, network and port parsing: what is accepted, how it prints, and that everything else is
// InvalidConfig with a one-line message.
#include "libsan/net/address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::net {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Canonical(std::string_view text) {
  Result<Network> n = ParseNetwork(text);
  return n.ok() ? n->ToString() : "error: " + n.status().message();
}

TEST(AddressTest, ParsesAndPrintsIpv4) {
  Result<Network> n = ParseNetwork("192.0.2.1");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->family, Family::kIpv4);
  EXPECT_EQ(n->prefix, 32);
  EXPECT_TRUE(n->IsHost());
  EXPECT_EQ(n->ToString(), "192.0.2.1/32");
  EXPECT_EQ(n->ToShortString(), "192.0.2.1");
  EXPECT_EQ(Canonical("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(Canonical("192.0.2.1/32"), "192.0.2.1/32");
  EXPECT_EQ(Canonical("0.0.0.0/0"), "0.0.0.0/0");
  Result<Network> net = ParseNetwork("10.0.0.0/8");
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->ToShortString(), "10.0.0.0/8");
}

TEST(AddressTest, PrintsIpv6TheWayIptablesAndNftDo) {
  EXPECT_EQ(Canonical("2001:DB8::1"), "2001:db8::1/128");
  EXPECT_EQ(Canonical("2001:db8:0:0:0:0:0:1"), "2001:db8::1/128");
  // Two equal zero runs: the first is compressed (nft printed 2001:db8::1:0:0:1 here).
  EXPECT_EQ(Canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1/128");
  EXPECT_EQ(Canonical("2001:DB8:0::/32"), "2001:db8::/32");
  EXPECT_EQ(Canonical("::ffff:1.2.3.4"), "::ffff:1.2.3.4/128");
  EXPECT_EQ(Canonical("::/0"), "::/0");
  Result<Network> n = ParseNetwork("2001:db8::1/128");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->family, Family::kIpv6);
  EXPECT_EQ(n->ToShortString(), "2001:db8::1");
}

TEST(AddressTest, RefusesWhatIsNotAnAddress) {
  for (const char* bad : {"",
                          "10.0.0.300",
                          "10.1",
                          "1.2.3",
                          "1.2.3.4.5",
                          " 1.2.3.4",
                          "1.2.3.4 ",
                          "010.0.0.1",
                          "0x0a.0.0.1",
                          "host.example.com",
                          "localhost",
                          "1.2.3.4/",
                          "1.2.3.4/33",
                          "1.2.3.4/-1",
                          "1.2.3.4/+8",
                          "1.2.3.4/8/8",
                          "1.2.3.4/ 8",
                          "fe80::1%eth0",
                          "2001:db8::/129",
                          "2001:db8:::1",
                          "1.2.3.4;ls",
                          "$(reboot)",
                          "192.0.2.1\n-j ACCEPT"}) {
    Result<Network> n = ParseNetwork(bad);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), Code::kInvalidConfig) << bad;
    EXPECT_EQ(n.status().message().find('\n'), std::string::npos) << n.status().message();
  }
  EXPECT_EQ(ParseNetwork("10.0.0.300").status().message(),
            "'10.0.0.300' is not an IPv4/IPv6 address or CIDR");
  EXPECT_EQ(ParseNetwork(std::string("192.0.2.1\0", 10)).status().code(), Code::kInvalidConfig);
  EXPECT_EQ(ParseNetwork(std::string(5000, '1')).status().message().size() < 200, true);
}

TEST(AddressTest, HostBitsInACidrAreAnError) {
  Result<Network> n = ParseNetwork("10.0.0.1/8");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kInvalidConfig);
  EXPECT_EQ(n.status().message(), "'10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)");
  EXPECT_THAT(ParseNetwork("2001:db8::1/32").status().message(), HasSubstr("2001:db8::/32"));
  EXPECT_FALSE(ParseNetwork("192.0.2.129/25").ok());
  EXPECT_TRUE(ParseNetwork("192.0.2.128/25").ok());
}

TEST(AddressTest, NetworkListsDropDuplicatesAndKeepOrder) {
  Result<std::vector<Network>> list =
      ParseNetworkList("192.0.2.1, 2001:db8::1 192.0.2.1/32,\t10.0.0.0/8");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> texts;
  for (const Network& n : *list) texts.push_back(n.ToString());
  EXPECT_THAT(texts, ElementsAre("192.0.2.1/32", "2001:db8::1/128", "10.0.0.0/8"));
  Result<std::vector<Network>> empty = ParseNetworkList(" , ");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(ParseNetworkList("192.0.2.1,10.0.0.300").ok());
}

TEST(AddressTest, ParsesPortsAndRanges) {
  Result<PortRange> p = ParsePortRange("3260");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (PortRange{3260, 3260}));
  EXPECT_EQ(p->ToString(), "3260");
  Result<PortRange> r = ParsePortRange("3260-3270");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (PortRange{3260, 3270}));
  EXPECT_EQ(r->ToString(), "3260:3270");
  EXPECT_EQ(r->ToString('-'), "3260-3270");
  EXPECT_TRUE(ParsePortRange("3260:3270").ok());
  EXPECT_TRUE(ParsePortRange("1:65535").ok());
  EXPECT_TRUE(ParsePortRange("3260:3260").ok());
}

TEST(AddressTest, RefusesBadPorts) {
  for (const char* bad : {"", "0", "65536", "70000", "3270:3260", "32a", "-1", "+80", ":80",
                          "80:", "1:2:3", "99999999999", " 80", "3260;ls", "0:10", "3260\n"}) {
    Result<PortRange> p = ParsePortRange(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), Code::kInvalidConfig) << bad;
    EXPECT_EQ(p.status().message().find('\n'), std::string::npos);
  }
  EXPECT_EQ(ParsePortRange("70000").status().message(),
            "'70000' is out of range (ports are 1-65535)");
  EXPECT_EQ(ParsePortRange("3270:3260").status().message(),
            "'3270:3260' is a reversed range (first port > last port)");
}

TEST(AddressTest, PortListsAreNeverEmpty) {
  Result<std::vector<PortRange>> list = ParsePortList("3260, 3260 3300-3310,");
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(*list, ElementsAre(PortRange{3260, 3260}, PortRange{3300, 3310}));
  EXPECT_EQ(ParsePortList("").status().message(), "no port given");
  EXPECT_FALSE(ParsePortList(" ,").ok());
}

}  // namespace
}  // namespace san::net
