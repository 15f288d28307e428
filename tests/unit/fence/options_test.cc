// Options from the metadata, pacemaker's stdin form, and request checking.
#include "libsan/fence/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::fence {
namespace {

using ::testing::HasSubstr;

class OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::vector<OptionSpec>> s = ParseOptionSpecs(AgentMetadataXml());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    specs_ = *s;
  }
  const OptionSpec* Find(const std::string& name) {
    for (const OptionSpec& s : specs_) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }
  Result<FenceRequest> Build(const std::string& stdin_text) {
    Result<Values> v = ParseStdin(stdin_text, specs_, &unknown_);
    if (!v.ok()) return v.status();
    return BuildRequest(*v, specs_, host_);
  }
  std::vector<OptionSpec> specs_;
  std::vector<std::string> unknown_;
  FakeHost host_;
};

TEST_F(OptionsTest, SpecsComeFromGetopt) {
  const OptionSpec* ip = Find("ip");
  ASSERT_NE(ip, nullptr);
  EXPECT_EQ(ip->long_name, "ip");
  EXPECT_EQ(ip->short_name, 'a');
  EXPECT_EQ(Find("snmp_priv_passwd")->long_name, "snmp-priv-passwd");
  EXPECT_EQ(Find("snmp_priv_passwd")->short_name, 'P');
  EXPECT_TRUE(Find("verbose")->flag);
  EXPECT_EQ(Find("power_timeout")->default_value, "20");
  EXPECT_THAT(Find("snmp_version")->choices, ::testing::ElementsAre("1", "2c", "3"));
  EXPECT_EQ(Find("port")->long_name, "plug");
}

