// Executor: step by step, with the journal written before a hold and rewritten after it is lifted,
// so whatever point a run dies at, the next run knows which initiators it may have left blocked.
#include "libsan/target/executor.h"

#include <algorithm>
#include <set>

#include "libsan/net/address.h"
#include "libsan/util/strings.h"

namespace san::target {

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

Result<std::vector<HoldRecord>> LoadJournalOrDiscard(Host& host, Logger& log,
                                                     const ReconcileOptions& o) {
  Result<std::vector<HoldRecord>> j = LoadJournal(host, o);
  if (j.ok() || j.status().code() != Code::kCorruption) return j;
  // Unreadable text (edited by hand, another version): keep a copy for the administrator, and
  // do not let it block every run. Journal writes are atomic, so sanha itself never leaves one.
  log.Error(j.status().message() + "; moving it to " + JournalPath(o) +
            ".discarded: check sanha's firewall chain for a hold left behind");
  Result<std::string> text = host.ReadFile(JournalPath(o));
  if (text.ok())
    SAN_RETURN_IF_ERROR(host.WriteFileAtomically(JournalPath(o) + ".discarded", *text));
  SAN_RETURN_IF_ERROR(host.RemoveFile(JournalPath(o)));
  return std::vector<HoldRecord>{};
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

namespace {

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

}  // namespace

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
  Status lifted = Block(h, false);
  if (lifted.code() == Code::kInvalidConfig) {
    // The entry cannot be replayed (an invalid firewall value or chain, e.g. from a CLI run that
    // skipped validation). The block it records was built from the same values and failed the
    // same way before anything was added, so nothing of it can be in force: discard it rather
    // than fail every later run, stop included (a failed stop gets the node fenced).
    log_.Error("discarding the journal entry of target " + Printable(h.target) +
               " that cannot be replayed: " + lifted.message());
  } else {
    SAN_RETURN_IF_ERROR(lifted);
  }
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

}  // namespace san::target
