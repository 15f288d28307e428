// Formatting and strict parsing of the drill writer's log lines.
#include "ha-examples/drill/writer/write_log.h"

#include <charconv>

#include "libsan/util/strings.h"

namespace san::drill {
namespace {

// Digits only (no sign, no blanks), fitting in 64 bits.
bool ParseUnsigned(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "SECONDS.UUUUUU" → microseconds.
bool ParseTime(std::string_view s, uint64_t& us) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || s.size() - dot - 1 != 6) return false;
  uint64_t seconds = 0, micros = 0;
  if (!ParseUnsigned(s.substr(0, dot), seconds) || !ParseUnsigned(s.substr(dot + 1), micros)) {
    return false;
  }
  if (seconds > UINT64_MAX / 1000000 - 1) return false;
  us = seconds * 1000000 + micros;
  return true;
}

Status LineError(size_t line, std::string_view what, std::string_view text) {
  return Status::Corruption("log line " + std::to_string(line) + ": " + std::string(what) +
                            " in '" + Printable(text, 80) + "'");
}

}  // namespace

std::string FormatMicros(uint64_t us) {
  std::string frac = std::to_string(us % 1000000);
  return std::to_string(us / 1000000) + "." + std::string(6 - frac.size(), '0') + frac;
}

std::string FormatLogLine(const LogEntry& e) {
  return std::to_string(e.seq) + " " + std::to_string(e.lba) + " " + FormatMicros(e.submit_us) +
         " " + FormatMicros(e.done_us) + " " + (e.ok() ? std::string("ok") : "err:" + e.result) +
         "\n";
}

bool IsReasonWord(std::string_view word) {
  // "err:ok" would read as a success.
  if (word.empty() || word.size() > 32 || word == "ok") return false;
  for (char c : word) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<std::vector<LogEntry>> ParseLog(std::string_view text) {
  std::vector<LogEntry> entries;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return LineError(line_no, "no newline at the end (truncated log?)", text);
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);

    std::vector<std::string_view> fields;
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ' ') {
        fields.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    }
    if (fields.size() != 5) {
      return LineError(line_no, "expected 5 fields 'SEQ LBA T_SUBMIT T_DONE RESULT'", line);
    }
    LogEntry e;
    if (!ParseUnsigned(fields[0], e.seq)) return LineError(line_no, "bad SEQ", line);
    if (!ParseUnsigned(fields[1], e.lba)) return LineError(line_no, "bad LBA", line);
    if (!ParseTime(fields[2], e.submit_us)) {
      return LineError(line_no, "bad T_SUBMIT (want seconds with 6 decimals)", line);
    }
    if (!ParseTime(fields[3], e.done_us)) {
      return LineError(line_no, "bad T_DONE (want seconds with 6 decimals)", line);
    }
    if (e.done_us < e.submit_us) return LineError(line_no, "T_DONE before T_SUBMIT", line);
    std::string_view result = fields[4];
    if (result == "ok") {
      e.result = "ok";
    } else if (result.starts_with("err:") && IsReasonWord(result.substr(4))) {
      e.result = std::string(result.substr(4));
    } else {
      return LineError(line_no, "RESULT is neither 'ok' nor 'err:<word>'", line);
    }
    if (!entries.empty() && e.seq <= entries.back().seq) {
      return LineError(line_no, "SEQ not greater than the previous line's", line);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace san::drill
