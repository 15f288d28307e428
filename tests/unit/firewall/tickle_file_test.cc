// Tickle files: what a node records (only connections to the spec), the exact text, and the
// reader's refusal of everything a peer should not be able to make this node tickle.
#include "libsan/firewall/tickle_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::firewall {
namespace {

net::Endpoint Ep(const std::string& a, uint16_t port) { return {*net::ParseNetwork(a), port}; }

BlockSpec Spec(const std::string& ip, const std::string& source = "") {
  BlockSpecText text;
  text.ip = ip;
  text.source = source;
  text.port = "3260,3300:3301";
  Result<BlockSpec> spec = ParseBlockSpec(text);
  EXPECT_TRUE(spec.ok());
  return *spec;
}

TEST(TickleFileTest, RecordsOnlyTheSpecsConnectionsSortedAndUnique) {
  const BlockSpec spec = Spec("192.0.2.1,2001:db8::1", "192.0.2.0/25,2001:db8::/64");
  std::vector<net::TcpConnection> all = {
      {Ep("192.0.2.1", 3260), Ep("192.0.2.9", 5000)},
      {Ep("192.0.2.1", 3260), Ep("192.0.2.9", 5000)},    // duplicate
      {Ep("192.0.2.1", 3301), Ep("192.0.2.8", 5001)},    // range
      {Ep("192.0.2.1", 3302), Ep("192.0.2.8", 5002)},    // other port
      {Ep("192.0.2.2", 3260), Ep("192.0.2.8", 5003)},    // other local address
      {Ep("192.0.2.1", 3260), Ep("192.0.2.200", 5004)},  // initiator outside source
      {Ep("2001:db8::1", 3260), Ep("2001:db8::9", 5005)},
  };
  std::vector<net::TcpConnection> mine = ConnectionsOf(spec, all);
  EXPECT_EQ(FormatTickleFile(mine),
            "sanha-tickle 1\n"
            "192.0.2.1 3260 192.0.2.9 5000\n"
            "192.0.2.1 3301 192.0.2.8 5001\n"
            "2001:db8::1 3260 2001:db8::9 5005\n");
  Result<TickleFile> back = ParseTickleFile(FormatTickleFile(mine), spec);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->connections, mine);
  EXPECT_EQ(back->rejected_lines, 0u);
}

TEST(TickleFileTest, RefusesWholeFilesThatAreNotOurs) {
  const BlockSpec spec = Spec("192.0.2.1");
  EXPECT_FALSE(ParseTickleFile("", spec).ok());
  EXPECT_FALSE(ParseTickleFile("sanha-tickle 2\n", spec).ok());
  EXPECT_FALSE(ParseTickleFile("192.0.2.1 3260 192.0.2.9 5000\n", spec).ok());
  EXPECT_FALSE(
      ParseTickleFile("sanha-tickle 1\n" + std::string(kMaxTickleFileBytes, '#'), spec).ok());
  // More lines than the cap: the rest is dropped.
  std::string many = "sanha-tickle 1\n";
  for (int i = 1; i <= 5000; ++i) many += "192.0.2.1 3260 192.0.2.9 " + std::to_string(i) + "\n";
  Result<TickleFile> capped = ParseTickleFile(many, spec);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->connections.size(), kMaxTickleConnections);
}

TEST(TickleFileTest, NamesAreSafeAndTemporariesAreSkipped) {
  EXPECT_EQ(TickleFileName("00ff", "sp1.example.com"), "sanha-tickle-00ff.sp1.example.com");
  // No "/" survives, so the name stays one file in tickle_dir.
  EXPECT_EQ(TickleFileName("00ff", "../../etc/x"), "sanha-tickle-00ff..._.._etc_x");
  EXPECT_EQ(TickleFileName("00ff", ""), "sanha-tickle-00ff.node");
  EXPECT_EQ(TickleFileName("00ff", "a.tmp.1"), "sanha-tickle-00ff.node");
  EXPECT_TRUE(IsTickleFileOf("sanha-tickle-00ff.sp1", "00ff"));
  EXPECT_FALSE(IsTickleFileOf("sanha-tickle-00ff.sp1.tmp.42", "00ff"));
  EXPECT_FALSE(IsTickleFileOf("sanha-tickle-00fe.sp1", "00ff"));
  EXPECT_FALSE(IsTickleFileOf("sanha-tickle-00ff.", "00ff"));
}

}  // namespace
}  // namespace san::firewall
