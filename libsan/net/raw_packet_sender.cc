// The production PacketSender: one raw socket per family with the IP header supplied by us
// (IPPROTO_RAW implies IP_HDRINCL for IPv4 and, since Linux 4.5, IPV6_HDRINCL for IPv6).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libsan/host/errno_status.h"
#include "libsan/net/tickle.h"

namespace san::net {

namespace {

class RawPacketSender : public PacketSender {
 public:
  ~RawPacketSender() override {
    for (int fd : fds_)
      if (fd >= 0) close(fd);
  }

  Status Send(const Endpoint& to, std::string_view packet) override {
    const bool v4 = to.address.family == Family::kIpv4;
    int& fd = fds_[v4 ? 0 : 1];
    if (fd < 0) {
      fd = socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
      if (fd < 0) return ErrnoStatus(errno, "cannot open a raw socket");
    }
    sockaddr_storage ss{};
    socklen_t len;
    if (v4) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      std::memcpy(&sin->sin_addr, to.address.bytes.data(), 4);
      len = sizeof(sockaddr_in);
    } else {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      std::memcpy(&sin6->sin6_addr, to.address.bytes.data(), 16);
      len = sizeof(sockaddr_in6);
    }
    ssize_t n = sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
    if (n < 0) return ErrnoStatus(errno, "cannot send a tickle ACK to " + to.ToString());
    return Status::Ok();
  }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace

std::unique_ptr<PacketSender> MakeRawPacketSender() { return std::make_unique<RawPacketSender>(); }

}  // namespace san::net
