// The APC PowerNet outlet MIB as numeric OIDs (Debian ships no PowerNet MIB), per model, and model
// detection by sysObjectID, as fence_apc_snmp knows them: rPDU, MasterSwitch with firmware 6.x,
// MasterSwitch plus (outlets behind switch units) and the original MasterSwitch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "libsan/util/status.h"

namespace san::fence {

// SNMPv2-MIB::sysObjectID.0
inline constexpr char kSysObjectIdOid[] = ".1.3.6.1.2.1.1.2.0";

// An outlet: its number, and for MasterSwitch plus the switch unit it sits on (1 otherwise).
struct OutletId {
  int unit = 1;
  int number = 0;
  bool operator==(const OutletId&) const = default;
  auto operator<=>(const OutletId&) const = default;
};

enum class OutletState { kOn, kOff, kUnknown };

class PduModel {
 public:
  enum class Kind { kRackPdu, kMasterSwitch6, kMasterSwitchPlus, kMasterSwitch };

  // From a sysObjectID value (".1.3.6.1.4.1.318.1.3.4.5"). Any other APC object id falls back to
  // the original MasterSwitch table, which every APC PDU serves; a non-APC id is InvalidConfig.
  static Result<PduModel> FromSysObjectId(const std::string& value);
  static PduModel Of(Kind kind) { return PduModel(kind); }

  Kind kind() const { return kind_; }
  std::string_view Name() const;  // "APC rPDU"
  bool has_units() const { return kind_ == Kind::kMasterSwitchPlus; }

  std::string StatusOid(OutletId id) const;
  std::string ControlOid(OutletId id) const;
  // Table whose rows are the outlet names; NameOidToOutlet maps a row OID back to its outlet.
  std::string NameTableOid() const;
  std::optional<OutletId> NameOidToOutlet(const std::string& row_oid) const;

  int64_t TurnOnValue() const { return 1; }
  int64_t TurnOffValue() const { return kind_ == Kind::kMasterSwitchPlus ? 3 : 2; }
  OutletState Decode(int64_t status) const;

 private:
  explicit PduModel(Kind kind) : kind_(kind) {}
  Kind kind_;
};

}  // namespace san::fence
