// The planner's working state (internal to libsan/target): planner.cc plans targets and LUNs,
// planner_accounts.cc the CHAP accounts and their bindings.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "libsan/target/planner.h"

namespace san::target::internal {

class Planner {
 public:
  explicit Planner(const PlanInput& in) : in_(in), wanted_(*in.wanted), actual_(*in.actual) {}
  Result<std::vector<Step>> Run();

 private:
  static Step Make(StepKind kind, int tid, const std::string& target, std::string why = {}) {
    Step s;
    s.kind = kind;
    s.tid = tid;
    s.target = target;
    s.why = std::move(why);
    return s;
  }
  void Accounts();
  void NewTarget(const TargetSpec& t, int tid);
  void ExistingTarget(const TargetSpec& t, const RunningTarget& r);
  void Disruptive(const RunningTarget& r, const TargetSpec* t, std::vector<Step> inner);
  std::string LunDifference(const LunSpec& w, const RunningLun& r, const std::string& target,
                            int tid) const;
  Step AddLunStep(const LunSpec& w, int tid, const std::string& target, std::string why) const;
  std::vector<Step> Users(const TargetSpec& t, const RunningTarget* r, int tid);

  const PlanInput& in_;
  const TargetConfig& wanted_;
  const RunningState& actual_;
  std::vector<Step> accounts_, early_, adds_, changes_, groups_, stale_, cleanup_;
  std::set<std::string> recreated_users_;
};

}  // namespace san::target::internal
