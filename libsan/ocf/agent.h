// Agent: the one OCF front every sanha resource agent uses. It reads the action and parameters
// (OCF_RESKEY_* or heartbeat v1 positional arguments), checks them against the embedded meta-data,
// bounds the operation by its timeout, calls the agent's handler and turns the resulting Status
// into an exit code plus one "ocf-exit-reason:" line. Agents only register handlers.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/ocf/exit_code.h"
#include "libsan/ocf/metadata.h"
#include "libsan/ocf/params.h"
#include "libsan/util/logger.h"

namespace san::ocf {

enum class RunState { kRunning, kStopped };

// What a handler gets: the machine, the checked parameters and facts about the call.
class Context {
 public:
  Context(Host& host, Logger& log, const Params& params,
          const std::map<std::string, std::string>& env, std::string agent, std::string instance,
          Action action, bool probe, int check_level, bool heartbeat_v1);

  Host& host() { return host_; }
  Logger& log() { return log_; }
  const Params& params() const { return params_; }
  Action action() const { return action_; }
  // A monitor with interval 0: pacemaker asks "is it running here?"; a broken environment
  // means "no", never an error.
  bool is_probe() const { return probe_; }
  int check_level() const { return check_level_; }  // OCF_CHECK_LEVEL: 0, 10 or 20
  const std::string& instance() const { return instance_; }
  bool heartbeat_v1() const { return heartbeat_v1_; }
  // An environment variable as the agent received it ("" when unset).
  const std::string& Env(const std::string& name) const;

  // A "started" mark kept in HA_RSCTMP (default /run/resource-agents, also when HA_RSCTMP is
  // not an absolute path), for resources whose
  // running state is not visible on the machine (like an unblock: the absence of rules). It is
  // per resource instance and vanishes at reboot.
  std::string StatePath() const;
  // Another per-instance file beside it: HA_RSCTMP/sanha-AGENT-INSTANCE.<name>.
  std::string StateFile(std::string_view name) const;
  // SetStarted(false) never fails: it runs when a stop has done its work, and a mark that cannot
  // be removed (or cannot exist: HA_RSCTMP missing or not a directory) is logged instead.
  Status SetStarted(bool started);
  bool IsMarkedStarted();

  // A warning for an action that succeeds anyway (e.g. a failover budget exceeded): logged, and
  // printed as the "ocf-exit-reason:" line (Pacemaker records it with the operation) although the
  // exit code stays 0. The last call wins.
  void SetWarning(std::string warning) { warning_ = std::move(warning); }
  const std::string& warning() const { return warning_; }

 private:
  Host& host_;
  Logger& log_;
  const Params& params_;
  const std::map<std::string, std::string>& env_;
  std::string agent_, instance_;
  Action action_;
  bool probe_;
  int check_level_;
  bool heartbeat_v1_;
  std::string warning_;
};

using ActionHandler = std::function<Status(Context&)>;
using MonitorHandler = std::function<Result<RunState>(Context&)>;

// What one invocation produced (for tests; Run() writes it to the real streams).
struct Outcome {
  int exit_code = 0;
  std::string out;  // protocol: meta-data XML, usage, heartbeat status words
  std::string err;  // log lines (when no log target is configured) and the exit reason
};

class Agent {
 public:
  // `name` selects the embedded metadata/<name>.xml.
  explicit Agent(std::string name);
  // Uses `metadata_xml` instead of the embedded meta-data (tests of the front itself).
  Agent(std::string name, std::string metadata_xml);

  Agent& OnStart(ActionHandler h) {
    start_ = std::move(h);
    return *this;
  }
  Agent& OnStop(ActionHandler h) {
    stop_ = std::move(h);
    return *this;
  }
  Agent& OnMonitor(MonitorHandler h) {
    monitor_ = std::move(h);
    return *this;
  }
  // Semantic checks beyond the meta-data (addresses, paths, programs). Runs before every action
  // except meta-data/usage, so a bad configuration is refused before anything is touched.
  Agent& OnValidate(ActionHandler h) {
    validate_ = std::move(h);
    return *this;
  }
  // Optional; "reload" is unimplemented (3) without it, and refused on a stopped resource.
  Agent& OnReload(ActionHandler h) {
    reload_ = std::move(h);
    return *this;
  }

  // The real entry point: process environment, RealHost, HaLogger, stdout/stderr.
  int Run(int argc, char** argv);

  // The testable core: `args` are argv[1..], `env` the environment.
  Outcome Execute(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env, Host& host,
                  Logger* logger = nullptr);

 private:
  std::string Usage() const;
  Status Dispatch(Context& ctx, RunState* state);

  std::string name_;
  std::string metadata_xml_;  // empty: the embedded meta-data of name_
  ActionHandler start_, stop_, validate_, reload_;
  MonitorHandler monitor_;
};

// The environment block as a map.
std::map<std::string, std::string> EnvironmentMap(char** envp);

}  // namespace san::ocf
