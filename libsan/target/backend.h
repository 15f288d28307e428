// TargetBackend: one interface per target daemon (tgt now; LIO and ietd later add an
// implementation). It reads the running state, checks the file against its own limits, executes
// single plan steps, writes its persistent configuration and starts/stops its daemon. Chosen once
// by MakeTargetBackend; nothing outside the backends knows which one runs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/target/model.h"
#include "libsan/target/step.h"
#include "libsan/util/logger.h"
#include "libsan/util/status.h"

namespace san::target {

// A portal the daemon listens on.
struct Portal {
  std::string address;  // "" = every address
  int port = 3260;
  std::string ToString() const;  // "192.0.2.1:3260", "[2001:db8::1]:3260", "*:3260"
};
// "192.0.2.1", "192.0.2.1:3261", "[2001:db8::1]:3260", comma/blank separated; "" = none.
Result<std::vector<Portal>> ParsePortals(std::string_view text);

struct BackendOptions {
  std::string socket;  // control socket prefix ("" = the daemon's default)
  std::vector<Portal> portals;
};

class TargetBackend {
 public:
  virtual ~TargetBackend() = default;
  virtual std::string_view Name() const = 0;

  // The backend's own limits on a parsed file (LUN numbering, option names). InvalidConfig
  // "FILE:LINE: ..." naming the first violation.
  virtual Status CheckConfig(const TargetConfig& config) const = 0;

  // Which daemon this backend talks to, the same text for every path naming it (tgt:
  // "tgt:/run/tgtd/socket" for its control socket), for the lock that serialises runs on it.
  virtual std::string DaemonIdentity() const = 0;

  // Whether the daemon answers. Never an error for "not running".
  virtual Result<bool> DaemonRunning() = 0;
  // Starts the daemon (detached) on the portals and waits until it answers; its pid (0 when the
  // backend cannot tell). An early exit fails at once with the daemon's own reason.
  virtual Result<int> StartDaemon() = 0;
  // Asks the daemon to exit and waits (bounded by the host deadline) until it is gone.
  virtual Status StopDaemon() = 0;

  // Targets, LUNs, sessions, ACLs and, with `accounts`, the account list and discovery accounts
  // (tgt: one more command each). NotFound("... not running") when the daemon does not answer.
  virtual Result<RunningState> ReadState(bool accounts) = 0;
  // The iSCSI options of one target, as the daemon reports them.
  virtual Result<std::map<std::string, std::string>> ReadTargetOptions(int tid) = 0;

  // Executes one step (not kHold/kRelease: the reconciler holds traffic). kCloseSessions waits
  // until the target has no session left; kDeleteLun and kDeleteTarget retry while the daemon
  // reports them busy, bounded by the host deadline.
  virtual Status Execute(const Step& step) = 0;

  // The daemon's own persistent configuration for `config` (tgt: targets.conf syntax).
  virtual Result<std::string> PersistentConfig(const TargetConfig& config) const = 0;
  // Where PersistentConfig() goes by default.
  virtual std::string PersistentConfigPath() const = 0;
  // The size unit the daemon reports (tgt: rounded MB), for the planner.
  virtual uint64_t (*SizeUnits() const)(uint64_t) = 0;
};

// "tgt" or "auto" (tgt for now). InvalidConfig otherwise.
Result<std::unique_ptr<TargetBackend>> MakeTargetBackend(std::string_view kind, Host& host,
                                                         Logger& log, BackendOptions options);

}  // namespace san::target
