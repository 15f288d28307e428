// Switching outlets with read-back: every outlet is commanded, then polled until each reads back
// in the wanted state or power_timeout passes. Success only when all of them do. Reboot is off-all
// (verified) then on-all, so a dual-PSU node really loses power.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "libsan/fence/pdu_set.h"
#include "libsan/host/host.h"
#include "libsan/util/logger.h"

namespace san::fence {

struct PowerOptions {
  std::chrono::milliseconds power_timeout{20'000};  // per switching step, for all outlets
  std::chrono::milliseconds power_wait{0};          // pause after a verified switch
  std::chrono::milliseconds poll_interval{100};     // between read-backs
};

// Commands every outlet to `on` (one SET per PDU), then reads back. A PDU that refuses or does not
// answer does not stop the others from being switched (an off must remove all the power it can);
// the result then names every PDU and outlet that failed. Timeout when an outlet never reads back.
Status SwitchAll(Host& host, PduSet& pdus, const std::vector<Outlet>& outlets, bool on,
                 const PowerOptions& options, Logger& log);

struct RebootOutcome {
  Status off;  // not OK: the node may still have power
  Status on;   // only meaningful when off is OK
  // Fenced: every outlet was read back off. A failed power-on after that does not undo it.
  bool fenced() const { return off.ok(); }
  bool clean() const { return off.ok() && on.ok(); }
};

// Off-all verified, power_wait, then on-all verified. Power-on is not tried when off failed.
RebootOutcome Reboot(Host& host, PduSet& pdus, const std::vector<Outlet>& outlets,
                     const PowerOptions& options, Logger& log);

}  // namespace san::fence
