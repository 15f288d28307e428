// tgtd-record LISTEN UPSTREAM FILE: a recording relay for tgtd's management socket. tgtadm
// (TGT_IPC_SOCKET=<LISTEN without ".0">) talks to it; each request is passed to the real tgtd
// at UPSTREAM and the exchange is appended to FILE as "> <hex request>" and "< <hex reply>"
// before the reply goes back, so the file is complete when tgtadm exits. Test tooling only.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "libsan/target/tgtd_client.h"

namespace {

bool ReadAll(int fd, size_t n, std::string& out) {
  char buf[4096];
  while (n > 0) {
    const ssize_t r = ::read(fd, buf, std::min(n, sizeof(buf)));
    if (r <= 0) return false;
    out.append(buf, static_cast<size_t>(r));
    n -= static_cast<size_t>(r);
  }
  return true;
}

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace san::target::tgt;
  if (argc != 4) {
    std::fprintf(stderr, "usage: tgtd-record LISTEN_PATH UPSTREAM_PATH FILE\n");
    return 2;
  }
  const int lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (lfd < 0 || std::strlen(argv[1]) >= sizeof(addr.sun_path)) return 1;
  std::strcpy(addr.sun_path, argv[1]);
  ::unlink(argv[1]);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(lfd, 8)) {
    std::perror("tgtd-record: bind");
    return 1;
  }
  auto upstream = MakeUnixTgtdTransport(argv[2]);
  while (true) {
    const int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    std::string req;
    if (ReadAll(c, kTgtdRequestHeaderSize, req)) {
      uint32_t len = 0;
      std::memcpy(&len, req.data() + 72, sizeof(len));
      if (len >= kTgtdRequestHeaderSize && len - kTgtdRequestHeaderSize <= kTgtdMaxPayload &&
          ReadAll(c, len - kTgtdRequestHeaderSize, req)) {
        auto reply = upstream->Exchange(req, std::chrono::milliseconds(10'000));
        if (reply.ok()) {
          // Requests may carry CHAP secrets: the record is readable by its owner only.
          const int rfd = ::open(argv[3], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
          if (FILE* f = rfd >= 0 ? ::fdopen(rfd, "a") : nullptr) {
            std::fprintf(f, "> %s\n< %s\n", Hex(req).c_str(), Hex(*reply).c_str());
            std::fclose(f);
          }
          const ssize_t w = ::write(c, reply->data(), reply->size());
          (void)w;
        } else {
          std::fprintf(stderr, "tgtd-record: %s\n", reply.status().message().c_str());
        }
      }
    }
    ::close(c);
  }
}
