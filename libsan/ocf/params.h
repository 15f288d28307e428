// Agent parameters: raw OCF_RESKEY_* text checked against the meta-data (required, type,
// defaults) and handed to handlers as typed values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "libsan/ocf/metadata.h"
#include "libsan/util/status.h"

namespace san::ocf {

// Longest accepted value of any parameter.
inline constexpr size_t kMaxParamLength = 4096;

class Params {
 public:
  Params() = default;

  // Checks every declared parameter: required ones present and non-empty, integer/boolean/time
  // values well-formed. An empty value (or one of spaces only) is the same as no value: the
  // meta-data default applies, or "unset" when there is none; a required one is missing. No value
  // longer than kMaxParamLength or containing control characters (newlines, NUL, ESC).
  // InvalidConfig naming the parameter otherwise. Undeclared names are ignored (pacemaker passes
  // meta attributes separately as CRM_meta_*).
  static Result<Params> Parse(const Metadata& md, const std::map<std::string, std::string>& raw);

  // The value given, else the default, else "". Only for declared parameters.
  const std::string& String(std::string_view name) const;
  int64_t Integer(std::string_view name) const;  // 0 when unset with no default
  bool Boolean(std::string_view name) const;     // false when unset with no default
  std::chrono::milliseconds Time(std::string_view name) const;
  // True when the administrator set the parameter (not just a default).
  bool IsSet(std::string_view name) const;

  // For tests and tools that build parameters by hand.
  void SetForTest(const std::string& name, const std::string& value) {
    values_[name] = value;
    set_[name] = true;
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, bool, std::less<>> set_;
};

}  // namespace san::ocf
