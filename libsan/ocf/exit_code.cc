// The single Status → OCF exit code mapping.
#include "libsan/ocf/exit_code.h"

namespace san::ocf {

bool ParseAction(std::string_view text, Action* action) {
  static constexpr struct {
    std::string_view name;
    Action action;
  } kActions[] = {
      {"start", Action::kStart},
      {"stop", Action::kStop},
      {"monitor", Action::kMonitor},
      {"status", Action::kMonitor},
      {"reload", Action::kReload},
      {"validate-all", Action::kValidateAll},
      {"meta-data", Action::kMetaData},
      {"metadata", Action::kMetaData},
      {"usage", Action::kUsage},
      {"help", Action::kUsage},
      // OCF 1.1: Pacemaker asks an agent advertising it to apply its reloadable parameters.
      {"reload-agent", Action::kReload},
  };
  for (const auto& a : kActions) {
    if (a.name == text) {
      *action = a.action;
      return true;
    }
  }
  return false;
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kStart:
      return "start";
    case Action::kStop:
      return "stop";
    case Action::kMonitor:
      return "monitor";
    case Action::kReload:
      return "reload";
    case Action::kValidateAll:
      return "validate-all";
    case Action::kMetaData:
      return "meta-data";
    case Action::kUsage:
      return "usage";
  }
  return "unknown";
}

ExitCode ExitCodeFor(const Status& status, Action action, bool probe) {
  switch (status.code()) {
    case Code::kOk:
      return ExitCode::kSuccess;
    case Code::kInvalidConfig:
      return ExitCode::kErrConfigured;
    case Code::kNotInstalled:
    case Code::kNotFound:
      if (action == Action::kStop) return ExitCode::kSuccess;
      if (action == Action::kMonitor) return probe ? ExitCode::kNotRunning : ExitCode::kErrGeneric;
      return status.code() == Code::kNotInstalled ? ExitCode::kErrInstalled : ExitCode::kErrGeneric;
    case Code::kPermission:
      return ExitCode::kErrPerm;
    case Code::kCommandFailed:
    case Code::kTimeout:
    case Code::kCorruption:
    case Code::kBusy:
    case Code::kInternal:
      return ExitCode::kErrGeneric;
  }
  return ExitCode::kErrGeneric;
}

}  // namespace san::ocf
