// tgtd's life cycle for agents that own it: started detached (tgtd daemonizes itself) with the
// control socket in its environment, stopped through its own control request.
#include "libsan/target/tgt_backend.h"

namespace san::target::tgt {

namespace {

constexpr milliseconds kPoll{100};
constexpr milliseconds kDaemonWait{10'000};

}  // namespace

Result<bool> TgtBackend::DaemonRunning() {
  SAN_ASSIGN_OR_RETURN(Output out, Tgtadm({"--op", "show", "--mode", "system"}));
  if (out.exit_code == 0) return true;
  if (ClassifyTgtadm(out) == TgtError::kDaemonDown) return false;
  return Status::CommandFailed("tgtadm --op show --mode system exited " +
                               std::to_string(out.exit_code) + ": " + out.FirstErrorLine());
}

Status TgtBackend::StartDaemon() {
  Command cmd;
  cmd.argv = {"tgtd"};
  if (!options_.portals.empty()) {
    cmd.argv.push_back("--iscsi");
    cmd.argv.push_back("portal=" + options_.portals.front().ToString());
  }
  if (!options_.socket.empty()) cmd.extra_env.push_back("TGT_IPC_SOCKET=" + options_.socket);
  cmd.timeout = kDaemonWait;
  SAN_ASSIGN_OR_RETURN(Output out, host_.Run(cmd));  // tgtd daemonizes itself
  if (out.exit_code != 0) {
    return Status::CommandFailed("tgtd exited " + std::to_string(out.exit_code) + ": " +
                                 out.FirstErrorLine());
  }
  const Clock::time_point give_up = host_.Now() + kDaemonWait;
  while (true) {
    SAN_ASSIGN_OR_RETURN(bool up, DaemonRunning());
    if (up) break;
    if (host_.Now() >= give_up) return Status::Timeout("tgtd started but does not answer");
    host_.SleepFor(kPoll);
  }
  for (size_t i = 1; i < options_.portals.size(); ++i) {
    SAN_RETURN_IF_ERROR(Change(
        {"--op", "new", "--mode", "portal", "--param", "portal=" + options_.portals[i].ToString()},
        {TgtError::kExists}, "add portal"));
  }
  log_.Info("tgtd started");
  return Status::Ok();
}

Status TgtBackend::StopDaemon() {
  Status asked =
      Change({"--op", "delete", "--mode", "system"}, {TgtError::kDaemonDown}, "stop tgtd");
  if (asked.code() == Code::kInvalidConfig) {
    // tgtd refuses to exit while it has targets: those left are not the file's (already removed),
    // and they end with the daemon anyway.
    SAN_ASSIGN_OR_RETURN(RunningState state, ReadState(false));
    for (const auto& t : state.targets) {
      log_.Warning("stopping tgtd: deleting target " + t.name + " that is not in the file");
      SAN_RETURN_IF_ERROR(
          Change({"--op", "delete", "--mode", "target", "--force", "--tid", std::to_string(t.tid)},
                 {TgtError::kNotFound}, "delete target " + t.name));
    }
    asked = Change({"--op", "delete", "--mode", "system"}, {TgtError::kDaemonDown}, "stop tgtd");
  }
  SAN_RETURN_IF_ERROR(asked);
  const Clock::time_point give_up = host_.Now() + kDaemonWait;
  while (true) {
    SAN_ASSIGN_OR_RETURN(bool up, DaemonRunning());
    if (!up) return Status::Ok();
    if (host_.Now() >= give_up) return Status::Timeout("tgtd was asked to exit but still answers");
    host_.SleepFor(kPoll);
  }
}

}  // namespace san::target::tgt
