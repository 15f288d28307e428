// Reconcile: lock → journal → inspect → execute → lift holds → verify. The journal is written
// before a hold is taken and rewritten after it is lifted, so whatever point a run dies at, the
// next run knows which initiators it may have left blocked.
#include "libsan/target/reconcile.h"

#include <algorithm>
#include <set>

#include "libsan/net/address.h"
#include "libsan/target/target_file.h"
#include "libsan/util/strings.h"

namespace san::target {

namespace {

constexpr milliseconds kLockWait{30'000};

std::string RecordsPath(const ReconcileOptions& o) { return o.state_dir + "/records"; }
std::string JournalPath(const ReconcileOptions& o) { return o.state_dir + "/journal"; }

Result<Records> LoadRecords(Host& host, Logger* log, const ReconcileOptions& o) {
  Result<std::string> text = host.ReadFile(RecordsPath(o));
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return Records{};
    return text.status();
  }
  Result<Records> r = Records::Parse(*text);
  if (!r.ok()) {
    // A cache: losing it costs re-checks (accounts recreated, sizes judged by tgt's MB), never
    // correctness.
    if (log) log->Warning(RecordsPath(o) + ": " + r.status().message() + "; ignoring it");
    return Records{};
  }
  return r;
}

Result<std::vector<HoldRecord>> LoadJournal(Host& host, const ReconcileOptions& o) {
  Result<std::string> text = host.ReadFile(JournalPath(o));
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::vector<HoldRecord>{};
    return text.status();
  }
  Result<std::vector<HoldRecord>> j = ParseJournal(*text);
  if (!j.ok()) return j.status().WithContext(JournalPath(o));
  return j;
}

Result<firewall::BlockSpec> HoldSpec(const HoldRecord& h, Logger& log) {
  std::vector<std::string> sources;
  for (const auto& s : h.sources) {
    if (net::ParseNetwork(s).ok()) {
      sources.push_back(s);
    } else {
      log.Warning("cannot hold initiator address '" + Printable(s) + "': not an address");
    }
  }
  firewall::BlockSpecText text;
  text.source = Join(sources, ",");
  text.ip = h.destinations;
  text.port = h.ports.empty() ? "3260" : h.ports;
  text.chain = h.chain;
  SAN_ASSIGN_OR_RETURN(firewall::BlockSpec spec, firewall::ParseBlockSpec(text));
  // Only new connections: a session tgt closes must be able to finish closing (its ACKs and FIN
  // pass), or tgt keeps its commands and the LU stays "still active"; the initiator's new logins
  // stall until the hold is lifted.
  spec.new_connections_only = true;
  return spec;
}

class Executor {
 public:
  Executor(Host& host, Logger& log, TargetBackend& backend, const ReconcileOptions& o,
           Records records, std::vector<HoldRecord> journal)
      : host_(host),
        log_(log),
        backend_(backend),
        o_(o),
        records_(std::move(records)),
        journal_(std::move(journal)) {}

  // Runs the steps; on a failure inside a hold, lifts that hold. `killed` is set when a kill
  // point stopped the run (then nothing else may happen).
  Status Run(const std::vector<Step>& plan, ApplyReport* report, bool* killed);
  // Lifts every hold still in the journal (pending from an earlier run or left by a failure).
  Status ReleaseJournal(ApplyReport* report);
  const Records& records() const { return records_; }
  Status SaveRecords() { return host_.WriteFileAtomically(RecordsPath(o_), records_.Serialize()); }

 private:
  HoldRecord MakeHold(const Step& s) const;
  Status SaveJournal() {
    if (journal_.empty()) return host_.RemoveFile(JournalPath(o_));
    return host_.WriteFileAtomically(JournalPath(o_), SerializeJournal(journal_));
  }
  Status Block(const HoldRecord& h, bool block);
  Status Release(const HoldRecord& h);
  void Record(const Step& s);

