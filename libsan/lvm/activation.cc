// Start/stop/monitor of one VG. Unlike LVM-activate, "running" means every LV is active (not
// "at least one"), another node's claim is never stripped unless Pacemaker reports that node
// down, and only owner tags are touched.
#include "libsan/lvm/activation.h"

#include "libsan/util/strings.h"

namespace san::lvm {

namespace {

std::string Describe(const Owner& owner, const OwnerConfig& cfg) {
  if (cfg.method == OwnerMethod::kTag) return "tag " + Join(owner.other_tags, ", ");
  return "system ID " + Join(owner.others, ", ");
}

bool ClaimedByUs(const VgInfo& vg, const OwnerConfig& cfg) {
  if (cfg.method == OwnerMethod::kTag) return vg.HasTag(OwnerTag(cfg));
  return !cfg.system_id.empty() && vg.system_id == cfg.system_id;
}

Status RunAll(Host& host, Logger& log, const std::vector<std::vector<std::string>>& argvs) {
  for (const auto& argv : argvs) {
    log.Info("running " + Join(argv, " "));
    SAN_RETURN_IF_ERROR(RunChecked(host, argv).status());
  }
  return Status::Ok();
}

// Makes this node the only owner. Refuses another owner that is not safely down.
Status TakeOwnership(Host& host, Logger& log, const VgConfig& cfg, const VgState& state,
                     const NodeDownCheck& node_down) {
  Owner owner = OwnerOf(state.vg, cfg.owner);
  for (const std::string& node : owner.others) {
    FenceVerdict v = node_down(node);
    if (!v.safe) {
      return Status::Busy("volume group " + cfg.vg + " is owned by " + node + " (" +
                          Describe(owner, cfg.owner) + ") and " + v.reason +
                          "; refusing to activate it here");
    }
    log.Warning("taking " + cfg.vg + " over from " + node + ": " + v.reason);
  }
  SAN_RETURN_IF_ERROR(RunAll(host, log, TakeOwnershipArgv(cfg.owner, cfg.vg, owner)));
  // Read back: two nodes tagging at once would each see the other's claim here.
  SAN_ASSIGN_OR_RETURN(VgState after, ReadVg(host, cfg.vg));
  Owner now = OwnerOf(after.vg, cfg.owner);
  if (now.kind != Owner::Kind::kUs) {
    if (ClaimedByUs(after.vg, cfg.owner)) {
      RunAll(host, log, {DropOwnershipArgv(cfg.owner, cfg.vg)}).IgnoreError();
    }
    return Status::Busy(
        "volume group " + cfg.vg + " was claimed concurrently (" +
        (now.others.empty() ? std::string("claim lost") : Describe(now, cfg.owner)) +
        "); withdrew our claim");
  }
  return Status::Ok();
}

// "vgc/data (open: no); vgc/logs held by: pid 42 (dd)" for every LV not known to be inactive.
std::string DescribeBusy(Host& host, const VgState& state, const HolderRoots& roots) {
  std::vector<std::string> busy;
  for (const LvInfo& lv : state.lvs) {
    if (lv.Activity() == LvActivity::kInactive) continue;
    std::vector<std::string> holders = FindHolders(host, lv, roots);
    if (holders.empty()) {
      busy.push_back(lv.FullName() + " (open: " + (lv.device_open.empty() ? "no" : lv.device_open) +
                     ")");
    } else {
      busy.push_back(lv.FullName() + " held by: " + Join(holders, ", "));
    }
  }
  return Join(busy, "; ");
}

}  // namespace

Result<std::string> ReadSystemId(Host& host) {
  SAN_ASSIGN_OR_RETURN(Output out, RunChecked(host, {"lvm", "systemid"}));
  size_t colon = out.out.find("system ID:");
  std::string id;
  if (colon != std::string::npos) {
    std::string_view rest(out.out);
    rest = rest.substr(colon + 10);
    id = std::string(Trim(rest.substr(0, rest.find('\n'))));
  }
  if (id.empty()) {
    return Status::InvalidConfig(
        "method=system_id: this host has no LVM system ID (set global/system_id_source in "
        "lvm.conf, see docs/lvm.md)");
  }
  return id;
}

Result<Activation> ActivateVg(Host& host, Logger& log, const VgConfig& cfg,
                              const NodeDownCheck& node_down) {
  SAN_ASSIGN_OR_RETURN(VgState state, ReadVg(host, cfg.vg));
  if (state.vg.missing_pv_count > 0 && !cfg.partial) {
    return Status::CommandFailed("volume group " + cfg.vg + " is incomplete (" +
                                 state.DescribeMissingPvs() +
                                 "); set partial_activation=true to activate it anyway");
  }
  Activation result;
  const bool owned = OwnerOf(state.vg, cfg.owner).kind == Owner::Kind::kUs;
  if ((owned || !cfg.exclusive) && state.InactiveRequired().empty() && !state.lvs.empty()) {
    result.was_active = true;
    result.snapshot_used = state.SnapshotUsedBytes();
    return result;
  }
  if (cfg.exclusive) SAN_RETURN_IF_ERROR(TakeOwnership(host, log, cfg, state, node_down));
  std::vector<std::string> argv = ActivateArgv(cfg.owner, cfg.vg, cfg.exclusive, cfg.partial,
                                               /*owned=*/cfg.exclusive);
  log.Info("running " + Join(argv, " "));
  const Clock::time_point t0 = host.Now();
  Status st = RunChecked(host, argv).status();
  result.took = std::chrono::duration_cast<milliseconds>(host.Now() - t0);
  SAN_ASSIGN_OR_RETURN(VgState after, ReadVg(host, cfg.vg));
  std::vector<std::string> inactive = after.InactiveRequired();
  if (!inactive.empty()) {
    return Status::CommandFailed("activation of " + cfg.vg + " left " + Join(inactive, ", ") +
                                 " inactive" + (st.ok() ? "" : " (" + st.message() + ")"));
  }
  if (!st.ok()) return st;
  result.snapshot_used = after.SnapshotUsedBytes();
  log.Info("activated " + std::to_string(after.RequiredLvs().size()) + " LV(s) of " + cfg.vg +
           " in " + std::to_string(result.took.count()) + " ms");
  return result;
}

Status DeactivateVg(Host& host, Logger& log, const VgConfig& cfg, const DeactivateOptions& opts) {
  Result<VgState> read = ReadVg(host, cfg.vg);
  if (!read.ok() && read.status().code() == Code::kNotFound) {
    log.Info("volume group " + cfg.vg + " is absent: nothing to stop");
    return Status::Ok();
  }
  SAN_RETURN_IF_ERROR(read.status());
  VgState state = std::move(read).value();
  const bool ours = cfg.exclusive && ClaimedByUs(state.vg, cfg.owner);
  if (!state.AnyActive() && !ours) return Status::Ok();

  std::string last_error;
  milliseconds round{0};  // how long the last deactivate + read back took
  int attempt = 0;
  while (state.AnyActive()) {
    // Another round only when it fits before the deadline: the answer must name the holders
    // rather than die in a killed lvm command.
    const bool out_of_time = attempt > 0 && host.TimeLeft() < opts.pause + round * 3 / 2;
    if (attempt >= opts.attempts || out_of_time) {
      return Status::Busy("cannot deactivate " + cfg.vg + " after " + std::to_string(attempt) +
                          " attempt(s)" + (out_of_time ? " (out of time)" : "") + ": " +
                          DescribeBusy(host, state, opts.roots) +
                          (last_error.empty() ? "" : " (lvm: " + last_error + ")"));
    }
    if (attempt > 0) host.SleepFor(opts.pause);
    ++attempt;
    const Clock::time_point t0 = host.Now();
    std::vector<std::string> argv = DeactivateArgv(cfg.vg);
    log.Info("running " + Join(argv, " ") + " (attempt " + std::to_string(attempt) + ")");
    Status st = RunChecked(host, argv).status();
    if (!st.ok()) {
      last_error = st.message();
      log.Warning(last_error);
    }
    Result<VgState> again = ReadVg(host, cfg.vg);
    if (!again.ok()) {
      if (st.code() == Code::kTimeout || again.status().code() == Code::kTimeout) {
        return Status::Timeout("deactivating " + cfg.vg +
                               " ran out of time: " + DescribeBusy(host, state, opts.roots));
      }
      return again.status();
    }
    state = std::move(again).value();
    round = std::chrono::duration_cast<milliseconds>(host.Now() - t0);
  }
  if (cfg.exclusive && ClaimedByUs(state.vg, cfg.owner)) {
    SAN_RETURN_IF_ERROR(RunAll(host, log, {DropOwnershipArgv(cfg.owner, cfg.vg)}));
  }
  log.Info("deactivated " + cfg.vg);
  return Status::Ok();
}

std::vector<std::string> ReadBlockArgv(const std::string& vg, const std::string& lv) {
  return {"dd", "if=/dev/" + vg + "/" + lv, "of=/dev/null", "bs=4096", "count=1", "iflag=direct"};
}

Result<Inspection> InspectVg(Host& host, const VgConfig& cfg, bool started, bool read_check) {
  Inspection in;
  SAN_ASSIGN_OR_RETURN(in.state, ReadVg(host, cfg.vg));
  const VgState& s = in.state;
  std::vector<std::string> inactive = s.InactiveRequired();
  const size_t required = s.RequiredLvs().size();
  if (required == 0) {
    // A VG without LVs (yet): running means claimed by us (or started here, without claims).
    in.running = cfg.exclusive ? OwnerOf(s.vg, cfg.owner).kind == Owner::Kind::kUs : started;
    return in;
  }
  if (!s.AnyActive()) {
    if (started) in.problem = "no LV of " + cfg.vg + " is active (deactivated behind our back)";
    return in;
  }
  if (!inactive.empty()) {
    in.problem = std::to_string(inactive.size()) + " of " + std::to_string(required) + " LVs of " +
                 cfg.vg + " are not active: " + Join(inactive, ", ");
    return in;
  }
  if (cfg.exclusive) {
    Owner owner = OwnerOf(s.vg, cfg.owner);
    if (owner.kind == Owner::Kind::kOther) {
      in.problem = cfg.vg + " is active here but claimed by " + Join(owner.others, ", ");
      return in;
    }
    if (owner.kind == Owner::Kind::kNobody) {
      in.problem = cfg.vg + " is active here but this node's claim (" +
                   (cfg.owner.method == OwnerMethod::kTag ? "tag " + OwnerTag(cfg.owner)
                                                          : "system ID " + cfg.owner.system_id) +
                   ") is gone";
      return in;
    }
  }
  if (s.vg.missing_pv_count > 0 && !cfg.partial) {
    in.problem = cfg.vg + " is active with " + s.DescribeMissingPvs();
    return in;
  }
  if (read_check) {
    for (const LvInfo* lv : s.RequiredLvs()) {
      Result<Output> r = RunChecked(host, ReadBlockArgv(lv->vg, lv->name));
      if (!r.ok()) {
        in.problem = "cannot read " + lv->FullName() + ": " + r.status().message();
        return in;
      }
    }
  }
  in.running = true;
  return in;
}

}  // namespace san::lvm
