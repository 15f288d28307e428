// Parsing and resolving `plug`. fence_apc_snmp's defects this avoids: `plug=1,2` switched outlet 1
// twice (the list was never split), and duplicate names silently picked the last one.
#include "libsan/fence/outlet_plan.h"

#include <algorithm>
#include <map>

#include "libsan/util/strings.h"

namespace san::fence {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits as a number; 0 when there are more than 9 of them (no outlet or PDU has such a number,
// and std::stoi would throw on them).
int64_t SmallNumber(std::string_view digits) {
  if (digits.size() > 9) return 0;
  Result<int64_t> n = ParseInt64(digits);
  return n.ok() ? *n : 0;
}

std::optional<size_t> PduIndex(std::string_view prefix, const std::vector<std::string>& hosts) {
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (hosts[i] == prefix) return i;
  }
  if (prefix.size() > 3 && prefix.substr(0, 3) == "pdu" && AllDigits(prefix.substr(3))) {
    int64_t n = SmallNumber(prefix.substr(3));
    if (n >= 1 && static_cast<size_t>(n) <= hosts.size()) return static_cast<size_t>(n - 1);
  }
  return std::nullopt;
}

// Parses "N" or, with units, "U.N"; nullopt when the text is a name.
std::optional<OutletId> ParseNumber(std::string_view text, bool has_units) {
  if (AllDigits(text)) {
    int n = static_cast<int>(SmallNumber(text));
    if (n >= 1) return OutletId{1, n};
    return std::nullopt;
  }
  size_t dot = text.find('.');
  if (has_units && dot != std::string_view::npos && AllDigits(text.substr(0, dot)) &&
      AllDigits(text.substr(dot + 1))) {
    int u = static_cast<int>(SmallNumber(text.substr(0, dot)));
    int n = static_cast<int>(SmallNumber(text.substr(dot + 1)));
    if (u >= 1 && n >= 1) return OutletId{u, n};
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<PlugRef>> ParsePlugs(std::string_view plug,
                                        const std::vector<std::string>& pdu_hosts, char separator) {
  if (HasControlChars(plug)) return Status::InvalidConfig("plug contains control characters");
  std::vector<PlugRef> refs;
  for (const std::string& item : SplitList(plug, std::string(1, separator))) {
    PlugRef ref;
    size_t colon = item.find_last_of(":/");
    if (colon == std::string::npos) {
      ref.outlet = item;
    } else {
      std::string prefix = item.substr(0, colon);
      ref.pdu = PduIndex(prefix, pdu_hosts);
      if (!ref.pdu) {
        return Status::InvalidConfig("plug " + Printable(item) + ": unknown PDU " +
                                     Printable(prefix) + " (use pdu1..pdu" +
                                     std::to_string(pdu_hosts.size()) + " or an address from ip)");
      }
      ref.outlet = std::string(Trim(item.substr(colon + 1)));
    }
    if (ref.outlet.empty()) return Status::InvalidConfig("plug " + Printable(item) + ": no outlet");
    refs.push_back(std::move(ref));
  }
  if (refs.empty()) return Status::InvalidConfig("no outlet given (plug/port is empty)");
  return refs;
}

Result<std::vector<Outlet>> ResolvePlugs(
    const std::vector<PlugRef>& refs, size_t pdu_count,
    const std::function<bool(size_t)>& has_units,
    const std::function<Result<std::vector<NamedOutlet>>(size_t)>& names) {
  std::map<size_t, std::vector<NamedOutlet>> name_cache;
  std::vector<Outlet> out;
  for (const PlugRef& ref : refs) {
    std::vector<size_t> pdus;
    if (ref.pdu) {
      pdus.push_back(*ref.pdu);
    } else {
      for (size_t i = 0; i < pdu_count; ++i) pdus.push_back(i);
    }
    for (size_t pdu : pdus) {
      std::string where = pdu_count > 1 ? "pdu" + std::to_string(pdu + 1) : "the PDU";
      std::optional<OutletId> id = ParseNumber(ref.outlet, has_units(pdu));
      if (!id) {
        auto cached = name_cache.find(pdu);
        if (cached == name_cache.end()) {
          SAN_ASSIGN_OR_RETURN(std::vector<NamedOutlet> table, names(pdu));
          cached = name_cache.emplace(pdu, std::move(table)).first;
        }
        std::vector<OutletId> matches;
        for (const NamedOutlet& n : cached->second) {
          if (n.name == ref.outlet) matches.push_back(n.id);
        }
        if (matches.empty()) {
          return Status::NotFound("no outlet named " + Printable(ref.outlet) + " on " + where);
        }
        if (matches.size() > 1) {
          std::vector<std::string> numbers;
          for (OutletId m : matches) numbers.push_back(FormatOutletId(m, has_units(pdu)));
          return Status::InvalidConfig("outlet name " + Printable(ref.outlet) +
                                       " is ambiguous on " + where + ": outlets " +
                                       Join(numbers, ", ") + " carry it; give the number");
        }
        id = matches.front();
      }
      Outlet o{pdu, *id, FormatOutletId(*id, has_units(pdu))};
      if (pdu_count > 1) o.label = "pdu" + std::to_string(pdu + 1) + ":" + o.label;
      bool dup = std::any_of(out.begin(), out.end(),
                             [&](const Outlet& x) { return x.pdu == o.pdu && x.id == o.id; });
      if (!dup) out.push_back(std::move(o));
    }
  }
  return out;
}

std::string FormatOutletId(OutletId id, bool has_units) {
  if (has_units) return std::to_string(id.unit) + "." + std::to_string(id.number);
  return std::to_string(id.number);
}

}  // namespace san::fence
