// Where fence_apc_pdu's log goes: stderr always (pacemaker records it); in proxy mode also syslog
// (authpriv) and, when configured, an appended log file.
#pragma once

#include <fstream>
#include <string>

#include "libsan/util/logger.h"

namespace san::fence {

class FrontLogger : public Logger {
 public:
  explicit FrontLogger(LogLevel min_level) : stderr_(min_level) {}
  void Log(LogLevel level, std::string_view message) override;
  // Also to syslog with this ident, and to `file` when non-empty (opened for appending).
  void AddProxySinks(const std::string& ident, const std::string& file);

 private:
  StderrLogger stderr_;
  bool syslog_ = false;
  std::ofstream file_;
};

}  // namespace san::fence
