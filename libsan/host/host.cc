// The parts of Host shared by every implementation: deadline arithmetic, error-line extraction and
// RunChecked.
#include "libsan/host/host.h"

#include <algorithm>
#include <utility>

namespace san {

namespace {

// TimeLeft() when no deadline is set: large, yet small enough that Now() + TimeLeft() cannot
// overflow a steady_clock time point.
constexpr milliseconds kNoDeadline = std::chrono::hours(24 * 365);

// Error messages stay one readable line even when a program prints a huge first line.
constexpr size_t kMaxErrorLine = 512;

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n\v\f";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::string FirstNonEmptyLine(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    if (!line.empty()) return std::string(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return {};
}

std::string Basename(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string Output::FirstErrorLine() const {
  std::string line = FirstNonEmptyLine(err);
  if (line.empty()) line = FirstNonEmptyLine(out);
  if (line.size() > kMaxErrorLine) {
    line.resize(kMaxErrorLine);
    line += "...";
  }
  return line;
}

milliseconds Host::TimeLeft() {
  if (!deadline_) return kNoDeadline;
  Clock::time_point now = Now();
  if (now >= *deadline_) return milliseconds(0);
  // Round up so that "some time left" never reads as zero.
  return std::min(std::chrono::ceil<milliseconds>(*deadline_ - now), kNoDeadline);
}

Result<std::vector<std::string>> Host::ListDirectory(const std::string& path) {
  return Status::Internal("ListDirectory(" + path + ") is not supported by this Host");
}

Result<std::unique_ptr<Process>> Host::Spawn(const Command& cmd) {
  return Status::Internal("Spawn(" + (cmd.argv.empty() ? std::string() : cmd.argv[0]) +
                          ") is not supported by this Host");
}

Result<std::string> Host::ReadLink(const std::string& path) {
  return Status::Internal("ReadLink(" + path + ") is not supported by this Host");
}

std::string Command::LoggableArgv() const {
  std::string text;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) text += ' ';
    bool secret = false;
    for (size_t j : secret_args) secret = secret || j == i;
    text += secret ? std::string("***") : argv[i];
  }
  return text;
}

Result<Output> RunChecked(Host& host, std::vector<std::string> argv, std::string input,
                          milliseconds timeout) {
  Command cmd;
  cmd.argv = std::move(argv);
  cmd.input = std::move(input);
  cmd.timeout = timeout;
  SAN_ASSIGN_OR_RETURN(Output output, host.Run(cmd));
  if (output.exit_code != 0) {
    std::string program = cmd.argv.empty() ? std::string("(empty command)") : Basename(cmd.argv[0]);
    std::string message = program + " exited " + std::to_string(output.exit_code);
    std::string line = output.FirstErrorLine();
    if (!line.empty()) message += ": " + line;
    return Status::CommandFailed(std::move(message));
  }
  return output;
}

}  // namespace san
