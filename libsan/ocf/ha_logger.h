// HaLogger: logs the way resource-agents' ocf_log/ha_log do, driven by the same environment:
// HA_LOGFACILITY (syslog facility; "none" or empty = no syslog), HA_LOGTAG (default
// "AGENT(INSTANCE)[PID]"), HA_LOGFILE (all messages but debug), HA_DEBUGLOG (debug too), HA_debug
// (0 = drop debug). With neither syslog nor a log file, messages go to stderr as "TAG: LEVEL: msg".
#pragma once

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "libsan/util/logger.h"

namespace san::ocf {

class HaLogger : public Logger {
 public:
  // `env` holds the process environment; `stderr_sink` is where stderr lines go (stderr in
  // production, a string in tests).
  HaLogger(const std::map<std::string, std::string>& env, const std::string& agent,
           const std::string& instance, std::string* stderr_sink = nullptr);
  ~HaLogger() override;

  void Log(LogLevel level, std::string_view message) override;

  const std::string& tag() const { return tag_; }

 private:
  void AppendToFile(const std::string& path, const std::string& line);

  std::mutex mu_;
  std::string tag_;
  int facility_ = -1;  // syslog facility, -1 = none
  std::string logfile_, debuglog_;
  bool debug_ = false;
  std::string* stderr_sink_;
  bool syslog_open_ = false;
};

// "daemon" → LOG_DAEMON, "local0".."local7", "user", ...; -1 for "none", "" or unknown.
int SyslogFacility(const std::string& name);

}  // namespace san::ocf
