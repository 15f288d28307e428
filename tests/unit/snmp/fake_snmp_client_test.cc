// The SnmpClient helpers and the recording fake the fence tests rely on.
#include "libsan/snmp/fake_snmp_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::snmp {
namespace {

using ::testing::ElementsAre;

TEST(SnmpClientTest, OidUnderIsAboutWholeArcs) {
  EXPECT_TRUE(OidUnder(".1.3.6.1.4", ".1.3.6.1"));
  EXPECT_FALSE(OidUnder(".1.3.6.1", ".1.3.6.1"));
  EXPECT_FALSE(OidUnder(".1.3.6.10", ".1.3.6.1"));
  EXPECT_FALSE(OidUnder(".1.3.6", ".1.3.6.1"));
}

TEST(SnmpClientTest, AddressBracketsIpv6) {
  Target t;
  t.host = "192.0.2.1";
  EXPECT_EQ(t.Address(), "192.0.2.1:161");
  t.host = "2001:db8::1";
  t.port = 1161;
  EXPECT_EQ(t.Address(), "[2001:db8::1]:1161");
}

TEST(FakeSnmpClientTest, RecordsEveryRequestAndWalksInOidOrder) {
  FakeHost host;
  FakeSnmpAgent agent("pdu1");
  agent.SetString(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2.10", "ten");
  agent.SetString(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2.2", "two");
  agent.SetInt(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2", 1);
  Target t;
  t.host = "a";
  FakeSnmpClient c(&agent, t, &host);
  Result<std::vector<VarBind>> rows = c.Walk(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].text, "two");  // numeric order, not text order
  ASSERT_TRUE(c.Set({{".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2", 2}}).ok());
  EXPECT_EQ(agent.Int(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2"), 2);
  Result<std::vector<VarBind>> missing = c.Get({".1.3.6.1.9"});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE((*missing)[0].Exists());
  EXPECT_THAT(agent.journal(),
              ElementsAre("pdu1 WALK .1.3.6.1.4.1.318.1.1.12.3.3.1.1.2",
                          "pdu1 SET .1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2=2", "pdu1 GET .1.3.6.1.9"));
}

TEST(FakeSnmpClientTest, DeadAgentCostsTheWholeWait) {
  FakeHost host;
  FakeSnmpAgent agent("pdu1");
  agent.dead = true;
  Target t;
  t.host = "a";
  t.timeout = milliseconds(700);
  t.retries = 2;
  FakeSnmpClient c(&agent, t, &host);
  EXPECT_EQ(c.Get({".1.3"}).status().code(), Code::kTimeout);
  EXPECT_EQ(host.total_slept(), milliseconds(2100));
}

}  // namespace
}  // namespace san::snmp
