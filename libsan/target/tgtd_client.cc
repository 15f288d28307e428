// The unix-socket transport (the only code here that touches a socket) and the client.
#include "libsan/target/tgtd_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libsan/host/errno_status.h"

namespace san::target::tgt {

namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class UnixTgtdTransport : public TgtdTransport {
 public:
  explicit UnixTgtdTransport(std::string path) : path_(std::move(path)) {}

  Result<std::string> Exchange(std::string_view request,
                               std::chrono::milliseconds timeout) override {
    const Clock::time_point deadline = Clock::now() + timeout;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) {
      return Status::InvalidConfig("tgtd socket path too long: " + path_);
    }
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return ErrnoStatus(errno, "socket");
    // A blocking connect: on a local socket it waits only while tgtd's backlog is full.
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      const int e = errno;
      // No socket file, or no daemon behind it: tgtd is not running (tgtadm's exit 107).
      if (e == ENOENT || e == ECONNREFUSED) {
        return Status::NotFound("can't connect to tgt daemon at " + path_ + ": " + ErrnoText(e));
      }
      return ErrnoStatus(e, "connect to tgt daemon at " + path_);
    }
    if (::fcntl(fd.get(), F_SETFL, O_NONBLOCK) != 0) return ErrnoStatus(errno, "fcntl");
    size_t sent = 0;
    while (sent < request.size()) {
      SAN_RETURN_IF_ERROR(Wait(fd.get(), POLLOUT, deadline));
      const ssize_t n =
          ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0) return ErrnoStatus(errno, "send to tgt daemon");
      sent += static_cast<size_t>(n);
    }
    std::string reply;
    SAN_RETURN_IF_ERROR(ReadExactly(fd.get(), kTgtdReplyHeaderSize, deadline, reply));
    SAN_ASSIGN_OR_RETURN(TgtdReplyHeader h, DecodeTgtdReplyHeader(reply));
    SAN_RETURN_IF_ERROR(ReadExactly(fd.get(), h.len - kTgtdReplyHeaderSize, deadline, reply));
    return reply;
  }

 private:
  static Status Wait(int fd, short events, Clock::time_point deadline) {
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Status::Timeout("tgt daemon did not answer in time");
      pollfd p{fd, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(errno, "poll on tgt daemon socket");
      if (r > 0) return Status::Ok();
    }
  }

  // Appends `n` bytes to `out`; Corruption when tgtd closes the connection before.
  static Status ReadExactly(int fd, size_t n, Clock::time_point deadline, std::string& out) {
    const size_t want = out.size() + n;
    char buf[65536];
    while (out.size() < want) {
      SAN_RETURN_IF_ERROR(Wait(fd, POLLIN, deadline));
      const ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), want - out.size()), 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r < 0) return ErrnoStatus(errno, "read from tgt daemon");
      if (r == 0) {
        return Status::Corruption("tgt daemon closed the connection after " +
                                  std::to_string(out.size()) + " of " + std::to_string(want) +
                                  " reply bytes");
      }
      out.append(buf, static_cast<size_t>(r));
    }
    return Status::Ok();
  }

  std::string path_;
};

}  // namespace

std::unique_ptr<TgtdTransport> MakeUnixTgtdTransport(std::string path) {
  return std::make_unique<UnixTgtdTransport>(std::move(path));
}

Result<TgtdReply> TgtdClient::Call(const TgtdRequest& req) {
  SAN_ASSIGN_OR_RETURN(std::string bytes, EncodeTgtdRequest(req));
  SAN_ASSIGN_OR_RETURN(std::string raw, transport_.Exchange(bytes, timeout_));
  if (raw.size() < kTgtdReplyHeaderSize) {
    return Status::Corruption("tgtd reply of " + std::to_string(raw.size()) + " bytes");
  }
  SAN_ASSIGN_OR_RETURN(TgtdReplyHeader h, DecodeTgtdReplyHeader(std::string_view(raw).substr(
                                              0, kTgtdReplyHeaderSize)));
  if (h.len != raw.size()) {
    return Status::Corruption("tgtd reply announces " + std::to_string(h.len) + " bytes, got " +
                              std::to_string(raw.size()));
  }
  TgtdReply reply;
  reply.err = h.err;
  SAN_ASSIGN_OR_RETURN(reply.text,
                       TgtdReplyText(std::string_view(raw).substr(kTgtdReplyHeaderSize)));
  return reply;
}

Status TgtdClient::Probe() {
  TgtdRequest req;  // system/show, tgtadm's defaults
  SAN_ASSIGN_OR_RETURN(TgtdReply r, Call(req));
  if (r.err != 0) {
    return Status::InvalidConfig("tgtd refused system/show: " + TgtdErrorText(r.err));
  }
  return CheckTgtdProtocol(r.text);
}

}  // namespace san::target::tgt
