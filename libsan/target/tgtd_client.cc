// The unix-socket transport (the only code here that touches a socket) and the client.
#include "libsan/target/tgtd_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
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
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// One connection's progress through send, reply header and body.
struct Conn {
  int fd = -1;
  std::string_view request;
  size_t sent = 0;
  std::string reply;
  size_t want = kTgtdReplyHeaderSize;  // reply bytes expected so far (grows after the header)
  bool done() const { return sent == request.size() && reply.size() == want && want > 0; }
};

class UnixTgtdTransport : public TgtdTransport {
 public:
  explicit UnixTgtdTransport(std::string path) : path_(std::move(path)) {}

  Result<std::string> Exchange(std::string_view request,
                               std::chrono::milliseconds timeout) override {
    SAN_ASSIGN_OR_RETURN(std::vector<std::string> r, Run({request}, timeout));
    return std::move(r[0]);
  }

  Result<std::vector<std::string>> ExchangeAll(const std::vector<std::string>& requests,
                                               std::chrono::milliseconds timeout) override {
    return Run({requests.begin(), requests.end()}, timeout);
  }

 private:
  Result<std::vector<std::string>> Run(std::vector<std::string_view> requests,
                                       std::chrono::milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    std::vector<Conn> conns(requests.size());
    std::vector<std::unique_ptr<Fd>> fds;
    for (size_t i = 0; i < requests.size(); ++i) {
      SAN_ASSIGN_OR_RETURN(int fd, Connect(deadline));
      fds.push_back(std::make_unique<Fd>(fd));
      conns[i].fd = fd;
      conns[i].request = requests[i];
    }
    while (true) {
      std::vector<pollfd> polls;
      std::vector<Conn*> waiting;
      for (auto& c : conns) {
        if (c.done()) continue;
        const short ev = c.sent < c.request.size() ? POLLOUT : POLLIN;
        polls.push_back({c.fd, ev, 0});
        waiting.push_back(&c);
      }
      if (polls.empty()) break;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Status::Timeout("tgt daemon did not answer in time");
      const int r = ::poll(polls.data(), polls.size(), static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return ErrnoStatus(errno, "poll on tgt daemon socket");
      for (size_t i = 0; i < polls.size(); ++i) {
        if (polls[i].revents) SAN_RETURN_IF_ERROR(Step(*waiting[i]));
      }
    }
    std::vector<std::string> replies;
    for (auto& c : conns) replies.push_back(std::move(c.reply));
    return replies;
  }

  // A blocking connect (on a local socket it waits only while tgtd's backlog is full, bounded by
  // SO_SNDTIMEO, which Linux applies to it), then non-blocking I/O under poll.
  Result<int> Connect(Clock::time_point deadline) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(addr.sun_path)) {
      return Status::InvalidConfig("tgtd socket path too long: " + path_);
    }
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return ErrnoStatus(errno, "socket");
    Fd guard(fd);
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Status::Timeout("tgt daemon did not answer in time");
    timeval tv{static_cast<time_t>(left.count() / 1'000'000),
               static_cast<suseconds_t>(left.count() % 1'000'000)};
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
      return ErrnoStatus(errno, "setsockopt");
    }
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      const int e = errno;
      // No socket file, or no daemon behind it: tgtd is not running (tgtadm's exit 107).
      if (e == ENOENT || e == ECONNREFUSED) {
        return Status::NotFound("can't connect to tgt daemon at " + path_ + ": " + ErrnoText(e));
      }
      if (e == EAGAIN || e == EINPROGRESS) {
        return Status::Timeout("tgt daemon at " + path_ + " accepts no connection (backlog full)");
      }
      return ErrnoStatus(e, "connect to tgt daemon at " + path_);
    }
    if (::fcntl(fd, F_SETFL, O_NONBLOCK) != 0) return ErrnoStatus(errno, "fcntl");
    return guard.release();
  }

  // What tgtd does to a peer of another uid/gid (before reading) and to a payload over its limit.
  static Status ClosedWithoutReply() {
    return Status::Corruption(
        "tgt daemon closed the connection without a reply (it drops peers of another uid or gid "
        "and requests over 8 KiB)");
  }

  // Moves one connection on by what it is ready for.
  static Status Step(Conn& c) {
    if (c.sent < c.request.size()) {
      const ssize_t n =
          ::send(c.fd, c.request.data() + c.sent, c.request.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Status::Ok();
      if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) return ClosedWithoutReply();
      if (n < 0) return ErrnoStatus(errno, "send to tgt daemon");
      c.sent += static_cast<size_t>(n);
      return Status::Ok();
    }
    char buf[65536];
    const ssize_t r = ::recv(c.fd, buf, std::min(sizeof(buf), c.want - c.reply.size()), 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return Status::Ok();
    if (r < 0 && errno == ECONNRESET && c.reply.empty()) return ClosedWithoutReply();
    if (r < 0) return ErrnoStatus(errno, "read from tgt daemon");
    if (r == 0 && c.reply.empty()) return ClosedWithoutReply();
    if (r == 0) {
      return Status::Corruption("tgt daemon closed the connection after " +
                                std::to_string(c.reply.size()) + " of " + std::to_string(c.want) +
                                " reply bytes");
    }
    c.reply.append(buf, static_cast<size_t>(r));
    if (c.want == kTgtdReplyHeaderSize && c.reply.size() == kTgtdReplyHeaderSize) {
      SAN_ASSIGN_OR_RETURN(TgtdReplyHeader h, DecodeTgtdReplyHeader(c.reply));
      c.want = h.len;
    }
    return Status::Ok();
  }

  std::string path_;
};

}  // namespace

