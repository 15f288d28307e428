// PduSet: the PDUs of one fence device (one for a single feed, two for dual feeds), each with an
// open SNMP session and its detected model. Reading outlet names and states goes through here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libsan/fence/outlet_plan.h"
#include "libsan/fence/powernet.h"
#include "libsan/snmp/snmp_client.h"
#include "libsan/util/logger.h"

namespace san::fence {

struct Pdu {
  std::string label;  // "pdu1 (192.0.2.10:161)" or "PDU 192.0.2.10:161"
  std::unique_ptr<snmp::SnmpClient> client;
  PduModel model = PduModel::Of(PduModel::Kind::kRackPdu);
};

class PduSet {
 public:
  // Opens a session to every target and reads its sysObjectID to pick the model. The first failure
  // is returned, prefixed with the PDU's label, so a dead PDU is named.
  static Result<PduSet> Open(const std::vector<snmp::Target>& targets,
                             const snmp::ClientFactory& factory, Logger& log);

  size_t size() const { return pdus_.size(); }
  Pdu& at(size_t i) { return pdus_.at(i); }

  // Every outlet of PDU i with its name (walk of the model's name table).
  Result<std::vector<NamedOutlet>> Names(size_t i);
  // States of `outlets` (all on any PDU), one GET per PDU involved, in the order given.
  Result<std::vector<OutletState>> States(const std::vector<Outlet>& outlets);

 private:
  std::vector<Pdu> pdus_;
};

}  // namespace san::fence
