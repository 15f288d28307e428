// Strict parsing: every function rejects what it does not fully understand.
#include "libsan/util/strings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace san {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitList(std::string_view s, std::string_view separators) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(separators, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view piece = Trim(s.substr(start, end - start));
    if (!piece.empty()) out.emplace_back(piece);
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string Printable(std::string_view s, size_t max_len) {
  std::string out;
  for (char c : s.substr(0, max_len)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (s.size() > max_len) out += "...";
  return out;
}

Result<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.front() == '+') {
    return Status::InvalidConfig("'" + Printable(s) + "' is not an integer");
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidConfig("'" + Printable(s) + "' is not an integer");
  }
  return v;
}

Result<bool> ParseBool(std::string_view s) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "yes" || lower == "true" || lower == "1" || lower == "on" || lower == "y") {
    return true;
  }
  if (lower == "no" || lower == "false" || lower == "0" || lower == "off" || lower == "n") {
    return false;
  }
  return Status::InvalidConfig("'" + Printable(s) + "' is not a boolean (yes/no, true/false, 1/0)");
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view s) {
  s = Trim(s);
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits == 0 || digits > 12) {
    return Status::InvalidConfig("'" + Printable(s) + "' is not a duration (e.g. 30s, 500ms)");
  }
  int64_t n = 0;
  std::from_chars(s.data(), s.data() + digits, n);
  std::string_view unit = Trim(s.substr(digits));
  int64_t us_per_unit;
  if (unit.empty() || unit == "s" || unit == "sec") {
    us_per_unit = 1'000'000;
  } else if (unit == "ms" || unit == "msec") {
    us_per_unit = 1'000;
  } else if (unit == "us" || unit == "usec") {
    us_per_unit = 1;
  } else if (unit == "m" || unit == "min") {
    us_per_unit = 60'000'000;
  } else if (unit == "h" || unit == "hr") {
    us_per_unit = 3'600'000'000;
  } else {
    return Status::InvalidConfig("'" + Printable(s) + "' has an unknown time unit");
  }
  // Twelve digits of hours would overflow int64 microseconds (and wrap a deadline into the past).
  if (n > std::numeric_limits<int64_t>::max() / us_per_unit) {
    return Status::InvalidConfig("'" + Printable(s) + "' is too long a duration");
  }
  return std::chrono::milliseconds(n * us_per_unit / 1000);
}

}  // namespace san
