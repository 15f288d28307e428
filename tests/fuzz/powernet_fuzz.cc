// Fuzz target: what a PDU sends back (libsan/fence/powernet, outlet_plan): its sysObjectID, the
// row OIDs and outlet names of a walk of its name table, and the plug text matched against those
// names. A PDU is a remote party; it must never be able to make the agent switch an outlet the
// plug did not name, or crash it.
// Input lines: 1 sysObjectID, 2 plug, 3 PDU hosts (comma separated), then "ROW_OID NAME" lines.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libsan/fence/outlet_plan.h"
#include "libsan/fence/powernet.h"
#include "libsan/snmp/snmp_client.h"
#include "libsan/util/strings.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace san::fence;
using san::fuzz::Check;

// The outlet a plug item names by number ("05", "2.5"), as the agent reads numbers; nullopt for
// a name.
std::optional<OutletId> Number(const std::string& text, bool has_units) {
  std::vector<std::string> parts = san::SplitList(text, ".");
  if (parts.empty() || parts.size() > (has_units ? 2u : 1u) ||
      (parts.size() == 2 && text.find('.') != parts[0].size())) {
    return std::nullopt;
  }
  std::vector<int> n;
  for (const std::string& p : parts) {
    if (p.size() > 6 || p.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    n.push_back(std::stoi(p));
  }
  return n.size() == 2 ? OutletId{n[0], n[1]} : OutletId{1, n[0]};
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string_view> lines = Lines(san::fuzz::AsText(data, size));
  while (lines.size() < 3) lines.emplace_back();
  const std::string sys_object_id(lines[0]);
  san::Result<PduModel> detected = PduModel::FromSysObjectId(sys_object_id);
  const PduModel model = detected.ok() ? *detected : PduModel::Of(PduModel::Kind::kMasterSwitch);
  if (detected.ok()) Check(san::snmp::OidUnder(sys_object_id, ".1.3.6.1.4.1.318"), "non-APC id");

  // The walk: row OIDs mapped back to outlets, with the PDU's names.
  std::vector<NamedOutlet> named;
  for (size_t i = 3; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    size_t sp = l.find(' ');
    const std::string oid(l.substr(0, sp));
    const std::string name(sp == std::string_view::npos ? std::string_view() : l.substr(sp + 1));
    for (auto kind : {PduModel::Kind::kRackPdu, PduModel::Kind::kMasterSwitch6,
                      PduModel::Kind::kMasterSwitchPlus, PduModel::Kind::kMasterSwitch}) {
      if (auto id = PduModel::Of(kind).NameOidToOutlet(oid)) {
        Check(id->number >= 0 && id->unit >= 0, "negative outlet id", oid);
        Check(san::snmp::OidUnder(oid, PduModel::Of(kind).NameTableOid()),
              "outlet read from outside the name table", oid);
      }
    }
    if (auto id = model.NameOidToOutlet(oid)) named.push_back({*id, name});
  }

  std::vector<std::string> hosts = san::SplitList(lines[2], ",");
  if (hosts.empty()) hosts.push_back("192.0.2.1");
  auto refs = ParsePlugs(lines[1], hosts);
  if (!refs.ok()) return 0;
  auto resolved = ResolvePlugs(
      *refs, hosts.size(), [&](size_t) { return model.has_units(); },
      [&](size_t) -> san::Result<std::vector<NamedOutlet>> { return named; });
  if (!resolved.ok()) return 0;
  for (const Outlet& o : *resolved) {
    Check(o.pdu < hosts.size(), "outlet on a PDU that is not configured", o.label);
    Check(o.id.number >= 1 && o.id.unit >= 1, "outlet 0 or unit 0 switched", o.label);
    Check(!san::fuzz::HasControl(o.label), "control characters in an outlet label", o.label);
    // Named from the plug: a number or unit.number it gave, or a name the PDU reported for it.
    bool by_number = false, by_name = false;
    for (const PlugRef& r : *refs) {
      if (r.pdu && *r.pdu != o.pdu) continue;
      if (Number(r.outlet, model.has_units()) == o.id) by_number = true;
      for (const NamedOutlet& n : named) {
        if (n.id == o.id && n.name == r.outlet) by_name = true;
      }
    }
    Check(by_number || by_name, "an outlet the plug did not name", o.label);
  }
  return 0;
}
