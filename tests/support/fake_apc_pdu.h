// Test support: turns a FakeSnmpAgent into an APC PDU of a given model — sysObjectID, outlet
// names, and outlet states that follow control SETs, with the fault switches of the simulated PDU
// in tests/integration/fence/pdu_sim.py (stuck outlet, refused SET, refused power-on, slow relay).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "libsan/fence/powernet.h"
#include "libsan/snmp/fake_snmp_client.h"

namespace san::testing {

struct PduFaults {
  std::set<int> stuck;      // outlets that accept SETs but never switch
  bool refuse_set = false;  // every SET is refused (notWritable)
  bool refuse_on = false;   // SETs switching on are refused
  int reads_to_switch = 0;  // the relay moves only after this many GETs
};

// Outlets 1..names.size(), all on. `faults` (may be null) is read on every request, so a test can
// change it mid-sequence; it must outlive the agent's use.
void MakeApcPdu(snmp::FakeSnmpAgent& agent, fence::PduModel::Kind kind,
                const std::vector<std::string>& names, const PduFaults* faults);

}  // namespace san::testing
