// OCF exit codes and the one mapping from a handler's Status to the code pacemaker sees, with
// resource-agents' rules for a broken environment (missing program, missing object).
#pragma once

#include <string_view>

#include "libsan/util/status.h"

namespace san::ocf {

enum class ExitCode : int {
  kSuccess = 0,
  kErrGeneric = 1,
  kErrArgs = 2,
  kErrUnimplemented = 3,
  kErrPerm = 4,
  kErrInstalled = 5,
  kErrConfigured = 6,
  kNotRunning = 7,
};

enum class Action { kStart, kStop, kMonitor, kReload, kValidateAll, kMetaData, kUsage };

// "start" → kStart, "status" → kMonitor (its OCF alias), ...; false when unknown.
bool ParseAction(std::string_view text, Action* action);
std::string_view ActionName(Action action);

// How a failed (or OK) handler Status becomes an exit code:
//  - OK → 0.
//  - InvalidConfig → 6 in every action (the configuration cannot work anywhere).
//  - NotInstalled / NotFound (the environment cannot hold a running instance):
//      stop → 0 (it cannot be running), probe → 7, recurring monitor → 1,
//      otherwise NotInstalled → 5 and NotFound → 1.
//  - Permission → 4. Everything else (CommandFailed, Timeout, Busy, Corruption, Internal) → 1.
ExitCode ExitCodeFor(const Status& status, Action action, bool probe);

}  // namespace san::ocf
