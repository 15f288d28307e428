// Reconcile: lock → journal → inspect → execute (executor.cc) → lift holds → verify.
#include "libsan/target/reconcile.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "libsan/target/executor.h"
#include "libsan/target/target_file.h"
#include "libsan/util/strings.h"

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

// One field of the applied-state text: control characters, blanks and backslashes as \xNN, so a
// value can neither end its line nor shift the fields after it.
std::string Field(std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f || c == '\\') {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// The part of an applied-state text a read with or without accounts can be compared with.
std::string View(std::string_view text, bool accounts) {
  if (accounts) return std::string(text);
  std::string out;
  for (const std::string& line : SplitList(text, "\n")) {
    if (line.rfind("account ", 0) == 0 || line.rfind("discovery ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

// Runs against one daemon are serialised whatever their state directories: two applies with
// different state dirs would otherwise interleave their steps on the same targets.
Result<std::unique_ptr<LockHandle>> LockDaemon(Host& host, const TargetBackend& backend,
                                               const ReconcileOptions& options) {
  SAN_RETURN_IF_ERROR(host.MakeDirectories(options.daemon_lock_dir, 0700));
  return host.Lock(DaemonLockPath(backend, options), std::min(kLockWait, host.TimeLeft()));
}

PlanInput MakePlanInput(const TargetConfig& config, const Inspection& ins,
                        const ReconcileOptions& options, const TargetBackend& backend) {
  PlanInput in;
  in.wanted = &config;
  in.actual = &ins.actual;
  in.records = &ins.records;
  in.backing_sizes = ins.sizes;
  in.remove_stale = options.remove_stale;
  in.check_accounts = options.read_accounts;
  in.size_units = backend.SizeUnits();
  in.running_options = ins.running_options;
  return in;
}

// The running state (and, when read, the options) equals what the last verified apply recorded.
Result<bool> MatchesApplied(Host& host, const Inspection& ins, const ReconcileOptions& options) {
  Result<std::string> stored = host.ReadFile(AppliedStatePath(options));
  if (!stored.ok()) {
    if (stored.status().code() == Code::kNotFound) return false;
    return stored.status();
  }
  if (View(*stored, options.read_accounts) !=
      View(AppliedStateText(ins.actual), options.read_accounts)) {
    return false;
  }
  for (const auto& [tid, running] : ins.running_options) {
    for (const auto& [name, rec] : ins.records.targets) {
      if (rec.tid != tid) continue;
      for (const auto& [k, v] : rec.options) {
        auto it = running.find(k);
        if (it == running.end() || it->second != v) return false;
      }
    }
  }
  return true;
}

Status SaveAppliedState(Host& host, const RunningState& actual, const ReconcileOptions& options) {
  const std::string text = AppliedStateText(actual);
  Result<std::string> old = host.ReadFile(AppliedStatePath(options));
  if (old.ok() && *old == text) return Status::Ok();
  return host.WriteFileAtomically(AppliedStatePath(options), text);
}

}  // namespace

std::string DaemonLockPath(const TargetBackend& backend, const ReconcileOptions& options) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  for (char c : backend.DaemonIdentity()) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '-') {
      name += c;
    } else {
      name += '_';
      name += kHex[u >> 4];
      name += kHex[u & 15];
    }
  }
  return options.daemon_lock_dir + "/" + name + ".lock";
}

std::string AppliedStatePath(const ReconcileOptions& options) {
  return options.state_dir + "/applied";
}

std::string AppliedStateText(const RunningState& state) {
  std::vector<const RunningTarget*> targets;
  for (const auto& t : state.targets) targets.push_back(&t);
  std::sort(targets.begin(), targets.end(),
            [](const RunningTarget* a, const RunningTarget* b) { return a->name < b->name; });
  std::string out;
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  for (const RunningTarget* t : targets) {
    const std::string name = Field(t->name);
    out += "target " + std::to_string(t->tid) + " " + name + "\n";
    std::vector<const RunningLun*> luns;
    for (const auto& l : t->luns) {
      if (!l.controller) luns.push_back(&l);
    }
    std::sort(luns.begin(), luns.end(),
              [](const RunningLun* a, const RunningLun* b) { return a->number < b->number; });
    for (const RunningLun* l : luns) {
      out += "lun " + name + " " + std::to_string(l->number) + " " + Field(l->path) + " " +
             Field(l->backing_type) + " " + Field(l->scsi_id) + " " + Field(l->scsi_sn) + " " +
             std::to_string(l->size_mb) + " " + (l->readonly ? "ro" : "rw") + " " +
             (l->online ? "online" : "offline") + "\n";
    }
    for (const auto& a : sorted(t->acl)) out += "acl " + name + " " + Field(a) + "\n";
    for (const auto& u : sorted(t->incoming_users))
      out += "user " + name + " in " + Field(u) + "\n";
    if (t->outgoing_user) out += "user " + name + " out " + Field(*t->outgoing_user) + "\n";
  }
  for (const auto& a : sorted(state.accounts)) out += "account " + Field(a) + "\n";
  for (const auto& a : sorted(state.discovery_incoming)) out += "discovery in " + Field(a) + "\n";
  if (state.discovery_outgoing) out += "discovery out " + Field(*state.discovery_outgoing) + "\n";
  return out;
}

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
  if (options.read_options) {
    for (const auto& r : ins.actual.targets) {
      if (!config.Find(r.name)) continue;
      SAN_ASSIGN_OR_RETURN(ins.running_options[r.tid], backend.ReadTargetOptions(r.tid));
    }
  }
  SAN_ASSIGN_OR_RETURN(ins.plan, Plan(MakePlanInput(config, ins, options, backend)));
  return ins;
}

