// lvm JSON reports → structs. lvm prints every field as a string; sizes come in bytes because the
// commands ask for `--units b --nosuffix` (a trailing "B" is accepted too).
#include "libsan/lvm/report.h"

#include <algorithm>
#include <cstdlib>

#include "libsan/lvm/json.h"
#include "libsan/util/strings.h"

namespace san::lvm {

const char kVgFields[] =
    "vg_name,vg_attr,vg_systemid,vg_tags,pv_count,vg_missing_pv_count,lv_count,snap_count,"
    "vg_size,vg_free";
const char kLvFields[] =
    "lv_name,vg_name,lv_attr,lv_size,origin,snap_percent,lv_role,lv_tags,lv_kernel_major,"
    "lv_kernel_minor,lv_device_open";
const char kPvFields[] = "pv_name,pv_uuid,vg_name,pv_attr,pv_missing,pv_size";

namespace {

// The array under `key` in the first report entry that has it.
Result<const JsonValue*> ReportRows(const JsonValue& doc, std::string_view key) {
  const JsonValue* report = doc.Find("report");
  if (report == nullptr || !report->is_array()) {
    return Status::Corruption("lvm output has no \"report\" array");
  }
  for (const JsonValue& block : report->items()) {
    const JsonValue* rows = block.Find(key);
    if (rows != nullptr && rows->is_array()) return rows;
  }
  return Status::Corruption("lvm report has no \"" + std::string(key) + "\" rows");
}

class Row {
 public:
  explicit Row(const JsonValue& v) : v_(v) {}
  std::string Str(std::string_view key) const {
    const JsonValue* f = v_.Find(key);
    return f == nullptr ? std::string() : f->text();
  }
  Result<int64_t> Int(std::string_view key) const {
    std::string s = Str(key);
    if (s.empty()) return int64_t{0};
    Result<int64_t> n = ParseInt64(s);
    if (!n.ok()) return Status::Corruption(std::string(key) + ": '" + Printable(s) + "'");
    return n;
  }
  Result<uint64_t> Bytes(std::string_view key) const {
    std::string s = Str(key);
    if (!s.empty() && (s.back() == 'B' || s.back() == 'b')) s.pop_back();
    if (s.empty()) return uint64_t{0};
    Result<int64_t> n = ParseInt64(s);
    if (!n.ok() || *n < 0) {
      return Status::Corruption(std::string(key) + ": '" + Printable(s) + "' is not a byte count");
    }
    return static_cast<uint64_t>(*n);
  }
  std::vector<std::string> List(std::string_view key) const { return SplitList(Str(key), ","); }
  bool Has(std::string_view key) const { return v_.Find(key) != nullptr; }

