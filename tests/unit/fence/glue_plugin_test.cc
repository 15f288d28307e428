// cluster-glue external/ plugin operations over fake PDUs.
#include "libsan/fence/glue_plugin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/fake_apc_pdu.h"

namespace san::fence {
namespace {

using ::testing::HasSubstr;

class GluePluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    specs_ = *ParseOptionSpecs(AgentMetadataXml());
    testing::MakeApcPdu(a_, PduModel::Kind::kRackPdu, {"n1", "n2"}, nullptr);
    deps_ = {&host_, snmp::FakeFactory({{"192.0.2.10:161", &a_}}, &host_), nullptr, &log_};
  }
  AgentResult Op(std::vector<std::string> args) { return RunGluePlugin(args, env_, specs_, deps_); }
  int64_t State(int n) { return a_.Int(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4." + std::to_string(n)); }

  std::vector<OptionSpec> specs_;
  std::map<std::string, std::string> env_ = {
      {"hostname", "node2"}, {"ip", "192.0.2.10"}, {"plug", "n2"}, {"community", "private"}};
  FakeHost host_;
  MemoryLogger log_;
  snmp::FakeSnmpAgent a_{"pdu1"};
  AgentDeps deps_;
};

TEST_F(GluePluginTest, InfoOperations) {
  EXPECT_EQ(Op({"getconfignames"}).out, "hostname\nip\nplug\ncommunity\n");
  EXPECT_EQ(Op({"gethosts"}).out, "node2\n");
  EXPECT_EQ(Op({"getinfo-devname"}).out, "APC PDU 192.0.2.10\n");
  EXPECT_THAT(Op({"getinfo-xml"}).out, HasSubstr("<parameter name=\"plug\""));
  EXPECT_EQ(Op({"getinfo-devurl"}).exit_code, 0);
  EXPECT_EQ(Op({"getinfo-devid"}).exit_code, 0);
  EXPECT_EQ(Op({"getinfo-devdescr"}).exit_code, 0);
}

TEST_F(GluePluginTest, ResetIsAVerifiedRebootOfTheConfiguredHost) {
  AgentResult r = Op({"reset", "NODE2"});
  EXPECT_EQ(r.exit_code, 0) << r.error;
  EXPECT_THAT(a_.journal(), ::testing::Contains("pdu1 SET .1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.2=2"));
  EXPECT_EQ(State(2), 1);
  EXPECT_EQ(Op({"off", "node2"}).exit_code, 0);
  EXPECT_EQ(State(2), 2);
  EXPECT_EQ(Op({"on", "node2"}).exit_code, 0);
  EXPECT_EQ(State(2), 1);
  EXPECT_EQ(Op({"status"}).exit_code, 0);
}

TEST_F(GluePluginTest, OtherHostsAndOpsAreRefused) {
  AgentResult r = Op({"off", "node1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("powers node2, not node1"));
  EXPECT_EQ(Op({"off"}).exit_code, 1);
  EXPECT_EQ(Op({"explode"}).exit_code, 1);
  EXPECT_EQ(Op({}).exit_code, 1);
  EXPECT_EQ(State(1), 1);
  EXPECT_EQ(State(2), 1);
}

TEST_F(GluePluginTest, DeadPduFailsStatus) {
  a_.dead = true;
  EXPECT_EQ(Op({"status"}).exit_code, 1);
}

}  // namespace
}  // namespace san::fence
