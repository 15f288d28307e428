// The firewall backends against the real iptables (nf_tables and legacy) and nft. Each test body
// runs in a forked child that first moves into a fresh network namespace, so the host's rules are
// never read or touched; the child reports through gtest's output and its exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "libsan/firewall/firewall.h"
#include "libsan/host/real_host.h"

namespace san::firewall {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Variant {
  const char* name;  // test parameter name
  BackendKind kind;
  bool legacy;  // iptables-legacy/ip6tables-legacy instead of the nf_tables variant
};

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

BlockSpec Spec(std::string ip, std::string source = "", std::string port = "3260") {
  BlockSpecText text;
  text.ip = std::move(ip);
  text.source = std::move(source);
  text.port = std::move(port);
  Result<BlockSpec> spec = ParseBlockSpec(text);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? *spec : BlockSpec{};
}

class FirewallBackendTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      if (std::getenv("CI") != nullptr) FAIL() << "CI runs as root; this test must not skip";
      GTEST_SKIP() << "needs root: network namespaces and firewall rules (run as root to test)";
    }
    for (const char* program : {"iptables", "ip6tables", "nft", "ip"}) {
      ASSERT_TRUE(ProgramTable().Resolve(program))
          << program << " is not installed; run scripts/install-deps";
    }
    if (GetParam().legacy) {
      for (const char* program : {"iptables", "ip6tables"}) {
        std::optional<std::string> path = ProgramTable().Resolve(std::string(program) + "-legacy");
        if (!path) GTEST_SKIP() << program << "-legacy is not installed";
        programs_.Set(program, *path);
      }
    }
  }

  // Runs `body` in a child process inside a fresh network namespace with `lo` up.
  void InFreshNetns(const std::function<void(RealHost&, Backend&)>& body) {
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    ASSERT_NE(pid, -1) << std::strerror(errno);
    if (pid == 0) {
      alarm(120);  // a hung child must not hang the suite
      if (unshare(CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", std::strerror(errno));
        _exit(3);
      }
      RealHost host(programs_);
      if (!RunChecked(host, {"ip", "link", "set", "lo", "up"}).ok()) {
        std::fprintf(stderr, "ip link set lo up failed\n");
        _exit(3);
      }
      Result<std::unique_ptr<Backend>> backend =
          MakeBackend(host, log_, GetParam().kind, BlockSpec{});
      if (!backend.ok()) {
        std::fprintf(stderr, "MakeBackend: %s\n", backend.status().ToString().c_str());
        _exit(3);
      }
      body(host, **backend);
      std::fflush(stdout);
      _exit(::testing::Test::HasFailure() ? 1 : 0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the scenario failed in the namespace (see above)";
  }

  ProgramTable programs_;
  NullLogger log_;
};

// stdout of argv, which must succeed.
std::string Out(Host& host, std::vector<std::string> argv) {
  Result<Output> out = RunChecked(host, argv);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? out->out : "";
}

// Everything an observer sees: both iptables families and, except for legacy, the nft ruleset.
std::string Ruleset(Host& host, bool nft) {
  std::string text = Out(host, {"iptables", "-w", "-S"}) + Out(host, {"ip6tables", "-w", "-S"});
  if (nft) text += Out(host, {"nft", "list", "ruleset"});
  return text;
}

bool NftTableExists(Host& host) {
  return RunChecked(host, {"nft", "list", "table", "inet", "sanha"}).ok();
}

// True when a TCP connect to addr:port completes within 300 ms (false: dropped, it hangs).
bool Connects(const sockaddr_storage& addr, socklen_t len) {
  const int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = false;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t err_len = sizeof(err);
    ok = poll(&p, 1, 300) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 &&
         err == 0;
  }
  close(fd);
  return ok;
}

// A listening socket on loopback port 3260 of `family`; fills addr/len for connecting.
int Listen(int family, sockaddr_storage* addr, socklen_t* len) {
  *addr = {};
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(addr);
    in->sin_family = AF_INET;
    in->sin_port = htons(3260);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(3260);
    in6->sin6_addr = in6addr_loopback;
    *len = sizeof(sockaddr_in6);
  }
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(addr), *len), 0) << std::strerror(errno);
  EXPECT_EQ(listen(fd, 16), 0);
  return fd;
}

