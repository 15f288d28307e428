// Small text helpers shared by parsers: splitting, trimming, strict number/boolean/duration
// parsing, and making untrusted text safe to quote on one log line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san {

std::string_view Trim(std::string_view s);
// Splits on any of `separators`, trimming blanks, dropping empty pieces.
std::vector<std::string> SplitList(std::string_view s, std::string_view separators = ", \t");
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// Replaces control characters with '?' and cuts to `max_len` (adding "..."), so a hostile value
// can be quoted in a one-line error without breaking the line or flooding the log.
std::string Printable(std::string_view s, size_t max_len = 64);
bool HasControlChars(std::string_view s);

// Strict decimal integer, optional leading '-', no blanks, no trailing junk.
Result<int64_t> ParseInt64(std::string_view s);
// ocf_is_true's spellings: yes/true/1/on/y and no/false/0/off/n, any case.
Result<bool> ParseBool(std::string_view s);
// Pacemaker-style durations: "30" (seconds), "30s", "500ms", "2min", "2m", "1h", "100us".
Result<std::chrono::milliseconds> ParseDuration(std::string_view s);

}  // namespace san
