// SshSession: the seam between the stonith proxy client and an SSH library. The libssh2
// implementation (libssh2_session.cc) is the only code that includes libssh2; it always verifies
// the server's host key against a known_hosts file and authenticates with a key, never a password.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "libsan/util/status.h"

namespace san::remote {

struct SshTarget {
  std::string host;
  uint16_t port = 22;
  std::string user;
  std::string private_key;  // path; the public key is private_key + ".pub"
  std::string known_hosts;  // path; the host key must be listed for host (or [host]:port)
  std::chrono::milliseconds connect_timeout{5'000};  // TCP connect, SSH handshake, authentication
  std::chrono::milliseconds timeout{10'000};         // each read while the command runs
  // When set, nothing waits past it: connect, handshake, authentication, the exec channel and
  // every read are cut to the time left, and a peer that trickles bytes is cut off at it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct ExecResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

class SshSession {
 public:
  virtual ~SshSession() = default;
  // Runs `command` on the server (a forced command replaces it; the server sees it as
  // SSH_ORIGINAL_COMMAND) and waits for its exit. Timeout when the server stops answering.
  virtual Result<ExecResult> Exec(const std::string& command) = 0;
};

// Connects, checks the host key (Permission when it differs or is not listed), and authenticates
// (Permission when the key is refused). NotFound when the host does not resolve, CommandFailed
// when the connection is refused.
using SshFactory = std::function<Result<std::unique_ptr<SshSession>>(const SshTarget&)>;
Result<std::unique_ptr<SshSession>> OpenLibssh2(const SshTarget& target);

}  // namespace san::remote