TEST_P(FirewallBackendTest, BlockIsIdempotentAndUnblockLeavesNothing) {
  const bool nft = !GetParam().legacy;
  InFreshNetns([&](RealHost& host, Backend& backend) {
    const BlockSpec spec = Spec("192.0.2.1,2001:db8::1", "", "3260,3300:3310");
    const std::string before = Ruleset(host, nft);
    Result<BlockState> state = backend.Inspect(spec);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_EQ(state->missing.size(), 4u);
    EXPECT_TRUE(state->NonePresent());

    ASSERT_TRUE(backend.Block(spec).ok());
    state = backend.Inspect(spec);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_EQ(state->present.size(), 4u);
    EXPECT_TRUE(state->AllPresent());
    const std::string blocked = Ruleset(host, nft);
    EXPECT_NE(blocked, before);
    ASSERT_TRUE(backend.Block(spec).ok());
    EXPECT_EQ(Ruleset(host, nft), blocked) << "a second block must add nothing";

    ASSERT_TRUE(backend.Unblock(spec).ok());
    state = backend.Inspect(spec);
    ASSERT_TRUE(state.ok());
    EXPECT_TRUE(state->NonePresent());
    const std::string after = Ruleset(host, nft);
    EXPECT_THAT(after, Not(HasSubstr("sanha"))) << "no chain, no jump, no table of ours";
    EXPECT_FALSE(NftTableExists(host));
    // iptables-nft leaves its (empty) ip/ip6 filter tables behind in the nft ruleset.
    if (GetParam().kind == BackendKind::kNft || GetParam().legacy) {
      EXPECT_EQ(after, before);
    }
    ASSERT_TRUE(backend.Unblock(spec).ok()) << "unblock of nothing is OK";
    EXPECT_EQ(Ruleset(host, nft), after);
  });
}

// Our drop comes before anything else of the input hook: iptables jumps to our chain from INPUT
// position 1 (an administrator's ACCEPT cannot bypass it); nft hooks at priority filter - 1.
TEST_P(FirewallBackendTest, OurRulesComeFirst) {
  const bool iptables = GetParam().kind == BackendKind::kIptables;
  InFreshNetns([&](RealHost& host, Backend& backend) {
    if (iptables) {
      ASSERT_TRUE(
          RunChecked(host, {"iptables", "-w", "-A", "INPUT", "-p", "tcp", "-j", "ACCEPT"}).ok());
    }
    ASSERT_TRUE(backend.Block(Spec("192.0.2.1")).ok());
    if (iptables) {
      EXPECT_THAT(Out(host, {"iptables", "-w", "-S", "INPUT"}),
                  HasSubstr("-P INPUT ACCEPT\n-A INPUT -j sanha-iscsi\n-A INPUT -p tcp"));
      EXPECT_THAT(Out(host, {"iptables", "-w", "-S"}),
                  HasSubstr("-A sanha-iscsi -d 192.0.2.1/32 -p tcp -m tcp --dport 3260 -j DROP\n"));
    } else {
      EXPECT_THAT(Out(host, {"nft", "list", "chain", "inet", "sanha", "sanha-iscsi"}),
                  HasSubstr("type filter hook input priority filter - 1; policy accept;"));
    }
  });
}

TEST_P(FirewallBackendTest, ForeignRuleInOurChainSurvivesUnblock) {
  const bool iptables = GetParam().kind == BackendKind::kIptables;
  InFreshNetns([&](RealHost& host, Backend& backend) {
    const BlockSpec spec = Spec("192.0.2.1");
    ASSERT_TRUE(backend.Block(spec).ok());
    const std::vector<std::string> foreign =
        iptables ? std::vector<std::string>{"iptables",        "-w",   "-A",  "sanha-iscsi", "-s",
                                            "198.51.100.7/32", "-p",   "tcp", "-m",          "tcp",
                                            "--dport",         "3260", "-j",  "ACCEPT"}
                 : std::vector<std::string>{"nft",         "add",  "rule",  "inet",         "sanha",
                                            "sanha-iscsi", "ip",   "saddr", "198.51.100.7", "tcp",
                                            "dport",       "3260", "accept"};
    ASSERT_TRUE(RunChecked(host, foreign).ok());
    ASSERT_TRUE(backend.Unblock(spec).ok());
    Result<BlockState> state = backend.Inspect(spec);
    ASSERT_TRUE(state.ok());
    EXPECT_TRUE(state->NonePresent());
    const std::string text = iptables ? Out(host, {"iptables", "-w", "-S"})
                                      : Out(host, {"nft", "list", "table", "inet", "sanha"});
    EXPECT_THAT(text, HasSubstr("198.51.100.7")) << "the foreign rule stays";
    EXPECT_THAT(text, Not(HasSubstr("192.0.2.1"))) << "our rule is gone";
    ASSERT_TRUE(backend.Block(spec).ok());
    ASSERT_TRUE(backend.Unblock(spec).ok());
    EXPECT_THAT(iptables ? Out(host, {"iptables", "-w", "-S"})
                         : Out(host, {"nft", "list", "table", "inet", "sanha"}),
                HasSubstr("198.51.100.7"));
  });
}

