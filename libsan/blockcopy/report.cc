// Formatting only; numbers in JSON are exact byte counts so scripts need not parse units.
#include "libsan/blockcopy/report.h"

#include <cstdio>

#include "libsan/blockcopy/block_device.h"
#include "libsan/blockcopy/checksum_header.h"
#include "libsan/blockcopy/segment_hash.h"

namespace san::blockcopy {

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void JsonObject::Key(std::string_view key) {
  if (!body_.empty()) body_ += ",";
  body_ += JsonQuote(key) + ":";
}
JsonObject& JsonObject::Str(std::string_view key, std::string_view value) {
  Key(key);
  body_ += JsonQuote(value);
  return *this;
}
JsonObject& JsonObject::Num(std::string_view key, uint64_t value) {
  Key(key);
  body_ += std::to_string(value);
  return *this;
}
JsonObject& JsonObject::Real(std::string_view key, double value) {
  Key(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  body_ += buf;
  return *this;
}
JsonObject& JsonObject::Bool(std::string_view key, bool value) {
  Key(key);
  body_ += value ? "true" : "false";
  return *this;
}
JsonObject& JsonObject::Raw(std::string_view key, std::string_view json) {
  Key(key);
  body_ += json;
  return *this;
}

void AddStats(JsonObject& j, const RunStats& s) {
  j.Num("source_size", s.source_size)
      .Num("start", s.start)
      .Num("stop", s.stop)
      .Num("bytes_read", s.bytes_read)
      .Num("segments", s.segments)
      .Num("segments_changed", s.segments_changed)
      .Num("segments_zero", s.segments_zero)
      .Num("bytes_written", s.bytes_written)
      .Num("bytes_deallocated", s.bytes_deallocated)
      .Num("write_ops", s.write_ops)
      .Num("punch_ops", s.punch_ops)
      .Num("commits", s.commits)
      .Num("segments_rechecked", s.rechecked)
      .Real("seconds", s.seconds);
}

namespace {

std::string Rate(double bytes_per_second) {
  return FormatBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

}  // namespace

std::string FormatProgress(const RunStats& s, double elapsed) {
  uint64_t total = s.source_size > s.start ? s.source_size - s.start : 0;
  uint64_t done = std::min(total, s.bytes_read);
  double rate = elapsed > 0 ? done / elapsed : 0;
  std::string eta = "--:--";
  if (rate > 0 && total > done) {
    auto secs = static_cast<uint64_t>((total - done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", (unsigned long long)(secs / 3600),
                  (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
    eta = buf;
  }
  int percent = total ? static_cast<int>(100.0 * done / total) : 100;
  return FormatBytes(done) + " / " + FormatBytes(total) + "  " + std::to_string(percent) + "%  " +
         Rate(rate) + "  changed " + FormatBytes(s.changed_bytes()) + "  ETA " + eta;
}

std::string FormatSummary(const RunStats& s) {
  double rate = s.seconds > 0 ? s.bytes_read / s.seconds : 0;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s", s.seconds);
  std::string out = "read " + FormatBytes(s.bytes_read) + " in " + secs + " (" + Rate(rate) +
                    "), " + std::to_string(s.segments_changed) + " of " +
                    std::to_string(s.segments) + " segments changed, wrote " +
                    FormatBytes(s.bytes_written) + " in " + std::to_string(s.write_ops) + " writes";
  if (s.bytes_deallocated) out += ", deallocated " + FormatBytes(s.bytes_deallocated);
  if (s.rechecked) out += ", re-checked " + std::to_string(s.rechecked) + " segments";
  return out;
}

std::string ParametersText(const EngineOptions& o) {
  std::string out;
  auto line = [&](std::string_view k, const std::string& v) {
    out += std::string(k) + ": " + v + "\n";
  };
  line("segment_size", std::to_string(kSegmentSize));
  line("read_size", std::to_string(o.chunk_size));
  line("readers", std::to_string(o.readers));
  line("max_write", std::to_string(o.max_run_bytes));
  line("commit_window", std::to_string(o.commit_window));
  line("hash", std::string(HashName(HashKind::kXxh128)) + " (seeded XXH3-128; also xxh3)");
  line("hash_code", std::string(HashImplementation()));
  line("checksum_format", std::to_string(kFormatVersion));
  line("checksum_header_bytes", std::to_string(kDigestsOffset));
  line("checksum_bytes_per_segment", std::to_string(kDigestSize));
  line("units", "-r MB/s = 2^20 bytes/s, -m GB = 2^30 bytes");
  return out;
}

void ProgressPrinter::Update(const RunStats& stats) {
  if (!enabled_) return;
  Clock::time_point now = host_.Now();
  if (shown_ && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  shown_ = true;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  out_ << "\r\033[K" << FormatProgress(stats, elapsed) << std::flush;
}

void ProgressPrinter::Finish() {
  if (enabled_ && shown_) out_ << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace san::blockcopy
