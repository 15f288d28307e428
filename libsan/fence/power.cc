// The verify loop. Why read back at all: a PDU acknowledges a SET before the relay moves, and a
// stuck relay still answers; only the outlet state read afterwards proves the power is off.
#include "libsan/fence/power.h"

#include <algorithm>
#include <map>

#include "libsan/fence/options.h"
#include "libsan/util/strings.h"

namespace san::fence {

Status SwitchAll(Host& host, PduSet& pdus, const std::vector<Outlet>& outlets, bool on,
                 const PowerOptions& options, Logger& log) {
  const char* word = on ? "on" : "off";
  std::map<size_t, std::vector<std::pair<std::string, int64_t>>> sets;
  for (const Outlet& o : outlets) {
    const PduModel& model = pdus.at(o.pdu).model;
    sets[o.pdu].emplace_back(model.ControlOid(o.id),
                             on ? model.TurnOnValue() : model.TurnOffValue());
  }
  std::vector<std::string> failures;
  std::vector<Outlet> pending;
  for (const auto& [i, values] : sets) {
    Status st = pdus.at(i).client->Set(values);
    if (!st.ok()) {
      failures.push_back(pdus.at(i).label + ": switching " + word + " failed: " + st.message());
      log.Error(failures.back());
      continue;
    }
    for (const Outlet& o : outlets) {
      if (o.pdu == i) pending.push_back(o);
    }
  }
  log.Debug("commanded " + std::to_string(pending.size()) + " outlet(s) " + word);

  const OutletState want = on ? OutletState::kOn : OutletState::kOff;
  // The read-back ends at power_timeout, or earlier at the operation's deadline.
  Clock::time_point deadline = host.Now() + options.power_timeout;
  const bool cut = host.deadline() && *host.deadline() < deadline;
  if (cut) deadline = *host.deadline();
  Status last_read;
  while (!pending.empty()) {
    Result<std::vector<OutletState>> states = pdus.States(pending);
    if (states.ok()) {
      std::vector<Outlet> still;
      for (size_t k = 0; k < pending.size(); ++k) {
        if ((*states)[k] != want) still.push_back(pending[k]);
      }
      pending = std::move(still);
      last_read = Status::Ok();
    } else {
      last_read = states.status();
      log.Warning("read-back: " + last_read.message());
    }
    if (pending.empty() || host.Now() >= deadline) break;
    host.SleepFor(std::min(options.poll_interval,
                           std::chrono::duration_cast<milliseconds>(deadline - host.Now())));
  }
  if (!pending.empty()) {
    std::vector<std::string> labels;
    for (const Outlet& o : pending) labels.push_back(o.label);
    std::string what = "outlet(s) " + Join(labels, ", ") + " not read back " + word + " within " +
                       (cut ? "the operation deadline" : FormatSeconds(options.power_timeout));
    if (!last_read.ok()) what += " (" + last_read.message() + ")";
    failures.push_back(what);
  }
  if (!failures.empty()) {
    bool timeout = !pending.empty();
    std::string message = Join(failures, "; ");
    return timeout ? Status::Timeout(message) : Status::CommandFailed(message);
  }
  if (options.power_wait.count() > 0) host.SleepFor(std::min(options.power_wait, host.TimeLeft()));
  return Status::Ok();
}

RebootOutcome Reboot(Host& host, PduSet& pdus, const std::vector<Outlet>& outlets,
                     const PowerOptions& options, Logger& log) {
  RebootOutcome outcome;
  outcome.off = SwitchAll(host, pdus, outlets, /*on=*/false, options, log);
  if (!outcome.off.ok()) {
    outcome.on = Status::Internal("power-on not tried: power-off failed");
    return outcome;
  }
  log.Info("reboot: all outlets read back off; switching on");
  outcome.on = SwitchAll(host, pdus, outlets, /*on=*/true, options, log);
  return outcome;
}

}  // namespace san::fence
