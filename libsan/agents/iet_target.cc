// iet-target handlers on top of san::target. Daemon ownership is a mark in the state directory:
// only a daemon this agent started is stopped by it.
#include "libsan/agents/iet_target.h"

#include "libsan/firewall/firewall.h"
#include "libsan/target/target_file.h"
#include "libsan/util/strings.h"

namespace san::agents::iet_target {

namespace {

constexpr size_t kMaxReasons = 3;
constexpr milliseconds kAttributeTimeout{5'000};

std::string OwnerMark(const Config& cfg) { return cfg.reconcile.state_dir + "/daemon-owned"; }

Status CheckAbsolutePath(std::string_view param, const std::string& value, bool may_be_empty) {
  if (value.empty() && may_be_empty) return Status::Ok();
  if (value.empty() || value[0] != '/' || value.find("/../") != std::string::npos ||
      value.find(' ') != std::string::npos) {
    return Status::InvalidConfig(std::string(param) + ": '" + Printable(value) +
                                 "' is not an absolute path");
  }
  return Status::Ok();
}

struct Loaded {
  Config cfg;
  target::TargetConfig file;
  std::unique_ptr<target::TargetBackend> backend;
};

// Parameters, the target file (parsed and checked against the backend) and the backend.
Result<Loaded> Load(ocf::Context& ctx) {
  Loaded l;
  SAN_ASSIGN_OR_RETURN(l.cfg, LoadConfig(ctx.params()));
  SAN_ASSIGN_OR_RETURN(l.file, target::LoadTargetFile(ctx.host(), l.cfg.config_path));
  SAN_ASSIGN_OR_RETURN(l.backend, target::MakeTargetBackend(l.cfg.backend, ctx.host(), ctx.log(),
                                                            l.cfg.backend_options));
  SAN_RETURN_IF_ERROR(l.backend->CheckConfig(l.file));
  return l;
}

// Parameters only: the file is the monitor's own business (a file being edited must not turn a
// recurring monitor into a fatal configuration error).
Result<std::unique_ptr<target::TargetBackend>> LoadBackend(ocf::Context& ctx, const Config& cfg) {
  return target::MakeTargetBackend(cfg.backend, ctx.host(), ctx.log(), cfg.backend_options);
}

Result<target::TargetConfig> LoadFile(ocf::Context& ctx, const Config& cfg,
                                      const target::TargetBackend& backend) {
  SAN_ASSIGN_OR_RETURN(target::TargetConfig file,
                       target::LoadTargetFile(ctx.host(), cfg.config_path));
  SAN_RETURN_IF_ERROR(backend.CheckConfig(file));
  return file;
}

std::string Reasons(const std::vector<target::Step>& diffs) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < diffs.size() && i < kMaxReasons; ++i) parts.push_back(diffs[i].Describe());
  std::string text = Join(parts, "; ");
  if (diffs.size() > kMaxReasons) {
    text += "; and " + std::to_string(diffs.size() - kMaxReasons) + " more";
  }
  return text;
}

// With manage_daemon, a running tgtd must be the one this resource started: the distribution's
// tgt service starts one listening on every address, so adopting it would let initiators log in
// around the VIP and the firewall holds. Ours = the ownership mark exists and, when it names a
// pid and /proc is there, that process still runs. Busy naming the remedy otherwise.
Status CheckOwnDaemon(ocf::Context& ctx, const Config& cfg) {
  const std::string socket =
      cfg.backend_options.socket.empty() ? "tgt's default socket" : cfg.backend_options.socket;
  const std::string remedy =
      ": stop it and keep it from starting at boot (systemctl disable --now tgt), or set "
      "manage_daemon=false to use a daemon managed elsewhere as it is";
  Result<std::string> mark = ctx.host().ReadFile(OwnerMark(cfg));
  if (!mark.ok()) {
    return Status::Busy("a tgtd this resource did not start already runs on " + socket +
                        " (the distribution's tgt service listens on every address)" + remedy);
  }
  const size_t at = mark->find("pid=");
  if (at == std::string::npos || !ctx.host().Stat("/proc/self").ok()) return Status::Ok();
  Result<int64_t> pid = ParseInt64(Trim(std::string_view(*mark).substr(at + 4)));
  if (pid.ok() &&
      ctx.host().Stat("/proc/" + std::to_string(*pid)).status().code() == Code::kNotFound) {
    return Status::Busy("the tgtd this resource started (pid " + std::to_string(*pid) +
                        ") is gone and another one runs on " + socket + remedy);
  }
  return Status::Ok();
}

std::string PendingPath(const Config& cfg) { return cfg.reconcile.state_dir + "/pending"; }

// Makes a pending change visible: a warning in the log and as the operation's exit reason on every
// monitor that finds it, and, when Pacemaker runs the agent (it names the node in
// CRM_meta_on_node), a transient node attribute iet-target-pending-INSTANCE that crm_mon -A shows.
// The attribute is only touched when the text changes (STATE_DIR/pending keeps the last one), and
// never fails the operation: crm_attribute missing or refusing is logged and otherwise ignored.
void PublishPending(ocf::Context& ctx, const Config& cfg, const std::string& text) {
  Host& host = ctx.host();
  if (!text.empty()) {
    ctx.log().Warning(text);
    ctx.SetWarning(text);
  }
  Result<std::string> last = host.ReadFile(PendingPath(cfg));
  const std::string was = last.ok() ? *last : "";
  if (was == text) return;
  Status saved = text.empty() ? host.RemoveFile(PendingPath(cfg))
                              : host.WriteFileAtomically(PendingPath(cfg), text);
  if (!saved.ok()) ctx.log().Warning("cannot record the pending state: " + saved.ToString());
  const std::string& node = ctx.Env("OCF_RESKEY_CRM_meta_on_node");
  if (node.empty() || ctx.instance().empty()) return;  // not run by Pacemaker: the log says it
  Command cmd;
  cmd.argv = {"crm_attribute",
              "--node",
              node,
              "--lifetime",
              "reboot",
              "--name",
              PendingAttribute(ctx.instance())};
  if (text.empty()) {
    cmd.argv.push_back("--delete");
  } else {
    cmd.argv.insert(cmd.argv.end(), {"--update", Printable(text, 200)});
  }
  cmd.timeout = std::min(kAttributeTimeout, host.TimeLeft());
  Result<Output> out = host.Run(cmd);
  if (!out.ok()) {
    ctx.log().Debug("node attribute not set: " + out.status().ToString());
  } else if (out->exit_code != 0) {
    ctx.log().Warning("crm_attribute exited " + std::to_string(out->exit_code) + ": " +
                      out->FirstErrorLine());
  }
}

std::string PendingText(const std::vector<target::Step>& pending) {
  return "pending: " + std::to_string(pending.size()) +
         " change(s) of the target file or a grown backing device not applied yet (apply them "
         "with a reload): " +
         Reasons(pending);
}

// A recurring monitor of a started resource whose file cannot be used right now (being edited,
// a LUN's new volume not created yet): running when the daemon still runs what sanha applied.
Result<ocf::RunState> MonitorAsApplied(ocf::Context& ctx, const Config& cfg,
                                       target::TargetBackend& backend, const Status& why) {
  target::ReconcileOptions opts = cfg.reconcile;
  opts.read_accounts = ctx.check_level() >= 10;
  SAN_ASSIGN_OR_RETURN(bool as_applied, target::RunsAsApplied(ctx.host(), backend, opts));
  if (!as_applied) {
    return Status::CommandFailed(why.message() +
                                 "; and the daemon no longer runs what was last applied");
  }
  PublishPending(ctx, cfg, "pending: the target file cannot be applied: " + why.message());
  return ocf::RunState::kRunning;
}

}  // namespace