TEST_F(OptionsTest, PacemakerStdinForm) {
  // What stonithd writes: action, port (the node's outlets via pcmk_host_map), nodename, params.
  Result<FenceRequest> r = Build(
      "action=off\nport=pdu1:5,pdu2:5\nnodename=node2\nip=192.0.2.10,192.0.2.11:1161\n"
      "community=secret\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, "off");
  EXPECT_EQ(r->plug, "pdu1:5,pdu2:5");
  ASSERT_EQ(r->pdus.size(), 2u);
  EXPECT_EQ(r->pdus[1].Address(), "192.0.2.11:1161");
  EXPECT_EQ(r->pdus[0].community, "secret");
  EXPECT_EQ(r->pdus[0].version, snmp::Version::kV2c);  // an explicit community means v2c
  EXPECT_EQ(r->pdus[0].timeout, milliseconds(1000));
  EXPECT_EQ(r->pdus[0].retries, 1);
  EXPECT_EQ(r->power.power_timeout, milliseconds(20'000));
  EXPECT_THAT(unknown_, ::testing::ElementsAre("nodename"));
}

TEST_F(OptionsTest, DeprecatedNamesStillWork) {
  Result<FenceRequest> r =
      Build("option=status\nipaddr=192.0.2.1\nport=3\nlogin=u\npasswd=authpass1\nsnmp_version=3\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->action, "status");
  EXPECT_EQ(r->pdus[0].username, "u");
  EXPECT_EQ(r->pdus[0].auth_password, "authpass1");
  EXPECT_EQ(r->pdus[0].version, snmp::Version::kV3);
}

TEST_F(OptionsTest, TimingOptions) {
  Result<FenceRequest> r = Build(
      "action=reboot\nip=a\nplug=1\nsnmp_timeout=0.5\nsnmp_retries=0\npower_timeout=3\n"
      "power_wait=250ms\ndelay=2\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pdus[0].timeout, milliseconds(500));
  EXPECT_EQ(r->pdus[0].retries, 0);
  EXPECT_EQ(r->power.power_timeout, milliseconds(3000));
  EXPECT_EQ(r->power.power_wait, milliseconds(250));
  EXPECT_EQ(r->delay, milliseconds(2000));
}

TEST_F(OptionsTest, SecretsFromScriptsRunWithoutAShell) {
  host_.Reply({"/usr/local/bin/get-secret", "pdu-auth"}, "authsecret1\nignored\n");
  host_.Reply({"/usr/local/bin/get-secret", "pdu-priv"}, "privsecret1\n");
  Result<FenceRequest> r = Build(
      "action=list\nip=a\nsnmp_version=3\nusername=u\npassword_script=/usr/local/bin/get-secret "
      "pdu-auth\nsnmp_priv_passwd_script=/usr/local/bin/get-secret pdu-priv\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pdus[0].auth_password, "authsecret1");
  EXPECT_EQ(r->pdus[0].priv_password, "privsecret1");
}

TEST_F(OptionsTest, FailingScriptIsAnError) {
  host_.Reply({"/bin/false"}, "", 1, "vault sealed\n");
  Result<FenceRequest> r = Build("action=list\nip=a\nusername=u\npassword_script=/bin/false\n");
  EXPECT_THAT(r.status().message(), HasSubstr("password_script exited 1: vault sealed"));
}

TEST_F(OptionsTest, BadInputIsOneClearError) {
  EXPECT_THAT(Build("action=explode\nip=a\nplug=1\n").status().message(),
              HasSubstr("unknown action"));
  EXPECT_THAT(Build("action=off\nip=a\n").status().message(),
              HasSubstr("plug (or port) is required"));
  EXPECT_THAT(Build("action=off\nplug=1\n").status().message(), HasSubstr("ip is required"));
  EXPECT_THAT(Build("action=off\nip=a\nplug=1\nsnmp_version=4\n").status().message(),
              HasSubstr("snmp_version=4 is not one of 1, 2c, 3"));
  EXPECT_THAT(Build("action=off\nip=a:99999\nplug=1\n").status().message(), HasSubstr("bad port"));
  EXPECT_THAT(Build("action=off\nip=a\nplug=1\npower_timeout=soon\n").status().message(),
              HasSubstr("not a duration"));
  EXPECT_THAT(Build("action=off\nip=a\nplug=1\nsnmp_version=3\n").status().message(),
              HasSubstr("needs username"));
  EXPECT_THAT(Build("garbage\n").status().message(), HasSubstr("without '='"));
}

TEST_F(OptionsTest, IPv6Addresses) {
  Result<FenceRequest> r = Build("action=list\nip=[2001:db8::1]:1161,2001:db8::2\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pdus[0].host, "2001:db8::1");
  EXPECT_EQ(r->pdus[0].port, 1161);
  EXPECT_EQ(r->pdus[1].host, "2001:db8::2");
  EXPECT_EQ(r->pdus[1].port, 161);
}

TEST_F(OptionsTest, ProxyNeedsNoPduAddress) {
  Result<FenceRequest> r = Build("action=reboot\nplug=node2\nssh_proxy=proxy.example:2222\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->ssh_proxy_host, "proxy.example");
  EXPECT_EQ(r->ssh_proxy_port, 2222);
  EXPECT_EQ(r->ssh_user, "stonith");
  EXPECT_EQ(r->ssh_connect_timeout, milliseconds(5000));
  EXPECT_TRUE(r->pdus.empty());
}

TEST(ParseSecondsTest, Forms) {
  EXPECT_EQ(*ParseSeconds("20"), milliseconds(20000));
  EXPECT_EQ(*ParseSeconds("1.5"), milliseconds(1500));
  EXPECT_EQ(*ParseSeconds("0.25"), milliseconds(250));
  EXPECT_EQ(*ParseSeconds("500ms"), milliseconds(500));
  EXPECT_FALSE(ParseSeconds("1.").ok());
  EXPECT_FALSE(ParseSeconds("-1").ok());
  EXPECT_FALSE(ParseSeconds("1.2345").ok());
}

}  // namespace
}  // namespace san::fence
