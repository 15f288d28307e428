// One volume group as lvm reports it (VG, its LVs, its missing PVs), read through Host with argv
// vectors, and the questions the agent asks about it: which LVs must be active, which are.
#pragma once

#include <string>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/lvm/report.h"

namespace san::lvm {

struct VgState {
  VgInfo vg;
  std::vector<LvInfo> lvs;          // every LV, internal ones included
  std::vector<PvInfo> missing_pvs;  // filled only when vg.missing_pv_count > 0

  // Public LVs that `vgchange -ay` activates (activation-skip LVs excluded).
  std::vector<const LvInfo*> RequiredLvs() const;
  // Names ("vg/lv") of required LVs that are not active.
  std::vector<std::string> InactiveRequired() const;
  // Names of every LV that is active (or suspended, or in an unknown state: not safely down).
  std::vector<std::string> NotInactive() const;
  bool AnyActive() const { return !NotInactive().empty(); }
  // COW bytes in use over all old-style snapshots of the VG.
  uint64_t SnapshotUsedBytes() const;
  // "PV <uuid> (last seen as /dev/sdb)"-style list of the missing PVs, or their count.
  std::string DescribeMissingPvs() const;
};

// Names as LVM accepts them: letters, digits, '+', '_', '.', '-', not starting with '-', not "."
// or "..", at most 127 characters. InvalidConfig naming `what` otherwise.
Status CheckVgName(const std::string& name, const std::string& what = "vgname");
Status CheckLvName(const std::string& name, const std::string& what = "lv");

// "vg/lv", "/dev/vg/lv" or "/dev/mapper/vg-lv" → {vg, lv}; InvalidConfig otherwise.
Result<std::pair<std::string, std::string>> SplitLvPath(const std::string& text);

// argv of the read-only report commands.
std::vector<std::string> VgsArgv(const std::string& vg);
std::vector<std::string> LvsArgv(const std::string& vg_or_lv);
std::vector<std::string> PvsArgv(const std::string& vg);

// Reads the VG, also when it carries another host's system ID (--foreign). NotFound when lvm says
// the VG does not exist; CommandFailed / Corruption when lvm fails or prints something unexpected.
Result<VgState> ReadVg(Host& host, const std::string& vg);
// One LV of `vg` (from the VG's lvs report). NotFound when the VG or the LV does not exist.
Result<LvInfo> ReadLv(Host& host, const std::string& vg, const std::string& lv);

}  // namespace san::lvm