std::string PendingAttribute(const std::string& instance) {
  return "iet-target-pending-" + instance;
}

Result<Config> LoadConfig(const ocf::Params& params) {
  Config cfg;
  cfg.config_path = params.String("config");
  SAN_RETURN_IF_ERROR(CheckAbsolutePath("config", cfg.config_path, false));
  cfg.backend = params.String("backend");
  if (cfg.backend != "tgt" && cfg.backend != "auto") {
    return Status::InvalidConfig("backend: '" + Printable(cfg.backend) + "' is not tgt or auto");
  }
  Result<std::vector<target::Portal>> portals = target::ParsePortals(params.String("portals"));
  if (!portals.ok()) return portals.status().WithContext("portals");
  cfg.backend_options.portals = *portals;
  cfg.reconcile.portals = *portals;
  cfg.backend_options.socket = params.String("tgtd_socket");
  SAN_RETURN_IF_ERROR(CheckAbsolutePath("tgtd_socket", cfg.backend_options.socket, true));
  cfg.reconcile.state_dir = params.String("state_dir");
  SAN_RETURN_IF_ERROR(CheckAbsolutePath("state_dir", cfg.reconcile.state_dir, false));
  const std::string& fw = params.String("firewall");
  if (fw != "none" && !firewall::ParseBackendKind(fw).ok()) {
    return Status::InvalidConfig("firewall: '" + Printable(fw) +
                                 "' is not auto, nft, iptables or none");
  }
  cfg.reconcile.firewall = fw;
  firewall::BlockSpecText chain;
  chain.chain = params.String("firewall_chain");
  Result<firewall::BlockSpec> spec = firewall::ParseBlockSpec(chain);
  if (!spec.ok()) return spec.status().WithContext("firewall_chain");
  cfg.reconcile.chain = chain.chain;
  cfg.reconcile.remove_stale = params.Boolean("remove_stale");
  cfg.manage_daemon = params.Boolean("manage_daemon");
  return cfg;
}

Status Validate(ocf::Context& ctx) {
  if (ctx.action() == ocf::Action::kMonitor) return LoadConfig(ctx.params()).status();
  return Load(ctx).status();
}

