// SshSession over libssh2: TCP connect with a deadline, handshake, host key checked against a
// known_hosts file (never trust on first use), public-key authentication, one exec channel.
// This is the only file that includes libssh2.
#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "libsan/remote/ssh_session.h"
#include "libsan/util/strings.h"

namespace san::remote {
namespace {

std::string LastError(LIBSSH2_SESSION* s) {
  char* msg = nullptr;
  libssh2_session_last_error(s, &msg, nullptr, 0);
  return msg ? msg : "unknown libssh2 error";
}

using Deadline = std::optional<std::chrono::steady_clock::time_point>;
using std::chrono::milliseconds;

// The earlier of two deadlines (either may be unset).
Deadline Earlier(Deadline a, Deadline b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// How long the next blocking call may wait: `wait`, cut to what is left before `end`. Never 0
// (libssh2 reads a timeout of 0 as "wait forever"); Timeout once `end` has passed.
Result<long> WaitMs(milliseconds wait, Deadline end, const std::string& what) {
  if (end) {
    auto left = std::chrono::floor<milliseconds>(*end - std::chrono::steady_clock::now());
    if (left < milliseconds(1)) return Status::Timeout(what + ": operation deadline reached");
    wait = std::min(wait, left);
  }
  return static_cast<long>(std::max(wait, milliseconds(1)).count());
}

// Connects a TCP socket by `end` (connect_timeout, or the operation deadline when earlier);
// returns the fd or a Status.
Result<int> Connect(const SshTarget& t, Deadline end) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(t.port);
  if (getaddrinfo(t.host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Status::NotFound("cannot resolve stonith proxy " + Printable(t.host));
  }
  std::string last = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      Result<long> wait = WaitMs(t.connect_timeout, end, "connecting to stonith proxy " + t.host);
      if (!wait.ok()) {
        close(fd);
        freeaddrinfo(res);
        return wait.status();
      }
      pollfd p{fd, POLLOUT, 0};
      int ready = poll(&p, 1, static_cast<int>(*wait));
      if (ready == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        if (ready == 0) errno = ETIMEDOUT;
        rc = -1;
      }
    }
    if (rc == 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      freeaddrinfo(res);
      return fd;
    }
    last = strerror(errno);
    close(fd);
  }
  freeaddrinfo(res);
  return Status::CommandFailed("cannot connect to stonith proxy " + Printable(t.host) + ":" +
                               std::to_string(t.port) + ": " + last);
}

int KnownHostKeyType(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
      return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
      return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
      return LIBSSH2_KNOWNHOST_KEY_ED25519;
  }
  return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

class Libssh2Session : public SshSession {
 public:
  Libssh2Session(int fd, LIBSSH2_SESSION* s, SshTarget t) : fd_(fd), s_(s), t_(std::move(t)) {}
  ~Libssh2Session() override {
    // Saying goodbye to a peer that stopped answering must not wait long either.
    libssh2_session_set_timeout(s_, 200);
    libssh2_session_disconnect(s_, "done");
    libssh2_session_free(s_);
    close(fd_);
  }

