// The tgt backend's tgtadm calls over tgtd's socket: the same argument vectors TgtBackend passes
// to tgtadm ("--op", "new", "--mode", "account", ...) become one socket request each, and the
// reply becomes the Output tgtadm would have given (exit 0 and the listing, or exit 22 and
// "tgtadm: <message>"), so ClassifyTgtadm and the show parsers stay exactly as they are. No
// process is started: a CHAP secret travels in the socket payload only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/target/tgtd_client.h"
#include "libsan/util/logger.h"

namespace san::target::tgt {

// The request tgtadm builds for `args` (without "tgtadm --lld iscsi"; "--lld X" is accepted
// too). Understands the options the backend uses: --op --mode --tid --lun --sid --cid --force
// --targetname --backing-store --bstype --params (--param) --name --value --initiator-address
// --initiator-name --user --password --outgoing. InvalidConfig for anything else, a number that
// is not one, or a value holding ',' where tgtd splits on it (names, users, paths): tgtd parses
// the payload with strstr/strchr, so such a value would be read as another parameter.
Result<TgtdRequest> RequestFromTgtadmArgs(const std::vector<std::string>& args);

class TgtdSocketRunner {
 public:
  explicit TgtdSocketRunner(TgtdClient& client) : client_(client) {}
  // A daemon that cannot be reached gives tgtadm's exit 107 "can't connect to tgt daemon"
  // Output, as ClassifyTgtadm expects. Not OK when `args` is not understood (InvalidConfig) or
  // the exchange failed otherwise (Timeout, Corruption, Permission).
  Result<Output> Run(const std::vector<std::string>& args);
  // Several read-only calls ("--op show"/"stats") in flight together (TgtdClient::CallAll); the
  // Outputs in argument order. InvalidConfig for a change among them.
  Result<std::vector<Output>> RunAll(const std::vector<std::vector<std::string>>& calls);

 private:
  TgtdClient& client_;
};

// What the tgt backend holds to choose, once per daemon, between the socket and tgtadm: the
// protocol probe runs on first use and its answer is kept and logged once. Owns its transport.
class TgtdSocketChannel {
 public:
  TgtdSocketChannel(std::unique_ptr<TgtdTransport> transport, Logger& log);

  // True: send requests over the socket (tgt 1.0.85's protocol confirmed, logged at info).
  // False: keep using tgtadm (logged as a warning with the probe's reason), for this object's
  // lifetime. While tgtd does not answer at all (not running) it is true and the probe runs again
  // on the next call: Run then gives tgtadm's daemon-down Output, as tgtadm would.
  bool UseSocket();
  Result<Output> Run(const std::vector<std::string>& args) { return runner_.Run(args); }

 private:
  std::unique_ptr<TgtdTransport> transport_;
  TgtdClient client_;
  TgtdSocketRunner runner_;
  Logger& log_;
  std::optional<bool> decided_;
};

}  // namespace san::target::tgt
