// Which outlets a fence request means: parsing `plug` ("5", "web1", "pdu1:5,pdu2:5",
// "10.0.0.2:web1", "2.5" for MasterSwitch plus unit 2 outlet 5) against the device's PDU list, and
// resolving names to outlets. Pure: the outlet names come in through a callback.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/fence/powernet.h"
#include "libsan/util/status.h"

namespace san::fence {

// One item of `plug` before resolution.
struct PlugRef {
  std::optional<size_t> pdu;  // index into the PDU list; nullopt = the same outlet on every PDU
  std::string outlet;         // number, "unit.number", or a name
};

// A resolved outlet.
struct Outlet {
  size_t pdu = 0;
  OutletId id;
  std::string label;  // "pdu2:5" with several PDUs, "5" with one; how messages name it
};

struct NamedOutlet {
  OutletId id;
  std::string name;
};

// Splits `plug` on `separator` and reads each "[PDU:]OUTLET" (or "PDU/OUTLET", which survives
// pacemaker's pcmk_host_map, where ':' separates the node). PDU is "pduN" (1-based position in
// `pdu_hosts`) or exactly one of `pdu_hosts`. InvalidConfig on an empty plug, an unknown PDU, or
// blanks and control characters where they make no sense.
Result<std::vector<PlugRef>> ParsePlugs(std::string_view plug,
                                        const std::vector<std::string>& pdu_hosts,
                                        char separator = ',');

// Resolves refs to outlets. A number (or "unit.number" when `has_units(pdu)`) is taken as is; any
// other text must equal exactly one outlet name on that PDU (NotFound when none, InvalidConfig when
// several: an ambiguous name is an error, never a guess). `names(pdu)` is called at most once per
// PDU, only when a name must be looked up. Duplicates collapse to one outlet, order kept.
Result<std::vector<Outlet>> ResolvePlugs(
    const std::vector<PlugRef>& refs, size_t pdu_count,
    const std::function<bool(size_t)>& has_units,
    const std::function<Result<std::vector<NamedOutlet>>(size_t)>& names);

// "5", "2.5" (unit 2) — how list prints an outlet id.
std::string FormatOutletId(OutletId id, bool has_units);

}  // namespace san::fence