Status Start(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  SAN_ASSIGN_OR_RETURN(bool up, l.backend->DaemonRunning());
  if (up && l.cfg.manage_daemon) SAN_RETURN_IF_ERROR(CheckOwnDaemon(ctx, l.cfg));
  if (!up) {
    if (!l.cfg.manage_daemon) {
      return Status::NotFound("tgtd is not running and manage_daemon is false");
    }
    SAN_RETURN_IF_ERROR(ctx.host().MakeDirectories(l.cfg.reconcile.state_dir, 0700));
    // The mark first: a crash right after the daemon starts must still let stop stop it.
    SAN_RETURN_IF_ERROR(ctx.host().WriteFileAtomically(OwnerMark(l.cfg), "tgtd\n"));
    SAN_ASSIGN_OR_RETURN(int pid, l.backend->StartDaemon());
    if (pid > 0) {
      SAN_RETURN_IF_ERROR(ctx.host().WriteFileAtomically(OwnerMark(l.cfg),
                                                         "tgtd pid=" + std::to_string(pid) + "\n"));
    }
  }
  Result<target::ApplyReport> report =
      target::Apply(ctx.host(), ctx.log(), *l.backend, l.file, l.cfg.reconcile);
  if (!report.ok()) return report.status();
  ctx.log().Info("started: " + std::to_string(l.file.targets.size()) + " target(s) from " +
                 l.cfg.config_path + ", " + std::to_string(report->executed.size()) + " step(s)");
  PublishPending(ctx, l.cfg, "");
  return ctx.SetStarted(true);
}

Status Stop(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  SAN_ASSIGN_OR_RETURN(bool up, l.backend->DaemonRunning());
  if (up) {
    SAN_RETURN_IF_ERROR(
        target::RemoveConfigured(ctx.host(), ctx.log(), *l.backend, l.file, l.cfg.reconcile));
  }
  if (l.cfg.manage_daemon && ctx.host().Stat(OwnerMark(l.cfg)).ok()) {
    Status ours = CheckOwnDaemon(ctx, l.cfg);
    if (!ours.ok()) {
      ctx.log().Warning("not stopping tgtd: " + ours.message());
    } else if (up) {
      SAN_RETURN_IF_ERROR(l.backend->StopDaemon());
    }
    SAN_RETURN_IF_ERROR(ctx.host().RemoveFile(OwnerMark(l.cfg)));
  }
  PublishPending(ctx, l.cfg, "");
  return ctx.SetStarted(false);
}

Status Reload(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  Result<target::ApplyReport> report =
      target::Apply(ctx.host(), ctx.log(), *l.backend, l.file, l.cfg.reconcile);
  if (!report.ok()) return report.status();
  ctx.log().Info("reloaded " + l.cfg.config_path + ": " + std::to_string(report->executed.size()) +
                 " step(s)");
  PublishPending(ctx, l.cfg, "");
  return Status::Ok();
}

Result<ocf::RunState> Monitor(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_ASSIGN_OR_RETURN(auto backend, LoadBackend(ctx, cfg));
  const bool marked = ctx.IsMarkedStarted();
  const bool recurring = marked && !ctx.is_probe();
  Result<target::TargetConfig> file = LoadFile(ctx, cfg, *backend);
  if (!file.ok() && (!recurring || ctx.action() == ocf::Action::kReload)) return file.status();
  // The front asks monitor before a reload: a started resource with drift is exactly what a
  // reload is for, so only "started here and the daemon runs" matters then.
  if (ctx.action() == ocf::Action::kReload) {
    SAN_ASSIGN_OR_RETURN(bool up, backend->DaemonRunning());
    return marked && up ? ocf::RunState::kRunning : ocf::RunState::kStopped;
  }
  target::ReconcileOptions opts = cfg.reconcile;
  const bool full = ctx.check_level() >= 10;
  opts.read_accounts = full;
  opts.read_options = full;
  // One tgtadm call at depth 0: the daemon is asked whether it runs only when reading failed.
  Result<target::Assessment> a = file.ok() ? target::Assess(ctx.host(), *backend, *file, opts)
                                           : Result<target::Assessment>(file.status());
  if (!a.ok()) {
    Result<bool> up = backend->DaemonRunning();
    if (up.ok() && !*up) {
      if (recurring) return Status::CommandFailed("tgtd is not running");
      return ocf::RunState::kStopped;
    }
    const Code code = a.status().code();
    if (recurring &&
        (code == Code::kInvalidConfig || code == Code::kNotFound || code == Code::kPermission)) {
      return MonitorAsApplied(ctx, cfg, *backend, a.status());
    }
    return a.status();
  }
  bool any = false;
  for (const auto& t : file->targets) any = any || a->ins.actual.Find(t.name) != nullptr;
  if (!any && !marked) return ocf::RunState::kStopped;  // nothing of the file runs here
  if (!a->ins.pending_holds.empty()) {
    return Status::CommandFailed("an interrupted run left initiators held on target " +
                                 a->ins.pending_holds.front().target + "; run reload");
  }
  if (!a->drift.empty()) return Status::CommandFailed("drift: " + Reasons(a->drift));
  if (marked) PublishPending(ctx, cfg, a->pending.empty() ? "" : PendingText(a->pending));
  return ocf::RunState::kRunning;
}

}  // namespace san::agents::iet_target
