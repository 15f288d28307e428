// NetSnmpClient (the net-snmp side of the SnmpClient seam) against a real snmpd on loopback,
// serving the simulated APC PDU (tests/integration/fence/pdu_sim.py): GET, SET, walks over v1 and
// v2c, v3 USM, and how each failure is classified.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "libsan/snmp/snmp_client.h"

extern char** environ;

namespace san::snmp {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr char kSysObjectId[] = ".1.3.6.1.2.1.1.2.0";
constexpr char kNames[] = ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2";
constexpr char kControl3[] = ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.3";
constexpr char kStatus3[] = ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.3";

uint16_t FreeUdpPort() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// One snmpd for the whole suite, killed by pid and its directory removed at the end.
class NetSnmpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string templ = (std::filesystem::temp_directory_path() / "sanha-snmp-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    std::filesystem::create_directory(dir_ + "/persist");
    std::ofstream(dir_ + "/names") << "1 web1\n2 db1\n3 spare\n4 spare\n";
    port_ = FreeUdpPort();
    std::ofstream(dir_ + "/snmpd.conf")
        << "rwcommunity private 127.0.0.1\n"
        << "sysObjectID .1.3.6.1.4.1.318.1.3.4.5\n"
        << "createUser v3sha512 SHA-512 authpass123 AES-256 privpass123\n"
        << "rwuser v3sha512 priv\n"
        << "pass_persist .1.3.6.1.4.1.318 " << SANHA_SOURCE_DIR
        << "/tests/integration/fence/pdu_sim.py pdu rpdu " << dir_ << "\n";
    std::string persist = "SNMP_PERSISTENT_DIR=" + dir_ + "/persist";
    std::string conf = dir_ + "/snmpd.conf", addr = "udp:127.0.0.1:" + std::to_string(port_);
    std::vector<char*> argv = {const_cast<char*>("snmpd"),
                               const_cast<char*>("-f"),
                               const_cast<char*>("-Lf"),
                               const_cast<char*>("/dev/null"),
                               const_cast<char*>("-C"),
                               const_cast<char*>("-c"),
                               conf.data(),
                               addr.data(),
                               nullptr};
    std::vector<char*> env = {persist.data(), const_cast<char*>("MIBS="),
                              const_cast<char*>("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nullptr};
    ASSERT_EQ(posix_spawnp(&pid_, "snmpd", nullptr, nullptr, argv.data(), env.data()), 0)
        << "snmpd is not installed (package snmpd)";
    for (int i = 0; i < 100; ++i) {
      Result<std::unique_ptr<SnmpClient>> c = OpenNetSnmp(V2c(milliseconds(100), 0));
      if (c.ok() && (*c)->Get({kSysObjectId}).ok()) return;
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "snmpd did not answer on port " << port_;
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static Target V2c(milliseconds timeout = milliseconds(1000), int retries = 1) {
    Target t;
    t.host = "127.0.0.1";
    t.port = port_;
    t.version = Version::kV2c;
    t.community = "private";
    t.timeout = timeout;
    t.retries = retries;
    return t;
  }
  static std::unique_ptr<SnmpClient> Open(const Target& t) {
    Result<std::unique_ptr<SnmpClient>> c = OpenNetSnmp(t);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  static inline std::string dir_;
  static inline uint16_t port_ = 0;
  static inline pid_t pid_ = 0;
};

TEST_F(NetSnmpClientTest, GetReadsTheSysObjectId) {
  Result<std::vector<VarBind>> r = Open(V2c())->Get({kSysObjectId});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type, VarBind::Type::kOid);
  EXPECT_EQ((*r)[0].text, ".1.3.6.1.4.1.318.1.3.4.5");
}

TEST_F(NetSnmpClientTest, SetThenGetInOneRequestEach) {
  std::unique_ptr<SnmpClient> c = Open(V2c());
  ASSERT_TRUE(c->Set({{kControl3, 2}}).ok());
  Result<std::vector<VarBind>> r = c->Get({kStatus3, ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].integer, 2);
  EXPECT_EQ((*r)[1].integer, 1);
  ASSERT_TRUE(c->Set({{kControl3, 1}}).ok());
}

TEST_F(NetSnmpClientTest, MissingObjectsPerVersion) {
  std::string missing = ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.99";
  Result<std::vector<VarBind>> v2 = Open(V2c())->Get({missing});
  ASSERT_TRUE(v2.ok());
  EXPECT_FALSE((*v2)[0].Exists());
  Target v1 = V2c();
  v1.version = Version::kV1;
  EXPECT_EQ(Open(v1)->Get({missing}).status().code(), Code::kNotFound);
}

TEST_F(NetSnmpClientTest, RefusedSetIsCommandFailed) {
  Status st = Open(V2c())->Set({{std::string(kNames) + ".1", 5}});
  EXPECT_EQ(st.code(), Code::kCommandFailed);
  EXPECT_THAT(st.message(), HasSubstr("refused SET"));
}

TEST_F(NetSnmpClientTest, WalksStopAtTheEndOfTheSubtreeOnV1AndV2c) {
  Target v1 = V2c();
  v1.version = Version::kV1;
  for (const Target& t : {V2c(), v1}) {
    Result<std::vector<VarBind>> rows = Open(t)->Walk(kNames, 100);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 4u);
    EXPECT_EQ((*rows)[0].oid, std::string(kNames) + ".1");
    EXPECT_EQ((*rows)[0].text, "web1");
    EXPECT_EQ((*rows)[3].text, "spare");
  }
  EXPECT_EQ(Open(V2c())->Walk(kNames, 2)->size(), 2u);
}

TEST_F(NetSnmpClientTest, WrongCommunityTimesOutAfterTimeoutTimesTries) {
  Target t = V2c(milliseconds(200), 2);
  t.community = "wrong";
  auto start = std::chrono::steady_clock::now();
  Result<std::vector<VarBind>> r = Open(t)->Get({kSysObjectId});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_THAT(r.status().message(), HasSubstr("within 200 ms x 3 tries"));
  EXPECT_GE(took, milliseconds(550));
  EXPECT_LE(took, milliseconds(1500));
}

TEST_F(NetSnmpClientTest, V3WithSha512AndAes256) {
  Target t = V2c();
  t.version = Version::kV3;
  t.username = "v3sha512";
  t.auth_protocol = "SHA512";
  t.auth_password = "authpass123";
  t.priv_protocol = "AES256";
  t.priv_password = "privpass123";
  Result<std::vector<VarBind>> r = Open(t)->Get({kSysObjectId});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  t.auth_password = "wrongpass123";
  Status st = Open(t)->Get({kSysObjectId}).status();
  EXPECT_EQ(st.code(), Code::kCommandFailed);
  EXPECT_THAT(st.message(), HasSubstr("Authentication failure"));
}

TEST_F(NetSnmpClientTest, UnusableV3SettingsAreInvalidConfig) {
  Target t = V2c();
  t.version = Version::kV3;
  t.username = "u";
  t.auth_password = "short";
  EXPECT_EQ(OpenNetSnmp(t).status().code(), Code::kInvalidConfig);
  t.auth_password = "longenough";
  t.auth_protocol = "SHA3";
  EXPECT_EQ(OpenNetSnmp(t).status().code(), Code::kInvalidConfig);
  t.auth_protocol = "SHA";
  t.priv_password = "longenough";
  t.priv_protocol = "3DES";
  EXPECT_EQ(OpenNetSnmp(t).status().code(), Code::kInvalidConfig);
  t.username.clear();
  EXPECT_EQ(OpenNetSnmp(t).status().code(), Code::kInvalidConfig);
}

}  // namespace
}  // namespace san::snmp
