// Logger: where libsan modules say what they do. Modules never print; the edge picks the sink.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace san {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

std::string_view LevelName(LogLevel level);  // "debug", "info", "warning", "error"

class Logger {
 public:
  virtual ~Logger() = default;
  // Writes one message. Implementations must be safe to call from several threads.
  virtual void Log(LogLevel level, std::string_view message) = 0;

  void Debug(std::string_view m) { Log(LogLevel::kDebug, m); }
  void Info(std::string_view m) { Log(LogLevel::kInfo, m); }
  void Warning(std::string_view m) { Log(LogLevel::kWarning, m); }
  void Error(std::string_view m) { Log(LogLevel::kError, m); }
};

// Discards everything.
class NullLogger : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
};

// "level: message" lines on stderr, at or above a minimum level (tools use this).
class StderrLogger : public Logger {
 public:
  explicit StderrLogger(LogLevel min_level = LogLevel::kInfo) : min_level_(min_level) {}
  void Log(LogLevel level, std::string_view message) override;

 private:
  LogLevel min_level_;
};

// Keeps every message in memory, for tests.
class MemoryLogger : public Logger {
 public:
  struct Entry {
    LogLevel level;
    std::string message;
  };
  void Log(LogLevel level, std::string_view message) override;
  std::vector<Entry> entries() const;
  // All messages joined by newlines, for EXPECT_THAT(..., HasSubstr(...)).
  std::string Text() const;

 private:
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace san
