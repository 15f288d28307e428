// PowerNet OIDs per model (numbers from fence_apc_snmp and the PowerNet MIB; docs/fencing.md lists
// them).
#include "libsan/fence/powernet.h"

#include "libsan/util/strings.h"

namespace san::fence {
namespace {

constexpr char kApc[] = ".1.3.6.1.4.1.318";
constexpr char kApcProducts[] = ".1.3.6.1.4.1.318.1.3";

std::string Apc(const std::string& rest) { return std::string(kApc) + rest; }

}  // namespace

Result<PduModel> PduModel::FromSysObjectId(const std::string& value) {
  if (value == Apc(".1.3.4.5")) return PduModel(Kind::kRackPdu);
  if (value == Apc(".1.3.4.6")) return PduModel(Kind::kMasterSwitch6);
  if (value == Apc(".1.3.4.4")) return PduModel(Kind::kMasterSwitchPlus);
  if (value.rfind(kApcProducts, 0) == 0) return PduModel(Kind::kMasterSwitch);
  return Status::InvalidConfig("not an APC PDU (sysObjectID " + Printable(value) + ")");
}

std::string_view PduModel::Name() const {
  switch (kind_) {
    case Kind::kRackPdu:
      return "APC rPDU";
    case Kind::kMasterSwitch6:
      return "APC MasterSwitch (firmware 6.x)";
    case Kind::kMasterSwitchPlus:
      return "APC MasterSwitch plus";
    case Kind::kMasterSwitch:
      return "APC MasterSwitch";
  }
  return "?";
}

std::string PduModel::StatusOid(OutletId id) const {
  std::string n = std::to_string(id.number);
  switch (kind_) {
    case Kind::kRackPdu:
      return Apc(".1.1.12.3.5.1.1.4." + n);
    case Kind::kMasterSwitchPlus:
      return Apc(".1.1.6.7.1.1.5." + std::to_string(id.unit) + ".1." + n);
    case Kind::kMasterSwitch6:
    case Kind::kMasterSwitch:
      return Apc(".1.1.4.4.2.1.3." + n);
  }
  return {};
}

std::string PduModel::ControlOid(OutletId id) const {
  std::string n = std::to_string(id.number);
  switch (kind_) {
    case Kind::kRackPdu:
    case Kind::kMasterSwitch6:
      return Apc(".1.1.12.3.3.1.1.4." + n);
    case Kind::kMasterSwitchPlus:
      return Apc(".1.1.6.5.1.1.5." + std::to_string(id.unit) + ".1." + n);
    case Kind::kMasterSwitch:
      return Apc(".1.1.4.4.2.1.3." + n);
  }
  return {};
}

std::string PduModel::NameTableOid() const {
  switch (kind_) {
    case Kind::kRackPdu:
      return Apc(".1.1.12.3.3.1.1.2");
    case Kind::kMasterSwitchPlus:
      return Apc(".1.1.6.7.1.1.4");
    case Kind::kMasterSwitch6:
    case Kind::kMasterSwitch:
      return Apc(".1.1.4.4.2.1.4");
  }
  return {};
}

std::optional<OutletId> PduModel::NameOidToOutlet(const std::string& row_oid) const {
  std::string prefix = NameTableOid() + ".";
  if (row_oid.rfind(prefix, 0) != 0) return std::nullopt;
  std::vector<std::string> parts = SplitList(row_oid.substr(prefix.size()), ".");
  std::vector<int> nums;
  for (const std::string& p : parts) {
    Result<int64_t> n = ParseInt64(p);
    // Outlets and units count from 1; a PDU answering with row 0 must not make "outlet 0".
    if (!n.ok() || *n < 1 || *n > 100000) return std::nullopt;
    nums.push_back(static_cast<int>(*n));
  }
  if (has_units()) {
    if (nums.size() != 3) return std::nullopt;  // unit.1.outlet
    return OutletId{nums[0], nums[2]};
  }
  if (nums.size() != 1) return std::nullopt;
  return OutletId{1, nums[0]};
}

OutletState PduModel::Decode(int64_t status) const {
  if (status == 1) return OutletState::kOn;
  if (status == 2) return OutletState::kOff;
  return OutletState::kUnknown;
}

}  // namespace san::fence
