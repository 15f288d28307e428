// The pure planner: the file (wanted) + the daemon's state (actual) + what sanha recorded + the
// backing sizes → the ordered steps that make the daemon match the file. Printable as a dry run;
// an empty plan means in sync (a second run after apply plans nothing).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "libsan/target/model.h"
#include "libsan/target/records.h"
#include "libsan/target/step.h"
#include "libsan/util/status.h"

namespace san::target {

struct PlanInput {
  const TargetConfig* wanted = nullptr;
  const RunningState* actual = nullptr;
  const Records* records = nullptr;
  // Current size of each backing path; a path missing here is not checked for a resize.
  std::map<std::string, uint64_t> backing_sizes;
  // Options as the daemon reports them, per tid; for targets missing here the recorded options
  // stand in (reading them costs one command per target).
  std::map<int, std::map<std::string, std::string>> running_options;
  bool remove_stale = true;
  // False when `actual` was read without the account list and discovery accounts (a cheap
  // monitor): accounts are then not compared, only their bindings to targets.
  bool check_accounts = true;
  // tgt: rounded MB the daemon would report for a size (to judge a LUN without a record).
  uint64_t (*size_units)(uint64_t bytes) = nullptr;
};

// Order: accounts and discovery bindings → new targets (with options, ACLs, users, LUNs) →
// changes to existing targets → per target one hold around re-presented and stale LUNs → stale
// targets (each in its own hold) → unused accounts. InvalidConfig when a pinned tid is taken by
// another target that the file keeps.
Result<std::vector<Step>> Plan(const PlanInput& in);

// Whether `plan` may run against `actual`. Always OK for a clean listing. When the daemon's
// listing has anomalies (lines an initiator forged), an apply (`stopping` false) may only add:
// any deletion, unbinding or session close is refused (Corruption naming the first anomaly). A
// stop (`stopping`) may delete a target only when every "Target" line with its tid names a
// target of `file`, so a forged name can never make it delete another administrator's target.
Status CheckListingTrust(const RunningState& actual, const std::vector<Step>& plan,
                         const TargetConfig& file, bool stopping);

// The differences only (no holds, session closes or releases), for monitor reasons.
std::vector<Step> Differences(const std::vector<Step>& plan);

}  // namespace san::target