  Result<ExecResult> Exec(const std::string& command) override {
    const std::string what = "stonith proxy " + t_.host;
    if (Status st = Arm(what); !st.ok()) return st;
    LIBSSH2_CHANNEL* ch = libssh2_channel_open_session(s_);
    if (!ch) return Status::CommandFailed("stonith proxy: no channel: " + LastError(s_));
    if (libssh2_channel_exec(ch, command.c_str()) != 0) {
      std::string e = LastError(s_);
      libssh2_channel_free(ch);
      return Status::CommandFailed("stonith proxy refused exec: " + e);
    }
    ExecResult r;
    char buf[4096];
    for (int stream : {0, 1}) {
      for (;;) {
        // Each read may wait `timeout`, all of them together not past the deadline: a peer that
        // sends a byte now and then cannot keep the fencing waiting.
        if (Status st = Arm(what); !st.ok()) {
          libssh2_session_set_timeout(s_, 200);
          libssh2_channel_free(ch);
          return Status::Timeout(what + " did not finish its answer before the operation deadline");
        }
        ssize_t n = libssh2_channel_read_ex(ch, stream, buf, sizeof buf);
        if (n > 0) {
          (stream == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
          if (r.out.size() + r.err.size() > (1 << 20)) break;  // a sane reply is tiny
          continue;
        }
        if (n == LIBSSH2_ERROR_TIMEOUT) {
          libssh2_channel_free(ch);
          return Status::Timeout("stonith proxy " + t_.host + " stopped answering");
        }
        break;  // 0 = EOF on this stream; other negatives = error, handled by exit status
      }
    }
    if (Arm(what).ok()) {
      libssh2_channel_close(ch);
      libssh2_channel_wait_closed(ch);
    }
    char* signal = nullptr;
    libssh2_channel_get_exit_signal(ch, &signal, nullptr, nullptr, nullptr, nullptr, nullptr);
    r.exit_code = signal ? 255 : libssh2_channel_get_exit_status(ch);
    libssh2_free(s_, signal);
    libssh2_channel_free(ch);
    return r;
  }

 private:
  // Sets the wait of the next blocking libssh2 call: `timeout`, cut by the deadline.
  Status Arm(const std::string& what) {
    Result<long> wait = WaitMs(t_.timeout, t_.deadline, what);
    if (!wait.ok()) return wait.status();
    libssh2_session_set_timeout(s_, *wait);
    return Status::Ok();
  }

  int fd_;
  LIBSSH2_SESSION* s_;
  SshTarget t_;
};

}  // namespace

Result<std::unique_ptr<SshSession>> OpenLibssh2(const SshTarget& t) {
  static std::once_flag once;
  std::call_once(once, [] { libssh2_init(0); });
  // connect_timeout covers connect, handshake and authentication together.
  const Deadline connect_end =
      Earlier(std::chrono::steady_clock::now() + t.connect_timeout, t.deadline);
  SAN_ASSIGN_OR_RETURN(int fd, Connect(t, connect_end));
  LIBSSH2_SESSION* s = libssh2_session_init();
  if (!s) {
    close(fd);
    return Status::Internal("libssh2_session_init failed");
  }
  auto fail = [&](Status st) -> Result<std::unique_ptr<SshSession>> {
    libssh2_session_free(s);
    close(fd);
    return st;
  };
  libssh2_session_set_blocking(s, 1);
  std::string where = "stonith proxy " + t.host + ":" + std::to_string(t.port);
  // A proxy that accepts but never speaks SSH must not hold the fence operation for long.
  auto arm = [&](const char* phase) -> Status {
    Result<long> wait = WaitMs(t.connect_timeout, connect_end, where + " (" + phase + ")");
    if (!wait.ok()) return wait.status();
    libssh2_session_set_timeout(s, *wait);
    return Status::Ok();
  };
  if (Status st = arm("SSH handshake"); !st.ok()) return fail(st);
  if (libssh2_session_handshake(s, fd) != 0) {
    return fail(Status::CommandFailed(where + ": SSH handshake failed: " + LastError(s)));
  }

  // Host key: must match an entry of known_hosts exactly.
  size_t key_len = 0;
  int key_type = 0;
  const char* key = libssh2_session_hostkey(s, &key_len, &key_type);
  LIBSSH2_KNOWNHOSTS* known = libssh2_knownhost_init(s);
  if (!key || !known) return fail(Status::Internal(where + ": no host key"));
  int read =
      libssh2_knownhost_readfile(known, t.known_hosts.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
  if (read < 0) {
    libssh2_knownhost_free(known);
    return fail(Status::InvalidConfig("cannot read known_hosts file " + Printable(t.known_hosts)));
  }
  libssh2_knownhost* entry = nullptr;
  int check = libssh2_knownhost_checkp(
      known, t.host.c_str(), t.port, key, key_len,
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | KnownHostKeyType(key_type),
      &entry);
  libssh2_knownhost_free(known);
  if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
    return fail(Status::Permission(where + ": HOST KEY MISMATCH with " + t.known_hosts +
                                   " (possible impostor); refusing to fence through it"));
  }
  if (check != LIBSSH2_KNOWNHOST_CHECK_MATCH) {
    return fail(Status::Permission(where + ": host key not listed in " + t.known_hosts));
  }

  std::string pub = t.private_key + ".pub";
  if (Status st = arm("authentication"); !st.ok()) return fail(st);
  if (libssh2_userauth_publickey_fromfile(s, t.user.c_str(), pub.c_str(), t.private_key.c_str(),
                                          nullptr) != 0) {
    return fail(Status::Permission(where + ": key " + t.private_key + " refused for user " +
                                   t.user + ": " + LastError(s)));
  }
  return std::unique_ptr<SshSession>(new Libssh2Session(fd, s, t));
}

}  // namespace san::remote
