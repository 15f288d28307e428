// ParseBlockSpec, ExpandRules, Rule::Describe, ParseBackendKind: pure, no host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/firewall/firewall.h"

namespace san::firewall {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

BlockSpecText Text(std::string ip, std::string source = "", std::string port = "3260") {
  BlockSpecText t;
  t.ip = std::move(ip);
  t.source = std::move(source);
  t.port = std::move(port);
  return t;
}

std::vector<std::string> Described(const BlockSpec& spec) {
  std::vector<std::string> out;
  for (const Rule& r : ExpandRules(spec)) out.push_back(r.Describe());
  return out;
}

TEST(FirewallBlockSpecTest, DefaultsBlockIscsiForBothFamilies) {
  Result<BlockSpec> spec = ParseBlockSpec(BlockSpecText{});
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_TRUE(spec->destinations.empty());
  EXPECT_TRUE(spec->sources.empty());
  EXPECT_THAT(spec->ports, ElementsAre(net::PortRange{3260, 3260}));
  EXPECT_EQ(spec->protocol, Protocol::kTcp);
  EXPECT_EQ(spec->chain, "sanha-iscsi");
  EXPECT_THAT(Described(*spec), ElementsAre("tcp dport 3260 from any to any (ipv4)",
                                            "tcp dport 3260 from any to any (ipv6)"));
}

TEST(FirewallBlockSpecTest, ExpandsEveryCombinationOfOneFamily) {
  BlockSpecText t =
      Text("192.0.2.1, 2001:DB8::1", "10.0.0.0/8 198.51.100.7,2001:db8:1::/48", "3260,3300:3310");
  t.protocol = "udp";
  Result<BlockSpec> spec = ParseBlockSpec(t);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_THAT(Described(*spec),
              ElementsAre("udp dport 3260 from 10.0.0.0/8 to 192.0.2.1/32 (ipv4)",
                          "udp dport 3300-3310 from 10.0.0.0/8 to 192.0.2.1/32 (ipv4)",
                          "udp dport 3260 from 198.51.100.7/32 to 192.0.2.1/32 (ipv4)",
                          "udp dport 3300-3310 from 198.51.100.7/32 to 192.0.2.1/32 (ipv4)",
                          "udp dport 3260 from 2001:db8:1::/48 to 2001:db8::1/128 (ipv6)",
                          "udp dport 3300-3310 from 2001:db8:1::/48 to 2001:db8::1/128 (ipv6)"));
}

TEST(FirewallBlockSpecTest, OneFamilyOnlyWhenOnlyItsAddressesAreGiven) {
  Result<BlockSpec> v4 = ParseBlockSpec(Text("192.0.2.1"));
  ASSERT_TRUE(v4.ok());
  EXPECT_THAT(Described(*v4), ElementsAre("tcp dport 3260 from any to 192.0.2.1/32 (ipv4)"));
  Result<BlockSpec> v6 = ParseBlockSpec(Text("", "2001:db8::/32"));
  ASSERT_TRUE(v6.ok());
  EXPECT_THAT(Described(*v6), ElementsAre("tcp dport 3260 from 2001:db8::/32 to any (ipv6)"));
}

TEST(FirewallBlockSpecTest, SlashZeroMeansAnyOfThatFamily) {
  // iptables -S prints "-s 0.0.0.0/0" as nothing: the rule must be the "any" one to be found.
  Result<BlockSpec> spec = ParseBlockSpec(Text("0.0.0.0/0,192.0.2.1", "0.0.0.0/0"));
  ASSERT_TRUE(spec.ok());
  EXPECT_THAT(Described(*spec), ElementsAre("tcp dport 3260 from any to any (ipv4)",
                                            "tcp dport 3260 from any to 192.0.2.1/32 (ipv4)"));
}

TEST(FirewallBlockSpecTest, FamiliesThatNeverMeetAreAnError) {
  Result<BlockSpec> spec = ParseBlockSpec(Text("192.0.2.1", "2001:db8::/32"));
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), Code::kInvalidConfig);
  EXPECT_THAT(spec.status().message(), StartsWith("ip/source: "));
}

