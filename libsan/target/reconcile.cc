// Reconcile: lock → journal → inspect → execute (executor.cc) → lift holds → verify.
#include "libsan/target/reconcile.h"

#include <algorithm>
#include <set>

#include "libsan/target/executor.h"
#include "libsan/target/target_file.h"

namespace san::target {

namespace {

constexpr milliseconds kLockWait{30'000};

// Adds records for LUNs that match the file but that sanha has no record of (a daemon configured
// by an earlier version, or records lost), so growth below tgt's 1 MB granularity is seen later.
void Adopt(Records& records, const TargetConfig& config, const Inspection& ins,
           uint64_t (*units)(uint64_t)) {
  for (const auto& t : config.targets) {
    const RunningTarget* r = ins.actual.Find(t.name);
    if (!r) continue;
    for (const auto& w : t.luns) {
      const RunningLun* rl = r->FindLun(w.number);
      auto size = ins.sizes.find(w.path);
      if (!rl || rl->path != w.path || size == ins.sizes.end()) continue;
      auto rec = records.luns.find({t.name, w.number});
      if (rec != records.luns.end() && rec->second.tid == r->tid) continue;
      if (units && units(size->second) != rl->size_mb) continue;
      records.luns[{t.name, w.number}] = LunRecord{r->tid, w, size->second};
    }
  }
}

}  // namespace

std::string_view StepName(StepKind kind) {
  switch (kind) {
    case StepKind::kCreateAccount:
      return "create-account";
    case StepKind::kDeleteAccount:
      return "delete-account";
    case StepKind::kBindDiscovery:
      return "bind-discovery";
    case StepKind::kUnbindDiscovery:
      return "unbind-discovery";
    case StepKind::kAddTarget:
      return "add-target";
    case StepKind::kDeleteTarget:
      return "delete-target";
    case StepKind::kSetOption:
      return "set-option";
    case StepKind::kBindAddress:
      return "bind-address";
    case StepKind::kUnbindAddress:
      return "unbind-address";
    case StepKind::kBindInitiator:
      return "bind-initiator";
    case StepKind::kUnbindInitiator:
      return "unbind-initiator";
    case StepKind::kBindUser:
      return "bind-user";
    case StepKind::kUnbindUser:
      return "unbind-user";
    case StepKind::kAddLun:
      return "add-lun";
    case StepKind::kDeleteLun:
      return "delete-lun";
    case StepKind::kCloseSessions:
      return "close-sessions";
    case StepKind::kHold:
      return "hold";
    case StepKind::kRelease:
      return "release";
  }
  return "step";
}

Result<Inspection> Inspect(Host& host, TargetBackend& backend, const TargetConfig& config,
                           const ReconcileOptions& options) {
  SAN_RETURN_IF_ERROR(backend.CheckConfig(config));
  SAN_RETURN_IF_ERROR(CheckBackingPaths(host, config));
  Inspection ins;
  for (const auto& t : config.targets) {
    for (const auto& lun : t.luns) {
      SAN_ASSIGN_OR_RETURN(FileInfo info, host.StatFollowingLinks(lun.path));
      ins.sizes[lun.path] = info.size;
    }
  }
  SAN_ASSIGN_OR_RETURN(ins.actual, backend.ReadState(options.read_accounts));
  SAN_ASSIGN_OR_RETURN(ins.records, LoadRecords(host, nullptr, options));
  SAN_ASSIGN_OR_RETURN(ins.pending_holds, LoadJournal(host, options));
  PlanInput in;
  in.wanted = &config;
  in.actual = &ins.actual;
  in.records = &ins.records;
  in.backing_sizes = ins.sizes;
  in.remove_stale = options.remove_stale;
  in.check_accounts = options.read_accounts;
  in.size_units = backend.SizeUnits();
  if (options.read_options) {
    for (const auto& r : ins.actual.targets) {
      if (!config.Find(r.name)) continue;
      SAN_ASSIGN_OR_RETURN(in.running_options[r.tid], backend.ReadTargetOptions(r.tid));
    }
  }
  SAN_ASSIGN_OR_RETURN(ins.plan, Plan(in));
  return ins;
}

Result<ApplyReport> Apply(Host& host, Logger& log, TargetBackend& backend,
                          const TargetConfig& config, const ReconcileOptions& given) {
  ReconcileOptions options = given;
  options.read_accounts = true;  // an apply compares everything
  SAN_RETURN_IF_ERROR(backend.CheckConfig(config));
  SAN_RETURN_IF_ERROR(CheckBackingPaths(host, config));
  SAN_RETURN_IF_ERROR(host.MakeDirectories(options.state_dir, 0700));
  SAN_ASSIGN_OR_RETURN(
      auto lock, host.Lock(options.state_dir + "/lock", std::min(kLockWait, host.TimeLeft())));
  SAN_ASSIGN_OR_RETURN(std::vector<HoldRecord> journal, LoadJournal(host, options));
  SAN_ASSIGN_OR_RETURN(Records records, LoadRecords(host, &log, options));
  ApplyReport report;
  Executor exec(host, log, backend, options, std::move(records), journal);
  if (!journal.empty()) {
    log.Warning("an earlier run was interrupted holding " + std::to_string(journal.size()) +
                " initiator group(s); finishing it");
  }
  Result<Inspection> ins = Inspect(host, backend, config, options);
  Status status = ins.status();
  bool killed = false;
  if (ins.ok()) {
    if (ins->plan.empty()) log.Debug("in sync: nothing to do");
    status = CheckListingTrust(ins->actual, ins->plan, config, /*stopping=*/false);
    if (status.ok()) status = exec.Run(ins->plan, &report, &killed);
    if (killed) return status;
  }
  Status lifted = exec.ReleaseJournal(&report);
  SAN_RETURN_IF_ERROR(status);
  SAN_RETURN_IF_ERROR(lifted);
  if (report.executed.empty() && report.holds_lifted_from_journal == 0) {
    // Nothing changed: the inspection was the verification (a no-op apply costs one read).
    Records adopted = exec.records();
    Adopt(adopted, config, *ins, backend.SizeUnits());
    if (adopted.Serialize() != exec.records().Serialize()) {
      SAN_RETURN_IF_ERROR(
          host.WritePrivateFileAtomically(options.state_dir + "/records", adopted.Serialize()));
    }
    return report;
  }
  // Verify: the daemon now matches the file exactly.
  SAN_ASSIGN_OR_RETURN(Inspection after, Inspect(host, backend, config, options));
  Records adopted = exec.records();
  Adopt(adopted, config, after, backend.SizeUnits());
  SAN_RETURN_IF_ERROR(
      host.WritePrivateFileAtomically(options.state_dir + "/records", adopted.Serialize()));
  std::vector<Step> left = Differences(after.plan);
  if (!left.empty()) {
    return Status::CommandFailed("after apply the daemon still differs from the file: " +
                                 left.front().Describe());
  }
  return report;
}

Status RemoveConfigured(Host& host, Logger& log, TargetBackend& backend, const TargetConfig& config,
                        const ReconcileOptions& options) {
  SAN_RETURN_IF_ERROR(host.MakeDirectories(options.state_dir, 0700));
  SAN_ASSIGN_OR_RETURN(
      auto lock, host.Lock(options.state_dir + "/lock", std::min(kLockWait, host.TimeLeft())));
  SAN_ASSIGN_OR_RETURN(std::vector<HoldRecord> journal, LoadJournal(host, options));
  SAN_ASSIGN_OR_RETURN(Records records, LoadRecords(host, &log, options));
  Executor exec(host, log, backend, options, records, journal);
  ApplyReport report;
  Result<RunningState> actual = backend.ReadState(/*accounts=*/true);
  Status status = actual.status();
  if (actual.ok()) {
    // Only what the file defines: its targets and its accounts.
    std::set<std::string> users;
    for (const auto& a : config.discovery_incoming) users.insert(a.user);
    if (config.discovery_outgoing) users.insert(config.discovery_outgoing->user);
    for (const auto& t : config.targets) {
      for (const auto& a : t.incoming) users.insert(a.user);
      if (t.outgoing) users.insert(t.outgoing->user);
    }
    RunningState mine;
    for (const auto& r : actual->targets) {
      if (config.Find(r.name)) mine.targets.push_back(r);
    }
    for (const auto& u : actual->accounts) {
      if (users.count(u)) mine.accounts.push_back(u);
    }
    for (const auto& u : actual->discovery_incoming) {
      if (users.count(u)) mine.discovery_incoming.push_back(u);
    }
    if (actual->discovery_outgoing && users.count(*actual->discovery_outgoing)) {
      mine.discovery_outgoing = actual->discovery_outgoing;
    }
    TargetConfig none;
    none.path = config.path;
    PlanInput in;
    in.wanted = &none;
    in.actual = &mine;
    in.records = &records;
    in.remove_stale = true;
    in.size_units = backend.SizeUnits();
    Result<std::vector<Step>> plan = Plan(in);
    status =
        plan.ok() ? CheckListingTrust(*actual, *plan, config, /*stopping=*/true) : plan.status();
    bool killed = false;
    if (status.ok()) {
      status = exec.Run(*plan, &report, &killed);
      if (killed) return status;
    }
  } else if (status.code() == Code::kNotFound) {
    status = Status::Ok();  // no daemon: nothing of the file runs
  }
  Status lifted = exec.ReleaseJournal(&report);
  SAN_RETURN_IF_ERROR(status);
  SAN_RETURN_IF_ERROR(lifted);
  return exec.SaveRecords();
}

}  // namespace san::target
