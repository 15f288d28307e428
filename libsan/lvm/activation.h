// Exclusive activation of a volume group on this node: take ownership (after checking that any
// other owner is down per Pacemaker), activate, verify every LV; deactivate with bounded retries,
// naming what holds an LV open; and inspect what is true now. No OCF here: the lvm-vg agent maps
// these results to exit codes.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/lvm/fencing.h"
#include "libsan/lvm/holders.h"
#include "libsan/lvm/ownership.h"
#include "libsan/lvm/vg_state.h"
#include "libsan/util/logger.h"

namespace san::lvm {

struct VgConfig {
  std::string vg;
  bool exclusive = true;
  OwnerConfig owner;
  bool partial = false;  // activate with PVs missing
};

// Asks whether another node is safely down (CheckNodeDown in production).
using NodeDownCheck = std::function<FenceVerdict(const std::string& node)>;

struct Activation {
  milliseconds took{0};        // wall time of the activation command(s)
  uint64_t snapshot_used = 0;  // COW bytes in use at activation
  bool was_active = false;     // everything was already active and ours: nothing was run
};

// Start. Busy when another node owns the VG and is not safely down (nothing changed), or when a
// race left a second claim (our claim is withdrawn). CommandFailed when PVs are missing without
// `partial`, or when lvm fails, or when an LV is still inactive afterwards (each one named).
Result<Activation> ActivateVg(Host& host, Logger& log, const VgConfig& cfg,
                              const NodeDownCheck& node_down);

struct DeactivateOptions {
  int attempts = 5;
  milliseconds pause{1000};  // between attempts (bounded by the host's deadline)
  HolderRoots roots;
};

// Stop. OK when the VG is absent, or inactive and not ours. Deactivates every LV (retrying while
// an LV is busy) and drops our claim. Busy naming each LV still active and what holds it.
Status DeactivateVg(Host& host, Logger& log, const VgConfig& cfg,
                    const DeactivateOptions& opts = {});

// What monitor found.
struct Inspection {
  bool running = false;  // every required LV active and (exclusive) owned by us
  std::string problem;   // set when the state is neither cleanly running nor stopped
  VgState state;
};

// Monitor. NotFound when the VG is absent (the agent decides what that means). `started` says
// whether this node started the resource (a recurring monitor): then "nothing active" is a
// problem, not "stopped". With `read_check`, one 4 KiB block of each active LV is read
// (O_DIRECT) and a failed read is a problem.
Result<Inspection> InspectVg(Host& host, const VgConfig& cfg, bool started, bool read_check);

// The read used by InspectVg's read check.
std::vector<std::string> ReadBlockArgv(const std::string& vg, const std::string& lv);

// This host's LVM system ID from `lvm systemid`; InvalidConfig when it has none.
Result<std::string> ReadSystemId(Host& host);

}  // namespace san::lvm