TEST_P(FirewallBackendTest, Ipv6OnlySpecTouchesOnlyIpv6) {
  const bool iptables = GetParam().kind == BackendKind::kIptables;
  InFreshNetns([&](RealHost& host, Backend& backend) {
    const BlockSpec spec = Spec("2001:db8::1", "2001:db8:1::/48");
    const std::string v4_before = Out(host, {"iptables", "-w", "-S"});
    ASSERT_TRUE(backend.Block(spec).ok());
    Result<BlockState> state = backend.Inspect(spec);
    ASSERT_TRUE(state.ok());
    ASSERT_EQ(state->present.size(), 1u);
    if (iptables) {
      EXPECT_EQ(Out(host, {"iptables", "-w", "-S"}), v4_before);
      EXPECT_THAT(Out(host, {"ip6tables", "-w", "-S"}),
                  HasSubstr("-A sanha-iscsi -s 2001:db8:1::/48 -d 2001:db8::1/128 -p tcp -m tcp "
                            "--dport 3260 -j DROP\n"));
    } else {
      EXPECT_THAT(Out(host, {"nft", "list", "table", "inet", "sanha"}),
                  HasSubstr("ip6 saddr 2001:db8:1::/48 ip6 daddr 2001:db8::1 tcp dport 3260 drop"));
    }
    ASSERT_TRUE(backend.Unblock(spec).ok());
    EXPECT_TRUE(backend.Inspect(spec)->NonePresent());
  });
}

TEST_P(FirewallBackendTest, TwoSpecsShareTheChain) {
  InFreshNetns([&](RealHost&, Backend& backend) {
    const BlockSpec a = Spec("192.0.2.1");
    const BlockSpec b = Spec("192.0.2.2", "", "3260,3261");
    ASSERT_TRUE(backend.Block(a).ok());
    ASSERT_TRUE(backend.Block(b).ok());
    ASSERT_TRUE(backend.Unblock(a).ok());
    EXPECT_TRUE(backend.Inspect(a)->NonePresent());
    EXPECT_TRUE(backend.Inspect(b)->AllPresent()) << "unblocking one spec keeps the other";
    ASSERT_TRUE(backend.Unblock(b).ok());
    EXPECT_TRUE(backend.Inspect(b)->NonePresent());
  });
}

TEST_P(FirewallBackendTest, BlockedConnectHangsAndUnblockedConnects) {
  InFreshNetns([&](RealHost&, Backend& backend) {
    for (int family : {AF_INET, AF_INET6}) {
      sockaddr_storage addr;
      socklen_t len = 0;
      const int listener = Listen(family, &addr, &len);
      const BlockSpec spec = Spec(family == AF_INET ? "127.0.0.1" : "::1");
      EXPECT_TRUE(Connects(addr, len)) << "before the block";
      ASSERT_TRUE(backend.Block(spec).ok());
      EXPECT_FALSE(Connects(addr, len)) << "DROP: the connect must hang";
      ASSERT_TRUE(backend.Unblock(spec).ok());
      EXPECT_TRUE(Connects(addr, len)) << "after the unblock";
      close(listener);
    }
  });
}

TEST_P(FirewallBackendTest, AutoFollowsTheRulesAlreadyInPlace) {
  InFreshNetns([&](RealHost& host, Backend& backend) {
    const BlockSpec spec = Spec("192.0.2.1");
    NullLogger log;
    Result<std::unique_ptr<Backend>> fresh = MakeBackend(host, log, BackendKind::kAuto, spec);
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ((*fresh)->Name(), "nft") << "nothing in place: nft, which is installed";
    ASSERT_TRUE(backend.Block(spec).ok());
    Result<std::unique_ptr<Backend>> again = MakeBackend(host, log, BackendKind::kAuto, spec);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->Name(), backend.Name());
    ASSERT_TRUE((*again)->Unblock(spec).ok());
    EXPECT_TRUE(backend.Inspect(spec)->NonePresent());
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, FirewallBackendTest,
                         ::testing::Values(Variant{"iptables", BackendKind::kIptables, false},
                                           Variant{"iptables_legacy", BackendKind::kIptables, true},
                                           Variant{"nft", BackendKind::kNft, false}),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace san::firewall
