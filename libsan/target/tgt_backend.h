// The tgtd backend: every change is one `tgtadm` argv (never a shell string), the state comes from
// `tgtadm --op show` parsed exactly, and errors are classified by tgtadm's stderr text (it exits
// 22 for nearly everything).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libsan/target/backend.h"

namespace san::target::tgt {

// What a failed tgtadm said, by its stderr text.
enum class TgtError {
  kNone,
  kNotFound,    // "can't find the target/logical unit/session/connection/account", ACL absent
  kExists,      // "... already exists"
  kBusy,        // "... is still active"
  kInvalid,     // "invalid request", "unknown parameter", option not supported
  kDaemonDown,  // cannot reach tgtd over its control socket
  kOther,
};
TgtError ClassifyTgtadm(const Output& out);

// tgt's known per-target iSCSI parameter names (tgtadm --op show --mode target --tid N).
bool IsTgtTargetOption(const std::string& name);

class TgtBackend : public TargetBackend {
 public:
  TgtBackend(Host& host, Logger& log, BackendOptions options);

  std::string_view Name() const override { return "tgt"; }
  Status CheckConfig(const TargetConfig& config) const override;
  std::string DaemonIdentity() const override;
  Result<bool> DaemonRunning() override;
  Result<int> StartDaemon() override;
  Status StopDaemon() override;
  Result<RunningState> ReadState(bool accounts) override;
  Result<std::map<std::string, std::string>> ReadTargetOptions(int tid) override;
  Status Execute(const Step& step) override;
  Result<std::string> PersistentConfig(const TargetConfig& config) const override;
  std::string PersistentConfigPath() const override { return "/etc/tgt/conf.d/sanha.conf"; }
  uint64_t (*SizeUnits() const)(uint64_t) override;

  // The argv of tgtadm for `args` ("--op", "show", ...), as run (tests compare against it).
  static std::vector<std::string> Argv(std::vector<std::string> args);

 private:
  // Runs tgtadm; `secret` is the index of a password argument in `args` (-1: none).
  Result<Output> Tgtadm(std::vector<std::string> args, int secret = -1);
  // Runs tgtadm and maps failures: `ok_if` errors count as success (idempotent steps).
  Status Change(std::vector<std::string> args, std::initializer_list<TgtError> ok_if,
                std::string_view what, int secret = -1);
  // Retries while tgt says busy, up to kBusyWait (bounded by the host deadline).
  Status ChangeWhileBusy(std::vector<std::string> args, std::initializer_list<TgtError> ok_if,
                         std::string_view what);
  Status CloseSessions(int tid);
  Status AddLun(const Step& step);

  Host& host_;
  Logger& log_;
  BackendOptions options_;
};

}  // namespace san::target::tgt
