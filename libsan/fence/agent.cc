// Action dispatch: one table from action name to handler. Fencing actions open the PDUs, resolve
// the outlets, then switch with read-back; through a stonith proxy the same action is sent over
// SSH.
#include "libsan/fence/agent.h"

#include <map>

#include "libsan/fence/outlet_plan.h"
#include "libsan/fence/pdu_set.h"
#include "libsan/fence/power.h"
#include "libsan/fence/proxy_client.h"
#include "libsan/util/strings.h"

namespace san::fence {
namespace {

struct Session {
  PduSet pdus;
  std::vector<Outlet> outlets;
};

Result<PduSet> OpenPdus(const FenceRequest& r, const AgentDeps& d) {
  return PduSet::Open(r.pdus, d.snmp, *d.log);
}

Result<Session> OpenWithOutlets(const FenceRequest& r, const AgentDeps& d) {
  SAN_ASSIGN_OR_RETURN(PduSet pdus, OpenPdus(r, d));
  SAN_ASSIGN_OR_RETURN(std::vector<PlugRef> refs,
                       ParsePlugs(r.plug, r.pdu_hosts, r.plug_separator));
  Result<std::vector<Outlet>> outlets = ResolvePlugs(
      refs, pdus.size(), [&](size_t i) { return pdus.at(i).model.has_units(); },
      [&](size_t i) { return pdus.Names(i); });
  if (!outlets.ok()) return outlets.status();
  return Session{std::move(pdus), std::move(*outlets)};
}

std::string Labels(const std::vector<Outlet>& outlets) {
  std::vector<std::string> l;
  for (const Outlet& o : outlets) l.push_back(o.label);
  return Join(l, ",");
}

AgentResult Switch(const FenceRequest& r, const AgentDeps& d, bool on) {
  Result<Session> s = OpenWithOutlets(r, d);
  if (!s.ok()) return Failure(s.status());
  if (r.delay.count() > 0) d.host->SleepFor(std::min(r.delay, d.host->TimeLeft()));
  Status st = SwitchAll(*d.host, s->pdus, s->outlets, on, r.power, *d.log);
  if (!st.ok()) return Failure(st);
  d.log->Info(std::string("outlet(s) ") + Labels(s->outlets) + " read back " + (on ? "on" : "off"));
  return {kExitOk, on ? "Success: Powered ON\n" : "Success: Powered OFF\n", {}};
}

AgentResult DoOn(const FenceRequest& r, const AgentDeps& d) { return Switch(r, d, true); }
AgentResult DoOff(const FenceRequest& r, const AgentDeps& d) { return Switch(r, d, false); }

AgentResult DoReboot(const FenceRequest& r, const AgentDeps& d) {
  Result<Session> s = OpenWithOutlets(r, d);
  if (!s.ok()) return Failure(s.status());
  if (r.delay.count() > 0) d.host->SleepFor(std::min(r.delay, d.host->TimeLeft()));
  RebootOutcome o = Reboot(*d.host, s->pdus, s->outlets, r.power, *d.log);
  if (!o.fenced()) return Failure(o.off.WithContext("power off"));
  if (!o.clean()) {
    // The node is verifiably without power: that is what the cluster must learn (exit 0), but the
    // words never claim a reboot.
    AgentResult res;
    res.out = "Success: Powered OFF (verified); power ON FAILED, the node stays off\n";
    res.error = "reboot incomplete: outlet(s) " + Labels(s->outlets) +
                " read back off, then power-on failed: " + o.on.message();
    return res;
  }
  return {kExitOk, "Success: Rebooted\n", {}};
}

AgentResult DoStatus(const FenceRequest& r, const AgentDeps& d) {
  Result<Session> s = OpenWithOutlets(r, d);
  if (!s.ok()) return Failure(s.status());
  Result<std::vector<OutletState>> states = s->pdus.States(s->outlets);
  if (!states.ok()) return Failure(states.status());
  bool any_on = false;
  for (size_t k = 0; k < states->size(); ++k) {
    if ((*states)[k] == OutletState::kUnknown) {
      return Failure(
          Status::CommandFailed("outlet " + s->outlets[k].label + " is in an unknown state"));
    }
    any_on |= (*states)[k] == OutletState::kOn;
  }
  // A node is off only when every one of its outlets is off.
  if (any_on) return {kExitOk, "Status: ON\n", {}};
  return {kExitOff, "Status: OFF\n", {}};
}

AgentResult DoList(const FenceRequest& r, const AgentDeps& d, bool with_status) {
  Result<PduSet> pdus = OpenPdus(r, d);
  if (!pdus.ok()) return Failure(pdus.status());
  std::string out;
  for (size_t i = 0; i < pdus->size(); ++i) {
    Result<std::vector<NamedOutlet>> names = pdus->Names(i);
    if (!names.ok()) return Failure(names.status());
    bool units = pdus->at(i).model.has_units();
    std::vector<Outlet> outlets;
    for (const NamedOutlet& n : *names) {
      std::string id = FormatOutletId(n.id, units);
      outlets.push_back(
          {i, n.id, pdus->size() > 1 ? "pdu" + std::to_string(i + 1) + ":" + id : id});
    }
    std::vector<OutletState> states;
    if (with_status && !outlets.empty()) {
      Result<std::vector<OutletState>> st = pdus->States(outlets);
      if (!st.ok()) return Failure(st.status());
      states = *st;
    }
    for (size_t k = 0; k < outlets.size(); ++k) {
      out += outlets[k].label + "," + (*names)[k].name;
      if (with_status) {
        out += states[k] == OutletState::kOn    ? ",ON"
               : states[k] == OutletState::kOff ? ",OFF"
                                                : ",UNKNOWN";
      }
      out += "\n";
    }
  }
  return {kExitOk, out, {}};
}

AgentResult DoMonitor(const FenceRequest& r, const AgentDeps& d) {
  Result<PduSet> pdus = OpenPdus(r, d);
  if (!pdus.ok()) return Failure(pdus.status());
  return {kExitOk, "", {}};
}

}  // namespace

AgentResult Failure(const Status& status) {
  return {kExitFailed, "", "Failed: " + status.message()};
}

namespace {

AgentResult Dispatch(const FenceRequest& r, const AgentDeps& d) {
  if (!r.ssh_proxy_host.empty()) return RunThroughProxy(r, d);
  using Handler = AgentResult (*)(const FenceRequest&, const AgentDeps&);
  static const std::map<std::string, Handler> kActions = {
      {"on", DoOn},
      {"off", DoOff},
      {"reboot", DoReboot},
      {"status", DoStatus},
      {"list", [](const FenceRequest& r, const AgentDeps& d) { return DoList(r, d, false); }},
      {"list-status", [](const FenceRequest& r, const AgentDeps& d) { return DoList(r, d, true); }},
      {"monitor", DoMonitor},
  };
  auto it = kActions.find(r.action);
  if (it == kActions.end())
    return Failure(Status::InvalidConfig("unknown action " + Printable(r.action)));
  return it->second(r, d);
}

}  // namespace

AgentResult RunAction(const FenceRequest& given, const AgentDeps& d) {
  if (given.action == "validate-all") return {kExitOk, "", {}};
  // One deadline for the whole action: every SNMP request (its tries cut to what is left), the
  // read-back waits, the delay and the stonith proxy's connection all end by it.
  const Clock::time_point start = d.host->Now();
  Clock::time_point deadline = start + given.operation_timeout;
  const std::optional<Clock::time_point> outer = d.host->deadline();
  if (outer && *outer < deadline) deadline = *outer;
  FenceRequest r = given;
  for (snmp::Target& t : r.pdus) t.deadline = deadline;
  d.host->SetDeadline(deadline);
  AgentResult res = Dispatch(r, d);
  d.host->SetDeadline(outer);
  if (res.exit_code == kExitFailed && d.host->Now() >= deadline) {
    std::string why = res.error.rfind("Failed: ", 0) == 0 ? res.error.substr(8) : res.error;
    res.error = "Failed: operation_timeout (" + FormatSeconds(given.operation_timeout) +
                ") reached: " + why;
  }
  return res;
}

}  // namespace san::fence
