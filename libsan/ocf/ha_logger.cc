// resource-agents compatible logging: same variables, same line shapes, so administrators find
// sanha's messages where they find the shell agents'.
#include "libsan/ocf/ha_logger.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <ctime>

#include "libsan/util/strings.h"

namespace san::ocf {

namespace {

const char* HaLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return LOG_DEBUG;
    case LogLevel::kInfo:
      return LOG_INFO;
    case LogLevel::kWarning:
      return LOG_WARNING;
    case LogLevel::kError:
      return LOG_ERR;
  }
  return LOG_INFO;
}

std::string Get(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

int SyslogFacility(const std::string& name) {
  static const std::map<std::string, int> kFacilities = {
      {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
      {"daemon", LOG_DAEMON}, {"kern", LOG_KERN},         {"local0", LOG_LOCAL0},
      {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},     {"local3", LOG_LOCAL3},
      {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6},
      {"local7", LOG_LOCAL7}, {"lpr", LOG_LPR},           {"mail", LOG_MAIL},
      {"news", LOG_NEWS},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},
      {"uucp", LOG_UUCP},
  };
  auto it = kFacilities.find(name);
  return it == kFacilities.end() ? -1 : it->second;
}

HaLogger::HaLogger(const std::map<std::string, std::string>& env, const std::string& agent,
                   const std::string& instance, std::string* stderr_sink)
    : stderr_sink_(stderr_sink) {
  tag_ = Get(env, "HA_LOGTAG");
  if (tag_.empty()) {
    tag_ =
        agent + "(" + (instance.empty() ? agent : instance) + ")[" + std::to_string(getpid()) + "]";
  }
  facility_ = SyslogFacility(Get(env, "HA_LOGFACILITY"));
  logfile_ = Get(env, "HA_LOGFILE");
  debuglog_ = Get(env, "HA_DEBUGLOG");
  std::string debug = Get(env, "HA_debug");
  Result<bool> on = ParseBool(debug);
  debug_ = !debug.empty() && (!on.ok() || *on);  // like ocf-shellfuncs: anything but 0/false
}

HaLogger::~HaLogger() {
  if (syslog_open_) closelog();
}

void HaLogger::AppendToFile(const std::string& path, const std::string& line) {
  // One open per message like the shell agents: files may be rotated between messages. Never
  // blocking: a HA_LOGFILE that is a FIFO without a reader (or a full one) once hung every
  // action, stop included; such a message is dropped instead.
  int fd =
      open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd < 0) return;
  ssize_t n = write(fd, line.data(), line.size());
  (void)n;  // a log line that cannot be written is not a failure of the action
  close(fd);
}

void HaLogger::Log(LogLevel level, std::string_view message) {
  if (level == LogLevel::kDebug && !debug_) return;
  std::lock_guard<std::mutex> lock(mu_);
  // Messages are single lines: a parameter value quoted in a message must not forge log lines.
  std::string text = std::string(HaLevel(level)) + ": " + Printable(message, 4000);
  if (facility_ >= 0) {
    if (!syslog_open_) {
      openlog(tag_.c_str(), 0, facility_);
      syslog_open_ = true;
    }
    syslog(SyslogPriority(level), "%s", text.c_str());
  }
  if (!logfile_.empty() || !debuglog_.empty()) {
    char date[64] = "";
    std::time_t now = std::time(nullptr);
    struct tm tm_now;
    localtime_r(&now, &tm_now);
    std::strftime(date, sizeof date, "%b %d %T ", &tm_now);
    std::string line = tag_ + ":\t" + date + text + "\n";
    if (level != LogLevel::kDebug && !logfile_.empty()) AppendToFile(logfile_, line);
    if (!debuglog_.empty() && debuglog_ != logfile_) AppendToFile(debuglog_, line);
  }
  if (facility_ < 0 && logfile_.empty()) {
    std::string line = tag_ + ": " + text + "\n";
    if (stderr_sink_) {
      *stderr_sink_ += line;
    } else {
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
  }
}

}  // namespace san::ocf
