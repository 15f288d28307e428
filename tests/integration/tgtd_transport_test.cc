// The unix-socket transport of the tgtd client against sockets of this test that misbehave the
// ways a hung tgtd would: accepting nothing (backlog full) and never answering, or closing early.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "libsan/target/tgtd_client.h"

namespace san::target::tgt {
namespace {

using std::chrono::milliseconds;

class Listener {
 public:
  explicit Listener(int backlog) {
    char tmpl[] = "/tmp/sanha-tgtd-transport.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/socket.0";
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, backlog), 0);
  }
  ~Listener() {
    ::close(fd_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  std::string dir_, path_;
  int fd_ = -1;
};

std::string ShowSystem() {
  TgtdRequest req;
  return EncodeTgtdRequest(req).value();
}

TEST(TgtdTransportTest, NoReplyIsTimeout) {
  Listener l(8);  // connections queue up, nobody reads or answers
  auto t = MakeUnixTgtdTransport(l.path());
  EXPECT_EQ(t->Exchange(ShowSystem(), milliseconds(100)).status().code(), Code::kTimeout);
}

TEST(TgtdTransportTest, FullBacklogIsTimeoutNotAHang) {
  Listener l(0);
  // One queued connection fills a backlog of 0; the next connect would block for ever.
  const int first = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, l.path().c_str());
  ASSERT_EQ(::connect(first, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto t = MakeUnixTgtdTransport(l.path());
  Result<std::string> r = t->Exchange(ShowSystem(), milliseconds(100));
  EXPECT_EQ(r.status().code(), Code::kTimeout) << r.status().ToString();
  ::close(first);
}

TEST(TgtdTransportTest, ClosedBeforeTheWholeReplyIsCorruption) {
  Listener l(8);
  std::thread server([&] {
    const int c = ::accept(l.fd(), nullptr, nullptr);
    char buf[256];
    ssize_t got = 0;
    while (got < static_cast<ssize_t>(kTgtdRequestHeaderSize)) {
      const ssize_t n = ::read(c, buf, sizeof(buf));
      if (n <= 0) break;
      got += n;
    }
    const uint32_t hdr[2] = {0, 100};  // announces 92 body bytes, sends 3
    EXPECT_EQ(::write(c, hdr, sizeof(hdr)), 8);
    EXPECT_EQ(::write(c, "abc", 3), 3);
    ::close(c);
  });
  auto t = MakeUnixTgtdTransport(l.path());
  Result<std::string> r = t->Exchange(ShowSystem(), milliseconds(5'000));
  server.join();
  EXPECT_EQ(r.status().code(), Code::kCorruption) << r.status().ToString();
}

TEST(TgtdTransportTest, ClosedWithoutReplyNamesTgtdsReasons) {
  Listener l(8);
  std::thread server([&] {
    const int c = ::accept(l.fd(), nullptr, nullptr);
    ::close(c);  // tgtd's answer to a peer of another uid/gid
  });
  auto t = MakeUnixTgtdTransport(l.path());
  Result<std::string> r = t->Exchange(ShowSystem(), milliseconds(5'000));
  server.join();
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  EXPECT_NE(r.status().message().find("without a reply"), std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace san::target::tgt
