// Status names and formatting.
#include "libsan/util/status.h"

namespace san {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      return "NotFound";
    case Code::kInvalidConfig:
      return "InvalidConfig";
    case Code::kNotInstalled:
      return "NotInstalled";
    case Code::kPermission:
      return "Permission";
    case Code::kCommandFailed:
      return "CommandFailed";
    case Code::kTimeout:
      return "Timeout";
    case Code::kCorruption:
      return "Corruption";
    case Code::kBusy:
      return "Busy";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(CodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

}  // namespace san