  Host& host_;
  Logger& log_;
  TargetBackend& backend_;
  const ReconcileOptions& o_;
  Records records_;
  std::vector<HoldRecord> journal_;
  Clock::time_point hold_started_{};
};

HoldRecord Executor::MakeHold(const Step& s) const {
  HoldRecord h;
  h.tid = s.tid;
  h.target = s.target;
  h.sources = s.sources;
  h.firewall = o_.firewall;
  h.chain = o_.chain;
  std::set<std::string> ports, dests;
  for (const auto& p : o_.portals) {
    ports.insert(std::to_string(p.port));
    if (!p.address.empty() && p.address != "0.0.0.0" && p.address != "::") dests.insert(p.address);
  }
  // One portal on every address means no destination filter at all.
  for (const auto& p : o_.portals) {
    if (p.address.empty() || p.address == "0.0.0.0" || p.address == "::") dests.clear();
  }
  h.ports = ports.empty() ? "3260" : Join({ports.begin(), ports.end()}, ",");
  h.destinations = Join({dests.begin(), dests.end()}, ",");
  return h;
}

Status Executor::Block(const HoldRecord& h, bool block) {
  if (h.firewall == "none") return Status::Ok();
  SAN_ASSIGN_OR_RETURN(firewall::BlockSpec spec, HoldSpec(h, log_));
  if (spec.sources.empty()) return Status::Ok();  // nothing holdable: never block everyone
  SAN_ASSIGN_OR_RETURN(firewall::BackendKind kind, firewall::ParseBackendKind(h.firewall));
  SAN_ASSIGN_OR_RETURN(auto fw, firewall::MakeBackend(host_, log_, kind, spec, o_.nft_factory));
  return block ? fw->Block(spec) : fw->Unblock(spec);
}

Status Executor::Release(const HoldRecord& h) {
  SAN_RETURN_IF_ERROR(Block(h, false));
  for (auto it = journal_.begin(); it != journal_.end(); ++it) {
    if (it->tid == h.tid && it->target == h.target && it->sources == h.sources) {
      journal_.erase(it);
      break;
    }
  }
  return SaveJournal();
}

Status Executor::ReleaseJournal(ApplyReport* report) {
  Status first;
  const std::vector<HoldRecord> pending = journal_;
  for (const HoldRecord& h : pending) {
    log_.Info("lifting the hold of " + Join(h.sources, ",") + " on target " + h.target +
              " left unfinished");
    Status s = Release(h);  // on failure the entry stays in the journal for the next run
    if (!s.ok()) {
      log_.Error("cannot lift hold: " + s.ToString());
      if (first.ok()) first = s;
      continue;
    }
    if (report) ++report->holds_lifted_from_journal;
  }
  return first;
}

void Executor::Record(const Step& s) {
  switch (s.kind) {
    case StepKind::kAddTarget:
      records_.ForgetTarget(s.target);
      records_.targets[s.target].tid = s.tid;
      break;
    case StepKind::kDeleteTarget:
      records_.ForgetTarget(s.target);
      break;
    case StepKind::kSetOption: {
      TargetRecord& t = records_.targets[s.target];
      if (t.tid != s.tid) t = TargetRecord{s.tid, {}};
      t.options[s.name] = s.value;
      break;
    }
    case StepKind::kAddLun:
      records_.luns[{s.target, s.lun.number}] = LunRecord{s.tid, s.lun, s.size};
      break;
    case StepKind::kDeleteLun:
      records_.luns.erase({s.target, s.lun.number});
      break;
    case StepKind::kCreateAccount:
      records_.accounts[s.name] = SecretFingerprint(s.name, s.value);
      break;
    case StepKind::kDeleteAccount:
      records_.accounts.erase(s.name);
      break;
    default:
      break;
  }
}

Status Executor::Run(const std::vector<Step>& plan, ApplyReport* report, bool* killed) {
  std::optional<HoldRecord> open;
  for (const Step& step : plan) {
    log_.Info(step.Describe());
    Status s;
    const Clock::time_point started = host_.Now();
    if (step.kind == StepKind::kHold) {
      HoldRecord h = MakeHold(step);
      journal_.push_back(h);
      s = SaveJournal();  // before blocking: a crash after the block must find it
      if (s.ok()) s = Block(h, true);
      if (s.ok()) {
        open = h;
        hold_started_ = host_.Now();
      }
    } else if (step.kind == StepKind::kRelease) {
      s = open ? Release(*open) : Status::Ok();
      if (s.ok() && open) {
        auto held = std::chrono::duration_cast<milliseconds>(host_.Now() - hold_started_);
        report->longest_hold = std::max(report->longest_hold, held);
        log_.Info("initiators of " + step.target + " were held for " +
                  std::to_string(held.count()) + " ms");
        open.reset();
      }
    } else {
      s = backend_.Execute(step);
      // Records are a cache written at the end (one write, not one per step): after a crash the
      // next run judges unrecorded LUNs by what the daemon reports and recreates unrecorded
      // accounts, so a lost record costs work, never correctness.
      if (s.ok()) Record(step);
    }
    if (!s.ok()) {
      Status failed = s.WithContext(step.Describe());
      if (open) {
        Status r = Release(*open);
        if (!r.ok()) log_.Error("cannot lift the hold after a failure: " + r.ToString());
      }
      Status saved = SaveRecords();
      if (!saved.ok()) log_.Error("cannot save records: " + saved.ToString());
      return failed;
    }
    log_.Debug(
        std::string(StepName(step.kind)) + " took " +
        std::to_string(std::chrono::duration_cast<milliseconds>(host_.Now() - started).count()) +
        " ms");
    report->executed.push_back(step);
    if (o_.kill_point && o_.kill_point(StepName(step.kind))) {
      *killed = true;
      return Status::Internal(std::string("killed at kill point ") +
                              std::string(StepName(step.kind)));
    }
  }
  return plan.empty() ? Status::Ok() : SaveRecords();
}

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
  return exec.SaveRecords();
}

}  // namespace san::target
