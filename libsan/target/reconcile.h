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
  // Where the per-daemon lock lives (see DaemonLockPath).
  std::string daemon_lock_dir = "/run/lock/sanha";
};

// The lock every Apply and RemoveConfigured takes before STATE_DIR/lock: one per daemon, named
// after the backend's DaemonIdentity() (tgt: its control socket), so runs with different state
// directories against one daemon are serialised too.
std::string DaemonLockPath(const TargetBackend& backend, const ReconcileOptions& options);

// The state and plan of one comparison (no change made).
struct Inspection {
  RunningState actual;
  Records records;
  std::map<std::string, uint64_t> sizes;  // backing path → bytes
  std::vector<Step> plan;
  std::vector<HoldRecord> pending_holds;  // from the journal of an interrupted run
  // Per tid, the options read from the daemon (only with options.read_options).
  std::map<int, std::map<std::string, std::string>> running_options;
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

// Makes the daemon match the file (see the file comment). Serialized by the daemon's lock
// (DaemonLockPath) and STATE_DIR/lock; a journal that cannot be parsed, or an entry that cannot be
// replayed, is logged and discarded (it never blocks a run, stop above all). Any hold
// taken, or found in the journal, is lifted before returning, also on failure.
Result<ApplyReport> Apply(Host& host, Logger& log, TargetBackend& backend,
                          const TargetConfig& config, const ReconcileOptions& options);

// Removes the file's targets (stop): per target hold, close sessions, delete, release; then the
// file's accounts sanha created. Targets not in the file are left alone. OK when none runs.
Status RemoveConfigured(Host& host, Logger& log, TargetBackend& backend, const TargetConfig& config,
                        const ReconcileOptions& options);

// What sanha last applied: after every verified Apply, STATE_DIR/applied holds this text of the
// running state as the daemon then reported it (targets with tids, LUNs with path, identity, size
// and backing type, ACLs, bound users; then, marked "account"/"discovery", the account list).
// Sessions are left out (they come and go). Values are escaped: one line per item whatever a
// remote initiator put in its name. RemoveConfigured removes the file.
std::string AppliedStateText(const RunningState& state);
std::string AppliedStatePath(const ReconcileOptions& options);

// A monitor's judgement of a running daemon.
struct Assessment {
  Inspection ins;             // read and planned against the current file, with backing sizes
  std::vector<Step> drift;    // the running state changed behind sanha's back
  std::vector<Step> pending;  // the running state is what sanha applied, but the file changed or
                              // a backing device grew: a reload applies these
};

// Drift is a running state that is neither what sanha last applied (STATE_DIR/applied, and the
// recorded options when options are read) nor what the current file asks for, backing sizes
// aside; anything else the plan holds is pending. Without a record of the last apply (state lost,
// an apply by an older version) every difference but a grown backing device is drift. Same
// errors as Inspect.
Result<Assessment> Assess(Host& host, TargetBackend& backend, const TargetConfig& config,
                          const ReconcileOptions& options);

// Whether the daemon still runs exactly what sanha last applied (no file needed: a monitor whose
// file cannot be read or parsed right now). False when nothing was recorded.
Result<bool> RunsAsApplied(Host& host, TargetBackend& backend, const ReconcileOptions& options);

// The name kill points and logs use for a step kind ("add-lun").
std::string_view StepName(StepKind kind);

}  // namespace san::target
