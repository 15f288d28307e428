// An in-memory APC PDU for unit tests (see fake_apc_pdu.h).
#include "tests/support/fake_apc_pdu.h"

#include <map>

namespace san::testing {

void MakeApcPdu(snmp::FakeSnmpAgent& agent, fence::PduModel::Kind kind,
                const std::vector<std::string>& names, const PduFaults* faults) {
  using fence::OutletId;
  using fence::PduModel;
  static const std::map<PduModel::Kind, std::string> kIds = {
      {PduModel::Kind::kRackPdu, ".1.3.6.1.4.1.318.1.3.4.5"},
      {PduModel::Kind::kMasterSwitch6, ".1.3.6.1.4.1.318.1.3.4.6"},
      {PduModel::Kind::kMasterSwitchPlus, ".1.3.6.1.4.1.318.1.3.4.4"},
      {PduModel::Kind::kMasterSwitch, ".1.3.6.1.4.1.318.1.3.4.2"},
  };
  PduModel model = PduModel::Of(kind);
  agent.SetOid(fence::kSysObjectIdOid, kIds.at(kind));
  for (size_t i = 0; i < names.size(); ++i) {
    OutletId id{1, static_cast<int>(i + 1)};
    std::string name_oid = model.has_units()
                               ? model.NameTableOid() + ".1.1." + std::to_string(id.number)
                               : model.NameTableOid() + "." + std::to_string(id.number);
    agent.SetString(name_oid, names[i]);
    agent.SetInt(model.StatusOid(id), 1);
  }
  // Pending relay moves: status OID → (value, GETs left).
  auto pending = std::make_shared<std::map<std::string, std::pair<int64_t, int>>>();
  agent.on_set = [model, faults, pending, count = names.size()](
                     snmp::FakeSnmpAgent& a, const std::string& oid, int64_t value) -> Status {
    if (faults && faults->refuse_set) return Status::CommandFailed("notWritable");
    if (faults && faults->refuse_on && value == model.TurnOnValue()) {
      return Status::CommandFailed("notWritable");
    }
    for (size_t i = 1; i <= count; ++i) {
      OutletId id{1, static_cast<int>(i)};
      if (model.ControlOid(id) != oid) continue;
      if (faults && faults->stuck.count(id.number)) return Status::Ok();
      int64_t state = value == model.TurnOnValue() ? 1 : value == model.TurnOffValue() ? 2 : 0;
      if (state == 0) return Status::CommandFailed("wrongValue");
      int reads = faults ? faults->reads_to_switch : 0;
      if (reads == 0) {
        a.SetInt(model.StatusOid(id), state);
      } else {
        (*pending)[model.StatusOid(id)] = {state, reads};
      }
      return Status::Ok();
    }
    return Status::CommandFailed("notWritable");
  };
  agent.on_get = [pending](snmp::FakeSnmpAgent& a) {
    for (auto it = pending->begin(); it != pending->end();) {
      if (--it->second.second <= 0) {
        a.SetInt(it->first, it->second.first);
        it = pending->erase(it);
      } else {
        ++it;
      }
    }
  };
}

}  // namespace san::testing
