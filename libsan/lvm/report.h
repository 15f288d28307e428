// What `vgs`, `lvs` and `pvs --reportformat json --units b --nosuffix` say about volume groups,
// logical volumes and physical volumes, as plain structs. The parsers are pure (text in).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::lvm {

struct VgInfo {
  std::string name;
  std::string attr;       // "wz--n-": [3] 'p' partial (PVs missing), [2] 'x' exported
  std::string system_id;  // "" when the VG has none
  std::vector<std::string> tags;
  int64_t pv_count = 0;
  int64_t missing_pv_count = 0;
  int64_t lv_count = 0;
  int64_t snap_count = 0;
  uint64_t size = 0;
  uint64_t free = 0;

  bool HasTag(std::string_view tag) const;
};

// The activation state lvm reports in lv_attr[4].
enum class LvActivity { kActive, kInactive, kSuspended, kUnknown, kOther };

struct LvInfo {
  std::string name;
  std::string vg;
  std::string attr;                // "-wi-a-----", "swi-a-s---", "owi-aos---"
  std::string origin;              // for a snapshot: the LV it is a snapshot of
  std::vector<std::string> roles;  // lv_role: "public", "snapshot", "origin", "private", ...
  std::vector<std::string> tags;
  uint64_t size = 0;                   // for an old-style snapshot: the COW area's size
  std::optional<double> snap_percent;  // COW space used, 0..100; nullopt when not a snapshot
  int64_t kernel_major = -1;           // -1 when not active
  int64_t kernel_minor = -1;
  std::string device_open;  // "open", "" or "unknown"

  bool HasRole(std::string_view role) const;
  // A snapshot of another LV (old-style COW or thin), whether valid or not.
  bool IsSnapshot() const;
  // Has snapshots of its own (removing it would take them along).
  bool IsOrigin() const;
  // Visible to users (not an internal sub-LV such as a COW store or a thin pool's data).
  bool IsPublic() const { return HasRole("public"); }
  LvActivity Activity() const;
  bool IsActive() const { return Activity() == LvActivity::kActive; }
  // The LVM activation-skip flag (attr[9] == 'k'): `vgchange -ay` leaves it inactive.
  bool SkipsActivation() const { return attr.size() > 9 && attr[9] == 'k'; }
  // Bytes of COW space in use (snapshots only; 0 otherwise).
  uint64_t SnapshotUsedBytes() const;
  std::string FullName() const { return vg + "/" + name; }
};

struct PvInfo {
  std::string name;  // "/dev/sdb", or "[unknown]" for a missing PV
  std::string uuid;
  std::string vg;
  std::string attr;
  bool missing = false;
  uint64_t size = 0;
};

// Each parser reads the first report block holding its key ("vg", "lv", "pv"). Corruption when
// the text is not lvm's JSON report.
Result<std::vector<VgInfo>> ParseVgs(std::string_view json);
Result<std::vector<LvInfo>> ParseLvs(std::string_view json);
Result<std::vector<PvInfo>> ParsePvs(std::string_view json);

// The fields the parsers expect, for `-o` (comma separated).
extern const char kVgFields[];
extern const char kLvFields[];
extern const char kPvFields[];

}  // namespace san::lvm
