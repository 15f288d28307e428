// Fuzz target: the JSON reader and the vgs/lvs/pvs report readers (libsan/lvm/json, report). lvm
// prints names and tags that any administrator (or a VG imported from another host) chose. The
// reader must bound its nesting, and every accessor of a parsed LV must be safe to call.
#include <cstdint>
#include <string>

#include "libsan/lvm/json.h"
#include "libsan/lvm/report.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using san::fuzz::Check;

// Walks the whole tree, bounded by the reader's own depth limit.
size_t Walk(const san::lvm::JsonValue& v, int depth) {
  Check(depth <= 65, "the tree nests deeper than the reader allows");
  size_t n = 1;
  for (const auto& item : v.items()) n += Walk(item, depth + 1);
  for (const auto& [key, member] : v.members()) {
    Check(v.Find(key) != nullptr, "a member cannot be found by its key", key);
    n += Walk(member, depth + 1);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  if (auto j = san::lvm::ParseJson(text); j.ok()) {
    Check(Walk(*j, 1) <= size + 1, "more values than input bytes");
  } else {
    Check(j.status().message().find('\n') == std::string::npos, "error is not one line");
  }
  if (auto vgs = san::lvm::ParseVgs(text); vgs.ok()) {
    for (const auto& vg : *vgs) Check(!vg.name.empty(), "a VG without a name");
  }
  if (auto lvs = san::lvm::ParseLvs(text); lvs.ok()) {
    for (const auto& lv : *lvs) {
      (void)lv.IsSnapshot();
      (void)lv.IsOrigin();
      (void)lv.IsPublic();
      (void)lv.SkipsActivation();
      (void)lv.Activity();
      (void)lv.FullName();
      Check(lv.SnapshotUsedBytes() <= lv.size || lv.size == 0,
            "more COW space used than the snapshot has", lv.name);
      if (lv.snap_percent) {
        Check(*lv.snap_percent >= 0 && *lv.snap_percent <= 100, "snap_percent outside 0..100",
              lv.name);
      }
    }
  }
  if (auto pvs = san::lvm::ParsePvs(text); pvs.ok()) {
    for (const auto& pv : *pvs) (void)pv.missing;
  }
  return 0;
}
