// tgtd's life cycle for agents that own it: started detached (tgtd daemonizes itself) with the
// control socket in its environment, stopped through its own control request.
#include "libsan/target/tgt_backend.h"
#include "libsan/util/strings.h"

namespace san::target::tgt {

namespace {

constexpr milliseconds kPoll{100};
constexpr milliseconds kDaemonWait{10'000};
constexpr char kDefaultSocket[] = "/var/run/tgtd/socket";

}  // namespace

std::string TgtBackend::DaemonIdentity() const {
  // Lexically normalised ("//", "/./", a trailing '/'), /var/run as /run (a link to it on every
  // current distribution), so each spelling of one socket gives one lock.
  std::string path = options_.socket.empty() ? kDefaultSocket : options_.socket;
  std::vector<std::string> parts;
  for (const std::string& p : SplitList(path, "/")) {
    if (p != ".") parts.push_back(p);
  }
  if (parts.size() >= 2 && parts[0] == "var" && parts[1] == "run") parts.erase(parts.begin());
  return "tgt:/" + Join(parts, "/");
}

Result<bool> TgtBackend::DaemonRunning() {
  SAN_ASSIGN_OR_RETURN(Output out, Tgtadm({"--op", "show", "--mode", "system"}));
  if (out.exit_code == 0) return true;
  if (ClassifyTgtadm(out) == TgtError::kDaemonDown) return false;
  return Status::CommandFailed("tgtadm --op show --mode system exited " +
                               std::to_string(out.exit_code) + ": " + out.FirstErrorLine());
}

Result<int> TgtBackend::StartDaemon() {
  // tgtd fails on a missing socket directory only after daemonizing, its reason in syslog: check
  // first. tgt's own default directory is created as its packaging would; a configured one is the
  // administrator's and must exist on this node.
  const std::string socket = options_.socket.empty() ? kDefaultSocket : options_.socket;
  const std::string dir = socket.substr(0, socket.rfind('/'));
  Result<FileInfo> info = host_.StatFollowingLinks(dir.empty() ? "/" : dir);
  if (!info.ok() && info.status().code() == Code::kNotFound && options_.socket.empty()) {
    SAN_RETURN_IF_ERROR(host_.MakeDirectories(dir, 0755));
  } else if (!info.ok() || info->type != FileInfo::Type::kDirectory) {
    return Status::NotInstalled("tgtd_socket: directory " + dir + " of " + socket +
                                (info.ok() ? " is not a directory" : " does not exist") +
                                " on this node");
  }
  Command cmd;
  // In the foreground, so an early exit and its reason are seen at once (a daemonizing tgtd
  // exits 0 and logs its failure to syslog); its own process group keeps it out of a timeout's
  // kill.
  cmd.argv = {"tgtd", "-f"};
  if (!options_.portals.empty()) {
    cmd.argv.push_back("--iscsi");
    cmd.argv.push_back("portal=" + options_.portals.front().ToString());
  }
  if (!options_.socket.empty()) cmd.extra_env.push_back("TGT_IPC_SOCKET=" + options_.socket);
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<Process> tgtd, host_.Spawn(cmd));
  const Clock::time_point give_up = host_.Now() + std::min(kDaemonWait, host_.TimeLeft());
  while (true) {
    if (std::optional<int> code = tgtd->ExitCode()) {
      Output out;
      out.err = tgtd->Output();
      return Status::CommandFailed("tgtd exited " + std::to_string(*code) + ": " +
                                   out.FirstErrorLine());
    }
    SAN_ASSIGN_OR_RETURN(bool up, DaemonRunning());
    if (up) break;
    if (host_.Now() >= give_up) return Status::Timeout("tgtd started but does not answer");
    host_.SleepFor(kPoll);
  }
  const int pid = tgtd->pid();
  for (size_t i = 1; i < options_.portals.size(); ++i) {
    SAN_RETURN_IF_ERROR(Change(
        {"--op", "new", "--mode", "portal", "--param", "portal=" + options_.portals[i].ToString()},
        {TgtError::kExists}, "add portal"));
  }
  log_.Info("tgtd started (pid " + std::to_string(pid) + ")");
  return pid;
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
