// iet-target handlers on top of san::target. Daemon ownership is a mark in the state directory:
// only a daemon this agent started is stopped by it.
#include "libsan/agents/iet_target.h"

#include "libsan/firewall/firewall.h"
#include "libsan/target/hold_options.h"
#include "libsan/target/target_file.h"
#include "libsan/util/strings.h"

namespace san::agents::iet_target {

namespace {

constexpr size_t kMaxReasons = 3;

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

std::string Reasons(const std::vector<target::Step>& diffs) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < diffs.size() && i < kMaxReasons; ++i) parts.push_back(diffs[i].Describe());
  std::string text = Join(parts, "; ");
  if (diffs.size() > kMaxReasons) {
    text += "; and " + std::to_string(diffs.size() - kMaxReasons) + " more";
  }
  return text;
}

}  // namespace

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
  SAN_RETURN_IF_ERROR(
      target::CheckHoldOptions(params.String("firewall"), params.String("firewall_chain")));
  cfg.reconcile.firewall = params.String("firewall");
  cfg.reconcile.chain = params.String("firewall_chain");
  cfg.reconcile.remove_stale = params.Boolean("remove_stale");
  cfg.manage_daemon = params.Boolean("manage_daemon");
  return cfg;
}

Status Validate(ocf::Context& ctx) { return Load(ctx).status(); }

Status Start(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  SAN_ASSIGN_OR_RETURN(bool up, l.backend->DaemonRunning());
  if (!up) {
    if (!l.cfg.manage_daemon) {
      return Status::NotFound("tgtd is not running and manage_daemon is false");
    }
    SAN_RETURN_IF_ERROR(ctx.host().MakeDirectories(l.cfg.reconcile.state_dir, 0700));
    // The mark first: a crash right after the daemon starts must still let stop stop it.
    SAN_RETURN_IF_ERROR(ctx.host().WriteFileAtomically(OwnerMark(l.cfg), "tgtd\n"));
    SAN_RETURN_IF_ERROR(l.backend->StartDaemon());
  }
  Result<target::ApplyReport> report =
      target::Apply(ctx.host(), ctx.log(), *l.backend, l.file, l.cfg.reconcile);
  if (!report.ok()) return report.status();
  ctx.log().Info("started: " + std::to_string(l.file.targets.size()) + " target(s) from " +
                 l.cfg.config_path + ", " + std::to_string(report->executed.size()) + " step(s)");
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
    if (up) SAN_RETURN_IF_ERROR(l.backend->StopDaemon());
    SAN_RETURN_IF_ERROR(ctx.host().RemoveFile(OwnerMark(l.cfg)));
  }
  return ctx.SetStarted(false);
}

Status Reload(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  Result<target::ApplyReport> report =
      target::Apply(ctx.host(), ctx.log(), *l.backend, l.file, l.cfg.reconcile);
  if (!report.ok()) return report.status();
  ctx.log().Info("reloaded " + l.cfg.config_path + ": " + std::to_string(report->executed.size()) +
                 " step(s)");
  return Status::Ok();
}

Result<ocf::RunState> Monitor(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  const bool marked = ctx.IsMarkedStarted();
  // The front asks monitor before a reload: a started resource with drift is exactly what a
  // reload is for, so only "started here and the daemon runs" matters then.
  if (ctx.action() == ocf::Action::kReload) {
    SAN_ASSIGN_OR_RETURN(bool up, l.backend->DaemonRunning());
    return marked && up ? ocf::RunState::kRunning : ocf::RunState::kStopped;
  }
  target::ReconcileOptions opts = l.cfg.reconcile;
  const bool full = ctx.check_level() >= 10;
  opts.read_accounts = full;
  opts.read_options = full;
  // One tgtadm call at depth 0: the daemon is asked whether it runs only when reading failed.
  Result<target::Inspection> ins = target::Inspect(ctx.host(), *l.backend, l.file, opts);
  if (!ins.ok()) {
    Result<bool> up = l.backend->DaemonRunning();
    if (up.ok() && !*up) {
      if (marked && !ctx.is_probe()) return Status::CommandFailed("tgtd is not running");
      return ocf::RunState::kStopped;
    }
    return ins.status();
  }
  bool any = false;
  for (const auto& t : l.file.targets) any = any || ins->actual.Find(t.name) != nullptr;
  if (!any && !marked) return ocf::RunState::kStopped;  // nothing of the file runs here
  if (!ins->pending_holds.empty()) {
    return Status::CommandFailed("an interrupted run left initiators held on target " +
                                 ins->pending_holds.front().target + "; run reload");
  }
  std::vector<target::Step> diffs = target::Differences(ins->plan);
  if (!diffs.empty()) return Status::CommandFailed("drift: " + Reasons(diffs));
  return ocf::RunState::kRunning;
}

}  // namespace san::agents::iet_target