Result<Assessment> Assess(Host& host, TargetBackend& backend, const TargetConfig& config,
                          const ReconcileOptions& options) {
  Assessment a;
  SAN_ASSIGN_OR_RETURN(a.ins, Inspect(host, backend, config, options));
  std::vector<Step> diffs = Differences(a.ins.plan);
  if (diffs.empty()) return a;
  SAN_ASSIGN_OR_RETURN(bool as_applied, MatchesApplied(host, a.ins, options));
  if (as_applied) {
    a.pending = std::move(diffs);
    return a;
  }
  // Not what was applied: compare with the file, leaving out what only a reload would do anyway
  // (re-presenting a grown backing device). Still different = drift.
  PlanInput in = MakePlanInput(config, a.ins, options, backend);
  in.backing_sizes.clear();
  SAN_ASSIGN_OR_RETURN(std::vector<Step> unsized, Plan(in));
  // Reasons from the full plan: its steps carry the backing sizes.
  (Differences(unsized).empty() ? a.pending : a.drift) = std::move(diffs);
  return a;
}

Result<bool> RunsAsApplied(Host& host, TargetBackend& backend, const ReconcileOptions& options) {
  Inspection ins;
  SAN_ASSIGN_OR_RETURN(ins.actual, backend.ReadState(options.read_accounts));
  return MatchesApplied(host, ins, options);
}

Result<ApplyReport> Apply(Host& host, Logger& log, TargetBackend& backend,
                          const TargetConfig& config, const ReconcileOptions& given) {
  ReconcileOptions options = given;
  options.read_accounts = true;  // an apply compares everything
  SAN_RETURN_IF_ERROR(backend.CheckConfig(config));
  SAN_RETURN_IF_ERROR(CheckBackingPaths(host, config));
  SAN_RETURN_IF_ERROR(host.MakeDirectories(options.state_dir, 0700));
  SAN_ASSIGN_OR_RETURN(auto daemon_lock, LockDaemon(host, backend, options));
  SAN_ASSIGN_OR_RETURN(
      auto lock, host.Lock(options.state_dir + "/lock", std::min(kLockWait, host.TimeLeft())));
  SAN_ASSIGN_OR_RETURN(std::vector<HoldRecord> journal, LoadJournalOrDiscard(host, log, options));
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
    status = exec.Run(ins->plan, &report, &killed);
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
          host.WriteFileAtomically(options.state_dir + "/records", adopted.Serialize()));
    }
    SAN_RETURN_IF_ERROR(SaveAppliedState(host, ins->actual, options));
    return report;
  }
  // Verify: the daemon now matches the file exactly.
  SAN_ASSIGN_OR_RETURN(Inspection after, Inspect(host, backend, config, options));
  Records adopted = exec.records();
  Adopt(adopted, config, after, backend.SizeUnits());
  SAN_RETURN_IF_ERROR(
      host.WriteFileAtomically(options.state_dir + "/records", adopted.Serialize()));
  std::vector<Step> left = Differences(after.plan);
  if (!left.empty()) {
    return Status::CommandFailed("after apply the daemon still differs from the file: " +
                                 left.front().Describe());
  }
  SAN_RETURN_IF_ERROR(SaveAppliedState(host, after.actual, options));
  return report;
}

Status RemoveConfigured(Host& host, Logger& log, TargetBackend& backend, const TargetConfig& config,
                        const ReconcileOptions& options) {
  SAN_RETURN_IF_ERROR(host.MakeDirectories(options.state_dir, 0700));
  SAN_ASSIGN_OR_RETURN(auto daemon_lock, LockDaemon(host, backend, options));
  SAN_ASSIGN_OR_RETURN(
      auto lock, host.Lock(options.state_dir + "/lock", std::min(kLockWait, host.TimeLeft())));
  SAN_ASSIGN_OR_RETURN(std::vector<HoldRecord> journal, LoadJournalOrDiscard(host, log, options));
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
    status = plan.status();
    bool killed = false;
    if (plan.ok()) {
      status = exec.Run(*plan, &report, &killed);
      if (killed) return status;
    }
  } else if (status.code() == Code::kNotFound) {
    status = Status::Ok();  // no daemon: nothing of the file runs
  }
  Status lifted = exec.ReleaseJournal(&report);
  SAN_RETURN_IF_ERROR(status);
  SAN_RETURN_IF_ERROR(lifted);
  SAN_RETURN_IF_ERROR(host.RemoveFile(AppliedStatePath(options)));
  return exec.SaveRecords();
}

}  // namespace san::target