TEST(FirewallBlockSpecTest, ReasonsNameTheParameter) {
  auto reason = [](BlockSpecText t) {
    Result<BlockSpec> spec = ParseBlockSpec(t);
    EXPECT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().code(), Code::kInvalidConfig);
    return spec.status().message();
  };
  EXPECT_EQ(reason(Text("10.0.0.300")), "ip: '10.0.0.300' is not an IPv4/IPv6 address or CIDR");
  EXPECT_EQ(reason(Text("", "10.0.0.1/8")),
            "source: '10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)");
  EXPECT_EQ(reason(Text("", "", "0")), "port: '0' is out of range (ports are 1-65535)");
  EXPECT_EQ(reason(Text("", "", "")), "port: no port given");
  BlockSpecText proto;
  proto.protocol = "icmp";
  EXPECT_EQ(reason(proto), "protocol: 'icmp' is not supported (tcp or udp)");
  BlockSpecText chain;
  chain.chain = "INPUT";
  EXPECT_THAT(reason(chain), StartsWith("chain: 'INPUT' is a built-in chain"));
  EXPECT_EQ(reason(Text(std::string(5000, '1'))),
            "ip: value is too long (5000 characters, at most 4096)");
  EXPECT_EQ(reason(Text("192.0.2.1\n-j ACCEPT")),
            "ip: '192.0.2.1?-j ACCEPT' contains control characters");
}

TEST(FirewallBlockSpecTest, HostileTextIsRefusedOnOneLine) {
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"ip", "192.0.2.1;reboot"},
      {"ip", "$(touch /tmp/x)"},
      {"ip", "`id`"},
      {"ip", std::string("192.0.2.1\0", 10)},
      {"source", "10.0.0.0/8 -j ACCEPT"},
      {"source", "192.0.2.1\r"},
      {"port", "3260;ls"},
      {"port", "3260 -j ACCEPT"},
      {"port", "65536"},
      {"port", "3270-3260"},
      {"port", "junk"},
      {"protocol", "tcp -j ACCEPT"},
      {"protocol", "TCP"},
      {"protocol", ""},
      {"chain", "INPUT -j ACCEPT"},
      {"chain", "-F"},
      {"chain", std::string(29, 'c')},
      {"chain", ""},
      {"chain", "1chain"},
      {"chain", "a;b"},
      {"chain", "a$(x)"},
      {"chain", "DROP"},
      {"ip", std::string(4097, ' ')},
      {"port", "3260\n"},
  };
  for (const auto& [name, value] : hostile) {
    BlockSpecText t;
    if (name == "ip") t.ip = value;
    if (name == "source") t.source = value;
    if (name == "port") t.port = value;
    if (name == "protocol") t.protocol = value;
    if (name == "chain") t.chain = value;
    Result<BlockSpec> spec = ParseBlockSpec(t);
    ASSERT_FALSE(spec.ok()) << name << "=" << value;
    EXPECT_EQ(spec.status().code(), Code::kInvalidConfig);
    EXPECT_THAT(spec.status().message(), StartsWith(name + ": "));
    const std::string m = spec.status().message();
    EXPECT_EQ(m.find_first_of(std::string("\n\r\0", 3)), std::string::npos) << m;
    EXPECT_LT(m.size(), 300u);
  }
}

TEST(FirewallBlockSpecTest, ValidChainNames) {
  const std::vector<std::string> names = {"sanha-iscsi", "iscsi_2", "A.b", "_x",
                                          std::string(28, 'c')};
  for (const std::string& name : names) {
    BlockSpecText t;
    t.chain = name;
    EXPECT_TRUE(ParseBlockSpec(t).ok()) << name;
  }
}

TEST(FirewallBlockSpecTest, TooManyRulesIsAnError) {
  std::string ips, sources;
  for (int i = 1; i <= 40; ++i) ips += "192.0.2." + std::to_string(i) + ",";
  for (int i = 1; i <= 30; ++i) sources += "198.51.100." + std::to_string(i) + ",";
  Result<BlockSpec> spec = ParseBlockSpec(Text(ips, sources));
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), StartsWith("ip/source/port: 1200 rules"));
}

TEST(FirewallBlockSpecTest, DuplicatesCollapse) {
  Result<BlockSpec> spec = ParseBlockSpec(Text("192.0.2.1,192.0.2.1/32", "", "3260,3260-3260"));
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(ExpandRules(*spec).size(), 1u);
}

TEST(FirewallBlockSpecTest, ProtocolAndBackendNames) {
  EXPECT_EQ(ProtocolName(Protocol::kTcp), "tcp");
  EXPECT_EQ(ProtocolName(Protocol::kUdp), "udp");
  EXPECT_EQ(*ParseBackendKind("iptables"), BackendKind::kIptables);
  EXPECT_EQ(*ParseBackendKind("nft"), BackendKind::kNft);
  EXPECT_EQ(*ParseBackendKind("auto"), BackendKind::kAuto);
  Result<BackendKind> bad = ParseBackendKind("ipfw\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidConfig);
  EXPECT_EQ(bad.status().message(), "'ipfw?' is not a firewall backend (iptables, nft, auto)");
}

}  // namespace
}  // namespace san::firewall
