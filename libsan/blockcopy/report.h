// What ddless tells people: the --json summary, the terminal progress line, -p's parameter list
// and the -v summary. Formatting is pure; ProgressPrinter only throttles and writes a stream.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "libsan/blockcopy/engine_options.h"
#include "libsan/host/host.h"

namespace san::blockcopy {

// A flat JSON object, built in insertion order.
class JsonObject {
 public:
  JsonObject& Str(std::string_view key, std::string_view value);
  JsonObject& Num(std::string_view key, uint64_t value);
  JsonObject& Real(std::string_view key, double value);
  JsonObject& Bool(std::string_view key, bool value);
  // `json` must already be valid JSON (an array or object).
  JsonObject& Raw(std::string_view key, std::string_view json);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_;
};

// JSON string literal with quotes; control characters escaped, other bytes passed through.
std::string JsonQuote(std::string_view s);

// Adds the counters of a run ("bytes_read", "segments_changed", ...).
void AddStats(JsonObject& json, const RunStats& stats);

// "  1.5 GiB / 4 GiB  37%  612 MiB/s  changed 12 MiB  ETA 0:04" (no newline).
std::string FormatProgress(const RunStats& stats, double elapsed_seconds);
// One-line human summary for -v.
std::string FormatSummary(const RunStats& stats);
// -p output: one "name: value" line per parameter.
std::string ParametersText(const EngineOptions& options);

// Rewrites one progress line on a terminal at most 4 times a second; does nothing when disabled
// (stderr is not a TTY). Call Finish() before printing anything else.
class ProgressPrinter {
 public:
  ProgressPrinter(Host& host, std::ostream& out, bool enabled)
      : host_(host), out_(out), enabled_(enabled), start_(host.Now()) {}
  void Update(const RunStats& stats);
  void Finish();

 private:
  Host& host_;
  std::ostream& out_;
  bool enabled_;
  Clock::time_point start_;
  Clock::time_point last_{};
  bool shown_ = false;
};

}  // namespace san::blockcopy
