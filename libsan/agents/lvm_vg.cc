// lvm-vg: parameters, node identity, the failover budget samples, and the mapping of activation
// results to OCF states. Exit codes follow the one mapping in libsan/ocf/exit_code.cc: a VG that
// vanished is NotFound (probe: not running; recurring monitor: error; stop: success).
#include "libsan/agents/lvm_vg.h"

#include <cstdio>

#include "libsan/lvm/fencing.h"
#include "libsan/util/strings.h"

namespace san::agents::lvm_vg {

namespace {

std::string SamplesPath(ocf::Context& ctx) { return ctx.StateFile("activation"); }

std::vector<lvm::ActivationSample> LoadSamples(ocf::Context& ctx) {
  Result<std::string> text = ctx.host().ReadFile(SamplesPath(ctx));
  return text.ok() ? lvm::ParseSamples(*text) : std::vector<lvm::ActivationSample>{};
}

// The projection against the budget: a warning text, or "" when within budget (or none set).
std::string BudgetWarning(const Config& cfg, const std::vector<lvm::ActivationSample>& samples,
                          uint64_t used) {
  if (cfg.budget <= milliseconds(0)) return {};
  lvm::BudgetModel model = lvm::Learn(samples);
  if (lvm::Project(model, used) <= cfg.budget) return {};
  char budget[32];
  if (cfg.budget < std::chrono::seconds(1)) {
    std::snprintf(budget, sizeof budget, "%lld ms", static_cast<long long>(cfg.budget.count()));
  } else {
    std::snprintf(budget, sizeof budget, "%.1f s", static_cast<double>(cfg.budget.count()) / 1000);
  }
  return "failover budget exceeded: " + lvm::DescribeProjection(model, used) +
         " > activation_budget " + budget;
}

lvm::NodeDownCheck RealNodeDown(Host& host) {
  return [&host](const std::string& node) { return lvm::CheckNodeDown(host, node); };
}

Hooks DefaultHooks(ocf::Context& ctx) {
  Hooks h;
  h.node_down = RealNodeDown(ctx.host());
  return h;
}

}  // namespace

Result<Config> LoadConfig(const ocf::Params& params) {
  Config cfg;
  cfg.vg.vg = params.String("vgname");
  SAN_RETURN_IF_ERROR(lvm::CheckVgName(cfg.vg.vg));
  cfg.vg.exclusive = params.Boolean("exclusive");
  Result<lvm::OwnerMethod> method = lvm::ParseOwnerMethod(params.String("method"));
  if (!method.ok()) return method.status();
  cfg.vg.owner.method = *method;
  cfg.vg.owner.tag_prefix = params.String("tag");
  SAN_RETURN_IF_ERROR(lvm::CheckTag(cfg.vg.owner.tag_prefix, "tag"));
  cfg.vg.partial = params.Boolean("partial_activation");
  cfg.budget = params.Time("activation_budget");
  if (cfg.budget < milliseconds(0)) return Status::InvalidConfig("activation_budget: negative");
  return cfg;
}

Status ResolveIdentity(ocf::Context& ctx, Config* cfg) {
  // Blanks and line ends around a name are nobody's intent ("sp1\n" from a file or $(cmd)).
  std::vector<std::string> words = SplitList(ctx.Env("OCF_RESKEY_CRM_meta_on_node"), " \t\r\n");
  if (words.empty()) {
    Result<std::string> host_name = ctx.host().ReadFile("/proc/sys/kernel/hostname");
    if (!host_name.ok()) return host_name.status().WithContext("cannot learn this node's name");
    words = SplitList(*host_name, " \t\r\n");
  }
  if (words.size() != 1) {
    return Status::InvalidConfig("this node's name is not one word: '" +
                                 Printable(Join(words, " ")) + "'");
  }
  const std::string& node = words[0];
  cfg->vg.owner.node = node;
  SAN_RETURN_IF_ERROR(lvm::CheckTag(lvm::OwnerTag(cfg->vg.owner), "owner tag (tag_node)"));
  if (cfg->vg.exclusive && cfg->vg.owner.method == lvm::OwnerMethod::kSystemId) {
    SAN_ASSIGN_OR_RETURN(cfg->vg.owner.system_id, lvm::ReadSystemId(ctx.host()));
  }
  return Status::Ok();
}

Status Validate(ocf::Context& ctx) { return LoadConfig(ctx.params()).status(); }

Status Start(ocf::Context& ctx) { return StartWith(ctx, DefaultHooks(ctx)); }
Status Stop(ocf::Context& ctx) { return StopWith(ctx, DefaultHooks(ctx)); }

Status StartWith(ocf::Context& ctx, const Hooks& hooks) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_RETURN_IF_ERROR(ResolveIdentity(ctx, &cfg));
  SAN_ASSIGN_OR_RETURN(lvm::Activation act,
                       lvm::ActivateVg(ctx.host(), ctx.log(), cfg.vg, hooks.node_down));
  std::vector<lvm::ActivationSample> samples = LoadSamples(ctx);
  if (!act.was_active) {
    samples.push_back({act.took, act.snapshot_used});
    const std::string path = SamplesPath(ctx);
    // Samples only refine the projection: failing to keep one is not a failed start.
    ctx.host().MakeDirectories(path.substr(0, path.rfind('/'))).IgnoreError();
    ctx.host().WriteFileAtomically(path, lvm::FormatSamples(samples)).IgnoreError();
  }
  if (std::string w = BudgetWarning(cfg, samples, act.snapshot_used); !w.empty()) {
    ctx.log().Warning(w);
  }
  return ctx.SetStarted(true);
}

