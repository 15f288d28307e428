// Planner: compares the file with the daemon field by field and emits the steps in a safe order.
// Every step carries the exact difference that caused it ("scsi_sn is 'A', file says 'B'"), which
// is also what the agent's monitor reports.
#include "libsan/target/planner.h"

#include <algorithm>
#include <set>

#include "libsan/target/planner_internal.h"
#include "libsan/util/strings.h"

namespace san::target {

namespace {

bool IsInitiatorName(const std::string& s) {
  return s.starts_with("iqn.") || s.starts_with("eui.");
}

// tgt admits an initiator whose address OR name is listed, so "ALL" is bound only when the file
// lists neither (with names only, binding ALL would admit every name).
std::vector<std::string> WantedAddresses(const TargetSpec& t) {
  if (t.allow_addresses.empty() && t.allow_initiators.empty()) return {"ALL"};
  return t.allow_addresses;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

namespace internal {

Step Planner::AddLunStep(const LunSpec& w, int tid, const std::string& target,
                         std::string why) const {
  Step s = Make(StepKind::kAddLun, tid, target, std::move(why));
  s.lun = w;
  auto it = in_.backing_sizes.find(w.path);
  s.size = it == in_.backing_sizes.end() ? 0 : it->second;
  return s;
}

void Planner::NewTarget(const TargetSpec& t, int tid) {
  adds_.push_back(Make(StepKind::kAddTarget, tid, t.name, "not running"));
  for (const auto& [k, v] : t.options) {
    Step s = Make(StepKind::kSetOption, tid, t.name);
    s.name = k;
    s.value = v;
    adds_.push_back(s);
  }
  for (const auto& a : WantedAddresses(t)) {
    Step s = Make(StepKind::kBindAddress, tid, t.name);
    s.name = a;
    adds_.push_back(s);
  }
  for (const auto& i : t.allow_initiators) {
    Step s = Make(StepKind::kBindInitiator, tid, t.name);
    s.name = i;
    adds_.push_back(s);
  }
  for (auto& s : Users(t, nullptr, tid)) adds_.push_back(std::move(s));
  for (const auto& lun : t.luns) adds_.push_back(AddLunStep(lun, tid, t.name, ""));
}

std::string Planner::LunDifference(const LunSpec& w, const RunningLun& r, const std::string& target,
                                   int tid) const {
  std::vector<std::string> diffs;
  if (r.path != w.path) diffs.push_back("path is " + r.path + ", file says " + w.path);
  if (r.mode && *r.mode != w.mode) {
    diffs.push_back(std::string("mode is ") + IoModeName(*r.mode) + ", file says " +
                    IoModeName(w.mode));
  }
  if (r.readonly != w.readonly) {
    diffs.push_back(std::string("read-only is ") + (r.readonly ? "yes" : "no") + ", file says " +
                    (w.readonly ? "yes" : "no"));
  }
  if (!w.scsi_id.empty() && r.scsi_id != w.scsi_id) {
    diffs.push_back("scsi_id is " + Quote(r.scsi_id) + ", file says " + Quote(w.scsi_id));
  }
  if (!w.scsi_sn.empty() && r.scsi_sn != w.scsi_sn) {
    diffs.push_back("scsi_sn is " + Quote(r.scsi_sn) + ", file says " + Quote(w.scsi_sn));
  }
  const LunRecord* rec = nullptr;
  if (auto it = in_.records->luns.find({target, w.number}); it != in_.records->luns.end()) {
    if (it->second.tid == tid && it->second.lun.path == r.path) rec = &it->second;
  }
  if (rec) {
    if (rec->lun.vendor != w.vendor) {
      diffs.push_back("vendor is " + Quote(rec->lun.vendor) + ", file says " + Quote(w.vendor));
    }
    if (rec->lun.product != w.product) {
      diffs.push_back("product is " + Quote(rec->lun.product) + ", file says " + Quote(w.product));
    }
    if (in_.size_units && in_.size_units(rec->size) != r.size_mb) {
      rec = nullptr;  // the daemon presents another size than recorded: the record is stale
    }
  }
  if (r.path == w.path) {
    if (auto it = in_.backing_sizes.find(w.path); it != in_.backing_sizes.end()) {
      const uint64_t now = it->second;
      if (rec && rec->size != now) {
        diffs.push_back("size is " + HumanSize(rec->size) + ", backing device is now " +
                        HumanSize(now));
      } else if (!rec && in_.size_units && in_.size_units(now) != r.size_mb) {
        diffs.push_back("size is " + std::to_string(r.size_mb) + " MB, backing device is now " +
                        std::to_string(in_.size_units(now)) + " MB (" + HumanSize(now) + ")");
      }
    }
  }
  return Join(diffs, "; ");
}

void Planner::Disruptive(const RunningTarget& r, const TargetSpec* t, std::vector<Step> inner) {
  std::set<std::string> sources;
  for (const auto& a : r.acl) {
    if (a != "ALL" && !IsInitiatorName(a)) sources.insert(a);
  }
  if (t) {
    for (const auto& a : t->allow_addresses) {
      if (a != "ALL") sources.insert(a);
    }
  }
  for (const auto& s : r.sessions) {
    for (const auto& c : s.connections) {
      if (!c.second.empty()) sources.insert(c.second);
    }
  }
  std::vector<Step>& out = t ? groups_ : stale_;
  Step hold = Make(StepKind::kHold, r.tid, r.name);
  hold.sources.assign(sources.begin(), sources.end());
  if (!hold.sources.empty()) out.push_back(hold);
  out.push_back(Make(StepKind::kCloseSessions, r.tid, r.name));
  for (auto& s : inner) out.push_back(std::move(s));
  if (!hold.sources.empty()) {
    hold.kind = StepKind::kRelease;
    out.push_back(hold);
  }
}

void Planner::ExistingTarget(const TargetSpec& t, const RunningTarget& r) {
  const int tid = r.tid;
  // Options: what the daemon reports, else what sanha recorded for this very target.
  std::map<std::string, std::string> have;
  bool reported = false;
  if (auto it = in_.running_options.find(tid); it != in_.running_options.end()) {
    have = it->second;
    reported = true;
  } else if (auto rec = in_.records->targets.find(t.name);
             rec != in_.records->targets.end() && rec->second.tid == tid) {
    have = rec->second.options;
  }
  for (const auto& [k, v] : t.options) {
    auto it = have.find(k);
    if (it != have.end() && it->second == v) continue;
    Step s = Make(StepKind::kSetOption, tid, t.name,
                  it == have.end() ? (reported ? "option not reported" : "option not recorded")
                                   : "option " + k + " is " + it->second + ", file says " + v);
    s.name = k;
    s.value = v;
    changes_.push_back(s);
  }
  // ACLs: bind what is missing before unbinding what is extra.
  std::vector<std::string> want = WantedAddresses(t);
  for (const auto& i : t.allow_initiators) want.push_back(i);
  for (const auto& a : want) {
    if (std::find(r.acl.begin(), r.acl.end(), a) != r.acl.end()) continue;
    Step s = Make(IsInitiatorName(a) ? StepKind::kBindInitiator : StepKind::kBindAddress, tid,
                  t.name, "not in the ACL");
    s.name = a;
    changes_.push_back(s);
  }
  for (const auto& a : r.acl) {
    if (std::find(want.begin(), want.end(), a) != want.end()) continue;
    Step s = Make(IsInitiatorName(a) ? StepKind::kUnbindInitiator : StepKind::kUnbindAddress, tid,
                  t.name, "in the ACL but not in the file");
    s.name = a;
    changes_.push_back(s);
  }
  for (auto& s : Users(t, &r, tid)) changes_.push_back(std::move(s));
  // LUNs.
  std::vector<Step> inner;
  for (const auto& w : t.luns) {
    const RunningLun* rl = r.FindLun(w.number);
    if (!rl || rl->controller) {
      changes_.push_back(AddLunStep(w, tid, t.name, "not running"));
      continue;
    }
    std::string diff = LunDifference(w, *rl, t.name, tid);
    if (diff.empty()) continue;
    Step del = Make(StepKind::kDeleteLun, tid, t.name, diff);
    del.lun.number = rl->number;
    del.lun.path = rl->path;
    inner.push_back(del);
    inner.push_back(AddLunStep(w, tid, t.name, "re-present with the file's identity"));
  }
  if (in_.remove_stale) {
    for (const auto& rl : r.luns) {
      if (rl.controller) continue;
      bool wanted = false;
      for (const auto& w : t.luns) wanted = wanted || w.number == rl.number;
      if (wanted) continue;
      Step del = Make(StepKind::kDeleteLun, tid, t.name, "not in the file");
      del.lun.number = rl.number;
      del.lun.path = rl.path;
      inner.push_back(del);
    }
  }
  if (!inner.empty()) Disruptive(r, &t, std::move(inner));
}

Result<std::vector<Step>> Planner::Run() {
  if (in_.check_accounts) Accounts();
  std::set<int> used;
  for (const auto& r : actual_.targets) used.insert(r.tid);
  for (const auto& t : wanted_.targets) {
    if (t.tid) used.insert(*t.tid);
  }
  std::set<std::string> removed_early;
  // Targets whose tid must change, and running targets sitting on a pinned tid.
  for (const auto& t : wanted_.targets) {
    if (!t.tid) continue;
    for (const auto& r : actual_.targets) {
      if (r.tid != *t.tid || r.name == t.name) continue;
      if (wanted_.Find(r.name)) {
        return Status::InvalidConfig("tid " + std::to_string(*t.tid) + " pinned for " + t.name +
                                     " is used by " + r.name +
                                     ", which the file keeps: pin it elsewhere");
      }
      if (!in_.remove_stale) {
        return Status::InvalidConfig("tid " + std::to_string(*t.tid) + " pinned for " + t.name +
                                     " is used by " + r.name +
                                     ", not in the file, and stale removal is off");
      }
      std::vector<Step> inner{Make(StepKind::kDeleteTarget, r.tid, r.name,
                                   "not in the file; its tid is pinned for " + t.name)};
      size_t mark = stale_.size();
      Disruptive(r, nullptr, std::move(inner));
      early_.insert(early_.end(), stale_.begin() + mark, stale_.end());
      stale_.resize(mark);
      removed_early.insert(r.name);
    }
    const RunningTarget* r = actual_.Find(t.name);
    if (r && r->tid != *t.tid) {
      std::vector<Step> inner{Make(
          StepKind::kDeleteTarget, r->tid, r->name,
          "runs as tid " + std::to_string(r->tid) + ", file pins tid " + std::to_string(*t.tid))};
      size_t mark = stale_.size();
      Disruptive(*r, nullptr, std::move(inner));
      early_.insert(early_.end(), stale_.begin() + mark, stale_.end());
      stale_.resize(mark);
      removed_early.insert(r->name);
    }
  }
  for (const auto& t : wanted_.targets) {
    const RunningTarget* r = actual_.Find(t.name);
    if (r && !removed_early.count(t.name)) {
      ExistingTarget(t, *r);
      continue;
    }
    int tid = t.tid.value_or(0);
    if (!tid) {
      tid = 1;
      while (used.count(tid)) ++tid;
      used.insert(tid);
    }
    NewTarget(t, tid);
  }
  if (in_.remove_stale) {
    for (const auto& r : actual_.targets) {
      if (wanted_.Find(r.name) || removed_early.count(r.name)) continue;
      Disruptive(r, nullptr, {Make(StepKind::kDeleteTarget, r.tid, r.name, "not in the file")});
    }
    std::set<std::string> used_users;
    for (const auto& a : wanted_.discovery_incoming) used_users.insert(a.user);
    if (wanted_.discovery_outgoing) used_users.insert(wanted_.discovery_outgoing->user);
    for (const auto& t : wanted_.targets) {
      for (const auto& a : t.incoming) used_users.insert(a.user);
      if (t.outgoing) used_users.insert(t.outgoing->user);
    }
    for (const auto& user : in_.check_accounts ? actual_.accounts : std::vector<std::string>{}) {
      if (used_users.count(user) || !in_.records->accounts.count(user)) continue;
      Step s = Make(StepKind::kDeleteAccount, 0, "", "created by sanha, no longer in the file");
      s.name = user;
      cleanup_.push_back(s);
    }
  }
  std::vector<Step> plan;
  for (auto* part : {&accounts_, &early_, &adds_, &changes_, &groups_, &stale_, &cleanup_}) {
    for (auto& s : *part) plan.push_back(std::move(s));
  }
  return plan;
}

}  // namespace internal

Result<std::vector<Step>> Plan(const PlanInput& in) {
  if (!in.wanted || !in.actual || !in.records) return Status::Internal("Plan: missing input");
  return internal::Planner(in).Run();
}

Status CheckListingTrust(const RunningState& actual, const std::vector<Step>& plan,
                         const TargetConfig& file, bool stopping) {
  if (actual.anomalies.empty()) return Status::Ok();
  const std::string why = "tgtd's listing has " + std::to_string(actual.anomalies.size()) +
                          " line(s) an initiator name forged (first: " + actual.anomalies.front() +
                          ")";
  for (const auto& s : plan) {
    const bool destructive =
        s.kind == StepKind::kDeleteTarget || s.kind == StepKind::kDeleteLun ||
        s.kind == StepKind::kDeleteAccount || s.kind == StepKind::kUnbindDiscovery ||
        s.kind == StepKind::kUnbindAddress || s.kind == StepKind::kUnbindInitiator ||
        s.kind == StepKind::kUnbindUser || s.kind == StepKind::kCloseSessions;
    if (!destructive) continue;
    if (!stopping) {
      return Status::Corruption("refusing to " + s.Describe() + ": " + why +
                                "; nothing deleted. Log that initiator out (see status), then "
                                "apply again");
    }
    if (s.kind != StepKind::kDeleteTarget) continue;
    std::vector<std::string> names;
    for (const auto& r : actual.targets) {
      if (r.tid == s.tid) names.push_back(r.name);
    }
    for (const auto& [tid, name] : actual.shadowed) {
      if (tid == s.tid) names.push_back(name);
    }
    for (const auto& n : names) {
      if (!file.Find(n)) {
        return Status::Corruption("refusing to delete target " + std::to_string(s.tid) +
                                  ": it is also listed as '" + Printable(n, 80) +
                                  "', not in the file; " + why);
      }
    }
  }
  if (!stopping) return Status::Ok();
  // A target of the file that is only listed on a set-aside line may still run: a stop that
  // reported success would let the other node start it too.
  for (const auto& [tid, name] : actual.shadowed) {
    if (!file.Find(name)) continue;
    bool deleted = false;
    for (const auto& s : plan)
      deleted = deleted || (s.kind == StepKind::kDeleteTarget && s.tid == tid);
    if (!deleted) {
      return Status::Corruption("cannot tell whether target " + name + " (tid " +
                                std::to_string(tid) + ") still runs: " + why);
    }
  }
  return Status::Ok();
}

std::vector<Step> Differences(const std::vector<Step>& plan) {
  std::vector<Step> out;
  for (const auto& s : plan) {
    if (s.kind == StepKind::kHold || s.kind == StepKind::kRelease ||
        s.kind == StepKind::kCloseSessions ||
        (s.kind == StepKind::kAddLun && s.why == "re-present with the file's identity")) {
      continue;
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace san::target
