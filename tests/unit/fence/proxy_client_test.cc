// The client leg of the stonith proxy over a recording SshSession.
#include "libsan/fence/proxy_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::fence {
namespace {

using ::testing::HasSubstr;

struct Recorded {
  remote::SshTarget target;
  std::vector<std::string> commands;
  remote::ExecResult reply;
  Status connect = Status::Ok();
};

class RecordingSession : public remote::SshSession {
 public:
  explicit RecordingSession(Recorded* r) : r_(r) {}
  Result<remote::ExecResult> Exec(const std::string& command) override {
    r_->commands.push_back(command);
    return r_->reply;
  }

 private:
  Recorded* r_;
};

class ProxyClientTest : public ::testing::Test {
 protected:
  AgentResult Run(const std::string& action, const std::string& plug) {
    FenceRequest r;
    r.action = action;
    r.plug = plug;
    r.ssh_proxy_host = "proxy.example";
    r.ssh_proxy_port = 2222;
    r.ssh_user = "stonith";
    r.ssh_identity = "/etc/sanha/id";
    r.ssh_known_hosts = "/etc/sanha/kh";
    r.ssh_connect_timeout = milliseconds(5000);
    AgentDeps d{&host_, nullptr,
                [this](const remote::SshTarget& t) -> Result<std::unique_ptr<remote::SshSession>> {
                  rec_.target = t;
                  if (!rec_.connect.ok()) return rec_.connect;
                  return std::unique_ptr<remote::SshSession>(new RecordingSession(&rec_));
                },
                &log_};
    return RunThroughProxy(r, d);
  }
  FakeHost host_;
  MemoryLogger log_;
  Recorded rec_;
};

TEST_F(ProxyClientTest, SendsActionAndNodeAndPassesTheVerdictOn) {
  rec_.reply = {0, "Success: Powered OFF\n", ""};
  AgentResult r = Run("off", "node2");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "Success: Powered OFF\n");
  EXPECT_THAT(rec_.commands, ::testing::ElementsAre("off node2"));
  EXPECT_EQ(rec_.target.host, "proxy.example");
  EXPECT_EQ(rec_.target.port, 2222);
  EXPECT_EQ(rec_.target.known_hosts, "/etc/sanha/kh");
  EXPECT_EQ(rec_.target.connect_timeout, milliseconds(5000));
}

TEST_F(ProxyClientTest, StatusOffIsExitTwo) {
  rec_.reply = {2, "Status: OFF\n", ""};
  EXPECT_EQ(Run("status", "node2").exit_code, 2);
}

TEST_F(ProxyClientTest, RefusalBecomesAFailureWithTheProxysReason) {
  rec_.reply = {1, "",
                "error: something\nFailed: stonith proxy refused: key node1 may not fence node1\n"};
  AgentResult r = Run("off", "node1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.error, "Failed: stonith proxy refused: key node1 may not fence node1");
}

TEST_F(ProxyClientTest, UnexpectedExitIsAFailure) {
  rec_.reply = {255, "", ""};
  AgentResult r = Run("reboot", "node2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("exited 255"));
}

TEST_F(ProxyClientTest, HostKeyProblemsStopEverything) {
  rec_.connect = Status::Permission("HOST KEY MISMATCH");
  AgentResult r = Run("off", "node2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.error, HasSubstr("HOST KEY MISMATCH"));
  EXPECT_TRUE(rec_.commands.empty());
}

TEST_F(ProxyClientTest, PlugMustBeOneNodeName) {
  for (const char* bad : {"node2 node1", "pdu1:5", "node2;id", ""}) {
    EXPECT_EQ(Run("off", bad).exit_code, 1) << bad;
  }
  EXPECT_TRUE(rec_.commands.empty());
  rec_.reply = {0, "node2,node2\n", ""};
  EXPECT_EQ(Run("list", "").out, "node2,node2\n");
  EXPECT_THAT(rec_.commands, ::testing::ElementsAre("list"));
}

}  // namespace
}  // namespace san::fence