Status StopWith(ocf::Context& ctx, const Hooks& hooks) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_RETURN_IF_ERROR(ResolveIdentity(ctx, &cfg));
  SAN_RETURN_IF_ERROR(lvm::DeactivateVg(ctx.host(), ctx.log(), cfg.vg, hooks.deactivate));
  return ctx.SetStarted(false);
}

Result<ocf::RunState> Monitor(ocf::Context& ctx) {
  SAN_ASSIGN_OR_RETURN(Config cfg, LoadConfig(ctx.params()));
  SAN_RETURN_IF_ERROR(ResolveIdentity(ctx, &cfg));
  const bool started = !ctx.is_probe() && ctx.IsMarkedStarted();
  Result<lvm::Inspection> in = lvm::InspectVg(ctx.host(), cfg.vg, started, ctx.check_level() >= 10);
  if (!in.ok()) {
    if (in.status().code() == Code::kNotFound) {
      return Status::NotFound("volume group " + cfg.vg.vg +
                              " is not visible (its disks are gone or unreadable)");
    }
    return in.status();
  }
  if (!in->problem.empty()) return Status::CommandFailed(in->problem);
  if (!in->running) return ocf::RunState::kStopped;
  if (std::string w = BudgetWarning(cfg, LoadSamples(ctx), in->state.SnapshotUsedBytes());
      !w.empty()) {
    ctx.SetWarning(w);
  }
  return ocf::RunState::kRunning;
}

int BootDeactivate(Host& host, Logger& log, const std::vector<std::string>& args) {
  std::string prefix = "pacemaker";
  std::vector<std::string> vgs;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--tag" && i + 1 < args.size()) {
      prefix = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      log.Error("usage: lvm-vg boot-deactivate [--tag PREFIX] [VG...]");
      return 2;
    } else {
      vgs.push_back(args[i]);
    }
  }
  if (Status st = lvm::CheckTag(prefix, "--tag"); !st.ok()) {
    log.Error(st.message());
    return 2;
  }
  for (const std::string& vg : vgs) {
    if (Status st = lvm::CheckVgName(vg, "volume group"); !st.ok()) {
      log.Error(st.message());
      return 2;
    }
  }
  if (vgs.empty()) {
    // Every cluster VG: those with an owner tag of ours or a system ID.
    std::vector<std::string> argv = {"lvm",     "vgs", "--reportformat", "json", "--foreign",
                                     "--units", "b",   "--nosuffix",     "-o",   lvm::kVgFields};
    Result<Output> out = RunChecked(host, argv);
    if (!out.ok()) {
      log.Error(out.status().message());
      return 1;
    }
    Result<std::vector<lvm::VgInfo>> rows = lvm::ParseVgs(out->out);
    if (!rows.ok()) {
      log.Error(rows.status().message());
      return 1;
    }
    for (const lvm::VgInfo& vg : *rows) {
      bool cluster = !vg.system_id.empty();
      for (const std::string& tag : vg.tags) cluster |= tag.rfind(prefix + "_", 0) == 0;
      if (cluster) vgs.push_back(vg.name);
    }
  }
  int rc = 0;
  for (const std::string& vg : vgs) {
    Result<Output> out = RunChecked(host, lvm::DeactivateArgv(vg));
    if (out.ok()) {
      log.Info("deactivated " + vg);
    } else if (out.status().message().find("with system ID") != std::string::npos) {
      // Another host's VG: lvm refuses to touch it, and it cannot be active here.
      log.Info("skipped " + vg + ": " + out.status().message());
    } else {
      log.Error("cannot deactivate " + vg + ": " + out.status().message());
      rc = 1;
    }
  }
  if (vgs.empty()) log.Info("no cluster volume group found");
  return rc;
}

}  // namespace san::agents::lvm_vg
