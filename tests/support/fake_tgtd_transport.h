// Replays conversations recorded from the real tgtd (tests/data/tgtd_socket/capture.sh): each
// Exchange must send exactly the next recorded request and gets the recorded reply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libsan/target/tgtd_client.h"

namespace san::testing {

// One recorded tgtadm call: its arguments, the bytes both ways, tgtadm's exit code and first
// stderr line.
struct RecordedTgtdCall {
  std::vector<std::string> args;
  std::string request, reply;
  int exit_code = 0;
  std::string first_error;
};

// Parses conversation.txt ("$ args", "> hex", "< hex", "= exit", "! text" lines).
Result<std::vector<RecordedTgtdCall>> ParseTgtdConversation(std::string_view text);

class FakeTgtdTransport : public target::tgt::TgtdTransport {
 public:
  explicit FakeTgtdTransport(std::vector<RecordedTgtdCall> script) : script_(std::move(script)) {}

  // The next recorded reply when `request` equals the next recorded request; Internal (with both
  // in hex) otherwise, and NotFound ("tgtd not running") once the script is used up.
  Result<std::string> Exchange(std::string_view request, std::chrono::milliseconds) override;

  const std::vector<std::string>& requests() const { return requests_; }
  bool done() const { return next_ == script_.size(); }

 private:
  std::vector<RecordedTgtdCall> script_;
  size_t next_ = 0;
  std::vector<std::string> requests_;
};

std::string ToHex(std::string_view bytes);

}  // namespace san::testing
