// Snapshot safety and sizing for lvm_snap_create / lvm_snap_remove (the 2008 lvm-tools): the
// default COW size (20% of an origin below 100 GiB, 15% from 100 GiB), lvm-style size text, and
// the rule that only a snapshot may be removed — never an origin or a plain LV. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libsan/lvm/report.h"
#include "libsan/util/status.h"

namespace san::lvm {

inline constexpr uint64_t kGiB = uint64_t{1} << 30;
inline constexpr uint64_t kLargeOrigin = 100 * kGiB;

// 20% of `origin_size` below 100 GiB, 15% from 100 GiB on, rounded up to whole KiB.
uint64_t DefaultSnapshotSize(uint64_t origin_size);

// "512M", "10G", "1.5t", "4096" (MiB, as lvcreate -L), "2048k", "25%" (of the origin). Binary
// units (k=1024). InvalidConfig on anything else, on zero, or on more than the origin's size.
Result<uint64_t> ParseSnapshotSize(const std::string& text, uint64_t origin_size);

struct SnapCreatePlan {
  std::string vg, origin, name;
  uint64_t size = 0;
  std::vector<std::string> argv;  // lvm lvcreate --snapshot ...
};

// Plans a snapshot of `origin` named ORIGIN_SUFFIX. InvalidConfig when `origin` is itself a
// snapshot or an internal LV, or when the suffix makes an invalid LV name.
Result<SnapCreatePlan> PlanSnapCreate(const LvInfo& origin, const std::string& suffix,
                                      const std::optional<std::string>& size_text);

// OK only for a snapshot that is not itself an origin. InvalidConfig ("not a snapshot") otherwise.
Status CheckRemovableSnapshot(const LvInfo& lv);
std::vector<std::string> SnapRemoveArgv(const LvInfo& snapshot);

// "1.5 GiB" style.
std::string HumanBytes(uint64_t bytes);

}  // namespace san::lvm
