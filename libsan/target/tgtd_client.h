// A client of tgtd's management socket: one request per connection (tgtd's mgmt.c closes the
// connection after each reply), errors from the reply header's code. The socket itself is
// behind TgtdTransport so unit tests replay conversations recorded from the real tgtd.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/target/tgtd_socket.h"
#include "libsan/util/logger.h"
#include "libsan/util/status.h"

namespace san::target::tgt {

// One exchange on a fresh connection: send `request` (header + payload), read the reply header
// and the body it announces. NotFound when nothing listens (tgtd not running), Permission when
// the socket refuses us, Timeout past `timeout`, Corruption on a short or malformed reply.
class TgtdTransport {
 public:
  virtual ~TgtdTransport() = default;
  virtual Result<std::string> Exchange(std::string_view request,
                                       std::chrono::milliseconds timeout) = 0;
  // Several exchanges in flight together, one connection each; replies in request order. Fails
  // as a whole on the first failing exchange. The default runs them one after the other.
  virtual Result<std::vector<std::string>> ExchangeAll(const std::vector<std::string>& requests,
                                                       std::chrono::milliseconds timeout);
};

// The real unix stream socket at `path` (TgtdSocketPath()).
std::unique_ptr<TgtdTransport> MakeUnixTgtdTransport(std::string path);

inline constexpr size_t kTgtdMaxInFlight = 16;

// What tgtd answered: its error code and, on success, the text (show listings).
struct TgtdReply {
  uint32_t err = 0;
  std::string text;
  TgtError kind() const { return ClassifyTgtdError(err); }
};

class TgtdClient {
 public:
  explicit TgtdClient(TgtdTransport& transport,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000))
      : transport_(transport), timeout_(timeout) {}

  // One round trip. Not OK only when no valid reply came (see TgtdTransport); a tgtd error is
  // an OK Result with err != 0.
  Result<TgtdReply> Call(const TgtdRequest& req);

  // Read-only requests (show, stats) in flight together: tgtd serves connections in no defined
  // order, so changes are refused here (InvalidConfig) and go one by one through Call. At most
  // kTgtdMaxInFlight per batch (tgtd's listen backlog is 32).
  Result<std::vector<TgtdReply>> CallAll(const std::vector<TgtdRequest>& reqs);

  // The protocol probe (system/show checked by CheckTgtdProtocol). OK: speak the socket.
  // InvalidConfig: tgtd answers but not as 1.0.85 does (use tgtadm). Other codes: as Call.
  Status Probe();

 private:
  TgtdTransport& transport_;
  std::chrono::milliseconds timeout_;
};

}  // namespace san::target::tgt
