// The reconciler: the only code that changes a running target daemon from a target file. It
// takes the host lock, finishes an interrupted run (lifting a hold recorded in the journal),
// reads the state, plans, executes step by step (holding initiators with the firewall around
// disruptive steps, recording what it applied), then re-reads and verifies.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/firewall/firewall.h"
#include "libsan/host/host.h"
#include "libsan/target/backend.h"
#include "libsan/target/model.h"
#include "libsan/target/planner.h"
#include "libsan/target/records.h"
#include "libsan/util/logger.h"

namespace san::target {

struct ReconcileOptions {
  std::string state_dir = "/run/sanha/target";
  bool remove_stale = true;
  std::string firewall = "auto";  // auto, nft, iptables, none
  std::string chain = "sanha-target";
  std::vector<Portal> portals;  // hold destinations and ports; empty = any address, port 3260
  bool read_options = false;    // ask the daemon for every target's options (one call each)
  bool read_accounts = true;    // read the account list and discovery accounts (and compare them)
  // Tests and crash drills: called after each executed step with its name ("hold",
  // "close-sessions", "delete-lun", "add-lun", "release", ...). Returning true makes the run stop
  // right there as if the process died: nothing after it runs, no hold is lifted.
  std::function<bool(std::string_view point)> kill_point;
  firewall::NftClientFactory nft_factory;  // tests: a fake nft
};

// The state and plan of one comparison (no change made).
struct Inspection {
  RunningState actual;
  Records records;
  std::map<std::string, uint64_t> sizes;  // backing path → bytes
  std::vector<Step> plan;
  std::vector<HoldRecord> pending_holds;  // from the journal of an interrupted run
};

// Checks the file against the backend, reads the daemon, records, journal and backing sizes,
// and plans. NotFound when the daemon is not running or a backing path is missing.
Result<Inspection> Inspect(Host& host, TargetBackend& backend, const TargetConfig& config,
                           const ReconcileOptions& options);

struct ApplyReport {
  std::vector<Step> executed;
  std::chrono::milliseconds longest_hold{0};
  size_t holds_lifted_from_journal = 0;
};

// Makes the daemon match the file (see the file comment). Serialized by STATE_DIR/lock. Any hold
// taken, or found in the journal, is lifted before returning, also on failure.
Result<ApplyReport> Apply(Host& host, Logger& log, TargetBackend& backend,
                          const TargetConfig& config, const ReconcileOptions& options);

// Removes the file's targets (stop): per target hold, close sessions, delete, release; then the
// file's accounts sanha created. Targets not in the file are left alone. OK when none runs.
Status RemoveConfigured(Host& host, Logger& log, TargetBackend& backend, const TargetConfig& config,
                        const ReconcileOptions& options);

// The name kill points and logs use for a step kind ("add-lun").
std::string_view StepName(StepKind kind);

}  // namespace san::target
