// Conversation file parsing and replay.
#include "tests/support/fake_tgtd_transport.h"

#include "libsan/util/strings.h"

namespace san::testing {

namespace {

Result<std::string> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2) return Status::Corruption("odd hex length");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return Status::Corruption("bad hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : bytes) {
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

Result<std::vector<RecordedTgtdCall>> ParseTgtdConversation(std::string_view text) {
  std::vector<RecordedTgtdCall> calls;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.size() < 2 || line[1] != ' ')
      return Status::Corruption("bad line: " + std::string(line));
    const std::string_view rest = line.substr(2);
    if (line[0] == '$') {
      calls.push_back({SplitList(rest, " "), "", "", 0, ""});
      continue;
    }
    if (calls.empty()) return Status::Corruption("data before the first '$' line");
    RecordedTgtdCall& c = calls.back();
    switch (line[0]) {
      case '>': {
        SAN_ASSIGN_OR_RETURN(c.request, FromHex(rest));
        break;
      }
      case '<': {
        SAN_ASSIGN_OR_RETURN(c.reply, FromHex(rest));
        break;
      }
      case '=': {
        SAN_ASSIGN_OR_RETURN(int64_t code, ParseInt64(rest));
        c.exit_code = static_cast<int>(code);
        break;
      }
      case '!':
        c.first_error = std::string(rest);
        break;
      default:
        return Status::Corruption("bad line: " + std::string(line));
    }
  }
  return calls;
}

Result<std::string> FakeTgtdTransport::Exchange(std::string_view request,
                                                std::chrono::milliseconds) {
  requests_.emplace_back(request);
  if (next_ >= script_.size()) {
    return Status::NotFound("can't connect to tgt daemon (recorded conversation ended)");
  }
  const RecordedTgtdCall& c = script_[next_];
  if (request != c.request) {
    return Status::Internal("request " + std::to_string(next_) +
                            " differs from the recording:\n  " + ToHex(request) + "\n  " +
                            ToHex(c.request));
  }
  ++next_;
  return c.reply;
}

}  // namespace san::testing
