// The stonith proxy's authorization table: which key may fence which node, and nothing else.
#include "libsan/fence/proxy_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "tests/support/fake_apc_pdu.h"

namespace san::fence {
namespace {

using ::testing::HasSubstr;

constexpr char kConfig[] = R"(# sanha stonith proxy
node node1 ip=192.0.2.10,192.0.2.11 plug=pdu1:1,pdu2:1 community=private
node node2 ip=192.0.2.10,192.0.2.11 plug=pdu1:2,pdu2:2 community=private power_timeout=5
allow node1 node2
allow node2 node1
allow admin node1 node2
log /var/log/sanha-stonith.log
)";

class ProxyServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    specs_ = *ParseOptionSpecs(AgentMetadataXml());
    Result<ProxyConfig> c = ParseProxyConfig(kConfig, specs_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
    testing::MakeApcPdu(a_, PduModel::Kind::kRackPdu, {"n1", "n2"}, nullptr);
    testing::MakeApcPdu(b_, PduModel::Kind::kRackPdu, {"n1", "n2"}, nullptr);
    deps_ = {&host_, snmp::FakeFactory({{"192.0.2.10:161", &a_}, {"192.0.2.11:161", &b_}}, &host_),
             nullptr, &log_};
  }
  AgentResult Serve(const std::string& key, const std::string& command) {
    return ServeProxyRequest(config_, key, command, specs_, deps_);
  }
  int64_t State(snmp::FakeSnmpAgent& a, int n) {
    return a.Int(".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4." + std::to_string(n));
  }
  std::vector<OptionSpec> specs_;
  ProxyConfig config_;
  FakeHost host_;
  MemoryLogger log_;
  snmp::FakeSnmpAgent a_{"pdu1"}, b_{"pdu2"};
  AgentDeps deps_;
};

TEST_F(ProxyServerTest, ConfigIsRead) {
  EXPECT_EQ(config_.nodes.size(), 2u);
  EXPECT_EQ(config_.nodes["node2"]["plug"], "pdu1:2,pdu2:2");
  EXPECT_THAT(config_.allow["admin"], ::testing::ElementsAre("node1", "node2"));
  EXPECT_EQ(config_.log_file, "/var/log/sanha-stonith.log");
}

TEST_F(ProxyServerTest, AllowedKeyFencesItsPartner) {
  AgentResult r = Serve("node1", "off node2");
  EXPECT_EQ(r.exit_code, 0) << r.error;
  EXPECT_EQ(State(a_, 2), 2);
  EXPECT_EQ(State(b_, 2), 2);
  EXPECT_EQ(State(a_, 1), 1);
  EXPECT_THAT(log_.Text(), HasSubstr("key node1 off node2: exit 0"));
  EXPECT_EQ(Serve("node1", "status node2").exit_code, 2);
}

TEST_F(ProxyServerTest, KeyCannotFenceItselfOrStrangers) {
  AgentResult r = Serve("node1", "off node1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("key node1 may not fence node1"));
  EXPECT_EQ(State(a_, 1), 1);
  EXPECT_THAT(log_.Text(), HasSubstr("REFUSED key node1 request \"off node1\""));
  EXPECT_EQ(Serve("intruder", "off node2").exit_code, 1);
  EXPECT_EQ(Serve("", "off node2").exit_code, 1);
  EXPECT_TRUE(a_.journal().empty());
}

TEST_F(ProxyServerTest, AnythingButARequestIsRefused) {
  for (const char* bad :
       {"", "off", "off node2 node1", "off node2; rm -rf /", "reboot ../node2", "metadata node2",
        "sh -c id", "off $(id)", "list node2", "off\tnode2\nx"}) {
    AgentResult r = Serve("node1", bad);
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_THAT(r.error, HasSubstr("stonith proxy refused")) << bad;
  }
  EXPECT_TRUE(a_.journal().empty());
}

// An ssh_proxy in a node entry is ignored for monitor as it is for off/on/reboot/status: the
// proxy checks the PDUs itself (it once tried to chain to another proxy for monitor only).
TEST_F(ProxyServerTest, MonitorIgnoresAnSshProxyInANodeEntry) {
  config_.nodes["node2"]["ssh_proxy"] = "elsewhere.example";
  AgentResult r = Serve("admin", "monitor");
  EXPECT_EQ(r.exit_code, 0) << r.error;
  r = Serve("node1", "status node2");
  EXPECT_EQ(r.exit_code, 0) << r.error;
}

TEST_F(ProxyServerTest, ListNamesOnlyTheKeysTargets) {
  EXPECT_EQ(Serve("node1", "list").out, "node2,node2\n");
  EXPECT_EQ(Serve("admin", "list").out, "node1,node1\nnode2,node2\n");
  EXPECT_EQ(Serve("nobody", "list").out, "");
}

TEST_F(ProxyServerTest, BadConfigsAreRejectedWithTheLine) {
  EXPECT_THAT(ParseProxyConfig("node n1 ip=a bogus=1\n", specs_).status().message(),
              HasSubstr("line 1: unknown parameter bogus"));
  EXPECT_THAT(ParseProxyConfig("allow k nodeX\n", specs_).status().message(),
              HasSubstr("unknown node nodeX"));
  EXPECT_THAT(ParseProxyConfig("\nfence everything\n", specs_).status().message(),
              HasSubstr("line 2"));
  EXPECT_THAT(ParseProxyConfig("node n1 ip=a ssh_proxy=b\n", specs_).status().message(),
              HasSubstr("chain"));
}

}  // namespace
}  // namespace san::fence
