// Snapshot rules. Sizes are handed to lvcreate in KiB so no byte count is rejected for not being a
// multiple of 512; lvcreate then rounds up to whole extents itself.
#include "libsan/lvm/snapshot.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "libsan/lvm/vg_state.h"
#include "libsan/util/strings.h"

namespace san::lvm {

namespace {

uint64_t RoundUpKiB(uint64_t bytes) { return (bytes + 1023) / 1024 * 1024; }

}  // namespace

uint64_t DefaultSnapshotSize(uint64_t origin_size) {
  // Integer arithmetic: 20% = /5, 15% = *3/20 (no overflow below 2^60 bytes).
  uint64_t size = origin_size < kLargeOrigin ? (origin_size + 4) / 5 : (origin_size * 3 + 19) / 20;
  return RoundUpKiB(size);
}

Result<uint64_t> ParseSnapshotSize(const std::string& text, uint64_t origin_size) {
  auto bad = [&text](const std::string& why) {
    return Status::InvalidConfig("size '" + Printable(text) + "': " + why);
  };
  if (text.empty()) return bad("empty");
  const char* begin = text.c_str();
  char* end = nullptr;
  double value = std::strtod(begin, &end);
  if (end == begin || !(value > 0) || std::isinf(value) || std::isnan(value) ||
      !(text[0] >= '0' && text[0] <= '9')) {
    return bad("not a positive number");
  }
  std::string unit(end);
  double bytes = 0;
  if (unit == "%") {
    if (value > 100) return bad("more than 100% of the origin");
    bytes = static_cast<double>(origin_size) * value / 100.0;
  } else {
    double mult = 0;
    if (unit.empty() || unit == "m" || unit == "M") {
      mult = 1024.0 * 1024;
    } else if (unit == "b" || unit == "B") {
      mult = 1;
    } else if (unit == "s" || unit == "S") {
      mult = 512;
    } else if (unit == "k" || unit == "K") {
      mult = 1024;
    } else if (unit == "g" || unit == "G") {
      mult = 1024.0 * 1024 * 1024;
    } else if (unit == "t" || unit == "T") {
      mult = 1024.0 * 1024 * 1024 * 1024;
    } else {
      return bad("unknown unit '" + Printable(unit) + "' (use b, s, k, m, g, t or %)");
    }
    bytes = value * mult;
  }
  if (bytes > static_cast<double>(origin_size)) {
    return bad("larger than the origin (" + HumanBytes(origin_size) + ")");
  }
  uint64_t out = RoundUpKiB(static_cast<uint64_t>(std::ceil(bytes)));
  if (out == 0) return bad("zero");
  return out;
}

Result<SnapCreatePlan> PlanSnapCreate(const LvInfo& origin, const std::string& suffix,
                                      const std::optional<std::string>& size_text) {
  if (origin.IsSnapshot()) {
    return Status::InvalidConfig(origin.FullName() +
                                 " is a snapshot; snapshots are taken of origins only");
  }
  if (!origin.IsPublic()) {
    return Status::InvalidConfig(origin.FullName() + " is an internal LV");
  }
  SnapCreatePlan plan;
  plan.vg = origin.vg;
  plan.origin = origin.name;
  plan.name = origin.name + "_" + suffix;
  SAN_RETURN_IF_ERROR(CheckLvName(plan.name, "snapshot name (LV_SUFFIX)"));
  if (size_text) {
    SAN_ASSIGN_OR_RETURN(plan.size, ParseSnapshotSize(*size_text, origin.size));
  } else {
    plan.size = DefaultSnapshotSize(origin.size);
  }
  plan.argv = {"lvm",
               "lvcreate",
               "--snapshot",
               "--name",
               plan.name,
               "--size",
               std::to_string(plan.size / 1024) + "k",
               origin.FullName()};
  return plan;
}

Status CheckRemovableSnapshot(const LvInfo& lv) {
  if (lv.IsOrigin()) {
    return Status::InvalidConfig(lv.FullName() +
                                 " is an origin (it has snapshots); refusing to remove it");
  }
  if (!lv.IsSnapshot()) {
    return Status::InvalidConfig(lv.FullName() + " is not a snapshot; refusing to remove it");
  }
  return Status::Ok();
}

std::vector<std::string> SnapRemoveArgv(const LvInfo& snapshot) {
  return {"lvm", "lvremove", "--yes", snapshot.FullName()};
}

std::string HumanBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

}  // namespace san::lvm
