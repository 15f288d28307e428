// Snapshot tools: every decision is taken on lvs's report before lvcreate/lvremove runs, so a
// refusal never depends on device-mapper.
#include "libsan/lvm/snap_tools.h"

#include "libsan/lvm/vg_state.h"
#include "libsan/util/strings.h"

namespace san::lvm {

Result<SnapCreatePlan> CreateSnapshot(Host& host, Logger& log, const std::string& lv,
                                      const std::string& suffix,
                                      const std::optional<std::string>& size_text) {
  SAN_ASSIGN_OR_RETURN(auto names, SplitLvPath(lv));
  SAN_ASSIGN_OR_RETURN(LvInfo origin, ReadLv(host, names.first, names.second));
  SAN_ASSIGN_OR_RETURN(SnapCreatePlan plan, PlanSnapCreate(origin, suffix, size_text));
  Result<LvInfo> existing = ReadLv(host, plan.vg, plan.name);
  if (existing.ok()) {
    return Status::InvalidConfig(plan.vg + "/" + plan.name + " already exists");
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  log.Info("creating snapshot " + plan.vg + "/" + plan.name + " of " + origin.FullName() + " (" +
           HumanBytes(plan.size) + " of " + HumanBytes(origin.size) + ")");
  SAN_RETURN_IF_ERROR(RunChecked(host, plan.argv).status());
  return plan;
}

Status RemoveSnapshot(Host& host, Logger& log, const std::string& snapshot) {
  SAN_ASSIGN_OR_RETURN(auto names, SplitLvPath(snapshot));
  SAN_ASSIGN_OR_RETURN(LvInfo lv, ReadLv(host, names.first, names.second));
  SAN_RETURN_IF_ERROR(CheckRemovableSnapshot(lv));
  log.Info("removing snapshot " + lv.FullName() + " of " + lv.vg + "/" + lv.origin);
  return RunChecked(host, SnapRemoveArgv(lv)).status();
}

int ToolExitCode(const Status& st) {
  if (st.ok()) return 0;
  return st.code() == Code::kInvalidConfig ? 2 : 1;
}

}  // namespace san::lvm