std::unique_ptr<TgtdTransport> MakeUnixTgtdTransport(std::string path) {
  return std::make_unique<UnixTgtdTransport>(std::move(path));
}

Result<std::vector<std::string>> TgtdTransport::ExchangeAll(
    const std::vector<std::string>& requests, std::chrono::milliseconds timeout) {
  std::vector<std::string> replies;
  for (const auto& r : requests) {
    SAN_ASSIGN_OR_RETURN(std::string reply, Exchange(r, timeout));
    replies.push_back(std::move(reply));
  }
  return replies;
}

namespace {

Result<TgtdReply> DecodeReply(const std::string& raw) {
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

}  // namespace

Result<TgtdReply> TgtdClient::Call(const TgtdRequest& req) {
  SAN_ASSIGN_OR_RETURN(std::string bytes, EncodeTgtdRequest(req));
  SAN_ASSIGN_OR_RETURN(std::string raw, transport_.Exchange(bytes, timeout_));
  return DecodeReply(raw);
}

Result<std::vector<TgtdReply>> TgtdClient::CallAll(const std::vector<TgtdRequest>& reqs) {
  if (reqs.size() > kTgtdMaxInFlight) {
    return Status::InvalidConfig("tgtd batch of " + std::to_string(reqs.size()) +
                                 " requests exceeds " + std::to_string(kTgtdMaxInFlight));
  }
  std::vector<std::string> bytes;
  for (const auto& r : reqs) {
    if (r.op != TgtdOp::kShow && r.op != TgtdOp::kStats) {
      return Status::InvalidConfig("tgtd request " + r.Describe() +
                                   " changes state: send it alone, in order");
    }
    SAN_ASSIGN_OR_RETURN(std::string b, EncodeTgtdRequest(r));
    bytes.push_back(std::move(b));
  }
  SAN_ASSIGN_OR_RETURN(std::vector<std::string> raw, transport_.ExchangeAll(bytes, timeout_));
  std::vector<TgtdReply> replies;
  for (const auto& r : raw) {
    SAN_ASSIGN_OR_RETURN(TgtdReply reply, DecodeReply(r));
    replies.push_back(std::move(reply));
  }
  return replies;
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
