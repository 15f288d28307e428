// Plain logger sinks.
#include "libsan/util/logger.h"

#include <cstdio>

namespace san {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void StderrLogger::Log(LogLevel level, std::string_view message) {
  if (level < min_level_) return;
  std::string line(LevelName(level));
  line += ": ";
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void MemoryLogger::Log(LogLevel level, std::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_back({level, std::string(message)});
}

std::vector<MemoryLogger::Entry> MemoryLogger::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

std::string MemoryLogger::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string text;
  for (const auto& e : entries_) {
    text += e.message;
    text += '\n';
  }
  return text;
}

}  // namespace san