 private:
  const JsonValue& v_;
};

template <typename T, typename F>
Result<std::vector<T>> ParseRows(std::string_view json, std::string_view key, F convert) {
  SAN_ASSIGN_OR_RETURN(JsonValue doc, ParseJson(json));
  SAN_ASSIGN_OR_RETURN(const JsonValue* rows, ReportRows(doc, key));
  std::vector<T> out;
  for (const JsonValue& item : rows->items()) {
    if (!item.is_object()) return Status::Corruption("lvm report row is not an object");
    Row row(item);
    T value;
    SAN_RETURN_IF_ERROR(convert(row, &value));
    out.push_back(std::move(value));
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

bool VgInfo::HasTag(std::string_view tag) const { return Contains(tags, tag); }

bool LvInfo::HasRole(std::string_view role) const { return Contains(roles, role); }

bool LvInfo::IsSnapshot() const {
  if (HasRole("snapshot")) return true;
  return !attr.empty() && (attr[0] == 's' || attr[0] == 'S');
}

bool LvInfo::IsOrigin() const {
  if (HasRole("origin")) return true;
  return !attr.empty() && (attr[0] == 'o' || attr[0] == 'O');
}

LvActivity LvInfo::Activity() const {
  if (attr.size() < 5) return LvActivity::kUnknown;
  switch (attr[4]) {
    case 'a':
      return LvActivity::kActive;
    case '-':
      return LvActivity::kInactive;
    case 's':
    case 'S':
    case 'M':
      return LvActivity::kSuspended;
    case 'X':
      return LvActivity::kUnknown;
    default:
      return LvActivity::kOther;
  }
}

uint64_t LvInfo::SnapshotUsedBytes() const {
  if (!IsSnapshot() || !snap_percent) return 0;
  return static_cast<uint64_t>(static_cast<double>(size) * *snap_percent / 100.0);
}

Result<std::vector<VgInfo>> ParseVgs(std::string_view json) {
  return ParseRows<VgInfo>(json, "vg", [](const Row& r, VgInfo* vg) -> Status {
    vg->name = r.Str("vg_name");
    if (vg->name.empty()) return Status::Corruption("vgs row without vg_name");
    vg->attr = r.Str("vg_attr");
    vg->system_id = r.Str("vg_systemid");
    vg->tags = r.List("vg_tags");
    SAN_ASSIGN_OR_RETURN(vg->pv_count, r.Int("pv_count"));
    SAN_ASSIGN_OR_RETURN(vg->missing_pv_count, r.Int("vg_missing_pv_count"));
    SAN_ASSIGN_OR_RETURN(vg->lv_count, r.Int("lv_count"));
    SAN_ASSIGN_OR_RETURN(vg->snap_count, r.Int("snap_count"));
    SAN_ASSIGN_OR_RETURN(vg->size, r.Bytes("vg_size"));
    SAN_ASSIGN_OR_RETURN(vg->free, r.Bytes("vg_free"));
    return Status::Ok();
  });
}

Result<std::vector<LvInfo>> ParseLvs(std::string_view json) {
  return ParseRows<LvInfo>(json, "lv", [](const Row& r, LvInfo* lv) -> Status {
    lv->name = r.Str("lv_name");
    if (lv->name.empty()) return Status::Corruption("lvs row without lv_name");
    // Hidden LVs are printed in brackets ("[lv0_snap_cow]"); keep the bare name.
    if (lv->name.size() > 2 && lv->name.front() == '[' && lv->name.back() == ']') {
      lv->name = lv->name.substr(1, lv->name.size() - 2);
    }
    lv->vg = r.Str("vg_name");
    lv->attr = r.Str("lv_attr");
    lv->origin = r.Str("origin");
    lv->roles = r.List("lv_role");
    lv->tags = r.List("lv_tags");
    SAN_ASSIGN_OR_RETURN(lv->size, r.Bytes("lv_size"));
    if (std::string p = r.Str("snap_percent"); !p.empty()) {
      char* end = nullptr;
      double v = std::strtod(p.c_str(), &end);
      if (end == p.c_str() || *end != '\0' || !(v >= 0 && v <= 100)) {  // NaN too
        return Status::Corruption("snap_percent: '" + Printable(p) + "'");
      }
      lv->snap_percent = v;
    }
    if (r.Has("lv_kernel_major")) {
      SAN_ASSIGN_OR_RETURN(lv->kernel_major, r.Int("lv_kernel_major"));
      SAN_ASSIGN_OR_RETURN(lv->kernel_minor, r.Int("lv_kernel_minor"));
    }
    lv->device_open = r.Str("lv_device_open");
    return Status::Ok();
  });
}

Result<std::vector<PvInfo>> ParsePvs(std::string_view json) {
  return ParseRows<PvInfo>(json, "pv", [](const Row& r, PvInfo* pv) -> Status {
    pv->name = r.Str("pv_name");
    pv->uuid = r.Str("pv_uuid");
    pv->vg = r.Str("vg_name");
    pv->attr = r.Str("pv_attr");
    pv->missing = r.Str("pv_missing") == "missing" || (pv->attr.size() > 2 && pv->attr[2] == 'm');
    SAN_ASSIGN_OR_RETURN(pv->size, r.Bytes("pv_size"));
    return Status::Ok();
  });
}

}  // namespace san::lvm
