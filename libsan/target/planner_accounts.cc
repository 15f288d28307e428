// Planner, accounts: tgt keeps one secret per user and cannot change it, so a changed (or
// unverifiable) secret means unbind everywhere, delete, create, bind again.
#include <algorithm>

#include "libsan/target/planner_internal.h"

namespace san::target::internal {

void Planner::Accounts() {
  std::map<std::string, std::string> secrets;  // user → secret, every account the file uses
  auto want = [&](const Account& a) { secrets[a.user] = a.secret; };
  for (const auto& a : wanted_.discovery_incoming) want(a);
  if (wanted_.discovery_outgoing) want(*wanted_.discovery_outgoing);
  for (const auto& t : wanted_.targets) {
    for (const auto& a : t.incoming) want(a);
    if (t.outgoing) want(*t.outgoing);
  }
  const std::set<std::string> existing(actual_.accounts.begin(), actual_.accounts.end());
  for (const auto& [user, secret] : secrets) {
    Step create = Make(StepKind::kCreateAccount, 0, "");
    create.name = user;
    create.value = secret;
    if (!existing.count(user)) {
      create.why = "account missing";
      accounts_.push_back(create);
      continue;
    }
    auto rec = in_.records->accounts.find(user);
    std::string why;
    if (rec == in_.records->accounts.end()) {
      why = "secret of an account sanha did not create";
    } else if (rec->second != in_.records->Fingerprint(user, secret)) {
      why = "secret changed";
    } else {
      continue;
    }
    // tgt cannot change a secret: unbind everywhere, delete, create; binds follow below.
    recreated_users_.insert(user);
    for (const auto& d : actual_.discovery_incoming) {
      if (d == user) {
        Step s = Make(StepKind::kUnbindDiscovery, 0, "", why);
        s.name = user;
        accounts_.push_back(s);
      }
    }
    if (actual_.discovery_outgoing == user) {
      Step s = Make(StepKind::kUnbindDiscovery, 0, "", why);
      s.name = user;
      s.outgoing = true;
      accounts_.push_back(s);
    }
    for (const auto& r : actual_.targets) {
      for (const auto& u : r.incoming_users) {
        if (u == user) {
          Step s = Make(StepKind::kUnbindUser, r.tid, r.name, why);
          s.name = user;
          accounts_.push_back(s);
        }
      }
      if (r.outgoing_user == user) {
        Step s = Make(StepKind::kUnbindUser, r.tid, r.name, why);
        s.name = user;
        s.outgoing = true;
        accounts_.push_back(s);
      }
    }
    Step del = Make(StepKind::kDeleteAccount, 0, "", why);
    del.name = user;
    accounts_.push_back(del);
    create.why = why;
    accounts_.push_back(create);
  }
  // Discovery bindings.
  auto bound = [&](const std::string& u) { return !recreated_users_.count(u); };
  for (const auto& a : wanted_.discovery_incoming) {
    const auto& have = actual_.discovery_incoming;
    if (std::find(have.begin(), have.end(), a.user) == have.end() || !bound(a.user)) {
      Step s = Make(StepKind::kBindDiscovery, 0, "", "discovery account not bound");
      s.name = a.user;
      accounts_.push_back(s);
    }
  }
  for (const auto& u : actual_.discovery_incoming) {
    bool keep = false;
    for (const auto& a : wanted_.discovery_incoming) keep = keep || a.user == u;
    if (!keep) {
      Step s = Make(StepKind::kUnbindDiscovery, 0, "", "not in the file");
      s.name = u;
      accounts_.push_back(s);
    }
  }
  const std::optional<std::string> want_out =
      wanted_.discovery_outgoing ? std::optional(wanted_.discovery_outgoing->user) : std::nullopt;
  if (actual_.discovery_outgoing != want_out || (want_out && !bound(*want_out))) {
    if (actual_.discovery_outgoing && actual_.discovery_outgoing != want_out) {
      Step s = Make(StepKind::kUnbindDiscovery, 0, "", "outgoing discovery account differs");
      s.name = *actual_.discovery_outgoing;
      s.outgoing = true;
      accounts_.push_back(s);
    }
    if (want_out) {
      Step s = Make(StepKind::kBindDiscovery, 0, "", "outgoing discovery account not bound");
      s.name = *want_out;
      s.outgoing = true;
      accounts_.push_back(s);
    }
  }
}

std::vector<Step> Planner::Users(const TargetSpec& t, const RunningTarget* r, int tid) {
  std::vector<Step> out;
  auto has_in = [&](const std::string& u) {
    return r && !recreated_users_.count(u) &&
           std::find(r->incoming_users.begin(), r->incoming_users.end(), u) !=
               r->incoming_users.end();
  };
  for (const auto& a : t.incoming) {
    if (!has_in(a.user)) {
      Step s = Make(StepKind::kBindUser, tid, t.name, r ? "account not bound" : "");
      s.name = a.user;
      out.push_back(s);
    }
  }
  if (r) {
    for (const auto& u : r->incoming_users) {
      bool keep = false;
      for (const auto& a : t.incoming) keep = keep || a.user == u;
      if (!keep && !recreated_users_.count(u)) {
        Step s = Make(StepKind::kUnbindUser, tid, t.name, "not in the file");
        s.name = u;
        out.push_back(s);
      }
    }
  }
  std::optional<std::string> have = r ? r->outgoing_user : std::nullopt;
  if (have && recreated_users_.count(*have)) have.reset();
  const std::optional<std::string> want =
      t.outgoing ? std::optional(t.outgoing->user) : std::nullopt;
  if (have != want) {
    if (have) {
      Step s = Make(StepKind::kUnbindUser, tid, t.name, "outgoing account differs from the file");
      s.name = *have;
      s.outgoing = true;
      out.push_back(s);
    }
    if (want) {
      Step s = Make(StepKind::kBindUser, tid, t.name, r ? "outgoing account not bound" : "");
      s.name = *want;
      s.outgoing = true;
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace san::target::internal
