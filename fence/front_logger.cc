// Log sinks of the program front.
#include "fence/front_logger.h"

#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

namespace san::fence {

void FrontLogger::Log(LogLevel level, std::string_view message) {
  stderr_.Log(level, message);
  if (level == LogLevel::kDebug) return;
  if (syslog_) {
    int prio = level == LogLevel::kError     ? LOG_ERR
               : level == LogLevel::kWarning ? LOG_WARNING
                                             : LOG_INFO;
    syslog(prio, "%.*s", static_cast<int>(message.size()), message.data());
  }
  if (file_.is_open()) {
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
    file_ << stamp << " [" << getpid() << "] " << LevelName(level) << ": " << message << std::endl;
  }
}

void FrontLogger::AddProxySinks(const std::string& ident, const std::string& file) {
  static std::string kept_ident;  // openlog keeps the pointer
  kept_ident = ident;
  openlog(kept_ident.c_str(), LOG_PID, LOG_AUTHPRIV);
  syslog_ = true;
  if (!file.empty()) {
    file_.open(file, std::ios::app);
    if (!file_.is_open()) Warning("cannot append to log file " + file + "; logging to syslog only");
  }
}

}  // namespace san::fence
