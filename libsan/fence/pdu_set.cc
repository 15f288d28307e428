// Opening the PDUs of a device and reading names and states.
#include "libsan/fence/pdu_set.h"

#include <map>

namespace san::fence {

Result<PduSet> PduSet::Open(const std::vector<snmp::Target>& targets,
                            const snmp::ClientFactory& factory, Logger& log) {
  PduSet set;
  for (size_t i = 0; i < targets.size(); ++i) {
    Pdu pdu;
    pdu.label = targets.size() > 1
                    ? "pdu" + std::to_string(i + 1) + " (" + targets[i].Address() + ")"
                    : "PDU " + targets[i].Address();
    Result<std::unique_ptr<snmp::SnmpClient>> client = factory(targets[i]);
    if (!client.ok()) return client.status().WithContext(pdu.label);
    pdu.client = std::move(*client);
    Result<std::vector<snmp::VarBind>> id = pdu.client->Get({kSysObjectIdOid});
    if (!id.ok()) return id.status().WithContext(pdu.label);
    if (id->size() != 1 || (*id)[0].type != snmp::VarBind::Type::kOid) {
      return Status::CommandFailed(pdu.label + ": no sysObjectID in the answer");
    }
    Result<PduModel> model = PduModel::FromSysObjectId((*id)[0].text);
    if (!model.ok()) return model.status().WithContext(pdu.label);
    pdu.model = *model;
    log.Debug(pdu.label + ": " + std::string(pdu.model.Name()));
    set.pdus_.push_back(std::move(pdu));
  }
  return set;
}

Result<std::vector<NamedOutlet>> PduSet::Names(size_t i) {
  Pdu& pdu = pdus_.at(i);
  Result<std::vector<snmp::VarBind>> rows = pdu.client->Walk(pdu.model.NameTableOid());
  if (!rows.ok()) return rows.status().WithContext(pdu.label + ": reading outlet names");
  std::vector<NamedOutlet> out;
  for (const snmp::VarBind& row : *rows) {
    std::optional<OutletId> id = pdu.model.NameOidToOutlet(row.oid);
    if (!id || row.type != snmp::VarBind::Type::kString) continue;
    out.push_back({*id, row.text});
  }
  return out;
}

Result<std::vector<OutletState>> PduSet::States(const std::vector<Outlet>& outlets) {
  std::vector<OutletState> states(outlets.size(), OutletState::kUnknown);
  std::map<size_t, std::vector<size_t>> by_pdu;  // pdu → positions in `outlets`
  for (size_t k = 0; k < outlets.size(); ++k) by_pdu[outlets[k].pdu].push_back(k);
  for (const auto& [i, positions] : by_pdu) {
    Pdu& pdu = pdus_.at(i);
    std::vector<std::string> oids;
    for (size_t k : positions) oids.push_back(pdu.model.StatusOid(outlets[k].id));
    Result<std::vector<snmp::VarBind>> answer = pdu.client->Get(oids);
    if (!answer.ok()) return answer.status().WithContext(pdu.label + ": reading outlet state");
    if (answer->size() != positions.size()) {
      return Status::CommandFailed(pdu.label + ": short answer reading outlet state");
    }
    for (size_t j = 0; j < positions.size(); ++j) {
      const snmp::VarBind& b = (*answer)[j];
      const Outlet& o = outlets[positions[j]];
      if (!b.Exists()) {
        return Status::NotFound(pdu.label + " has no outlet " + o.label);
      }
      if (b.type != snmp::VarBind::Type::kInteger) {
        return Status::CommandFailed(pdu.label + ": outlet " + o.label + " state is not a number");
      }
      states[positions[j]] = pdu.model.Decode(b.integer);
    }
  }
  return states;
}

}  // namespace san::fence
