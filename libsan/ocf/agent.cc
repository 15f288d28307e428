// The OCF front: action dispatch, parameter checking, timeouts, exit codes, heartbeat v1 mode.
#include "libsan/ocf/agent.h"

#include <unistd.h>

#include <cstdio>

#include "libsan/host/program_table.h"
#include "libsan/host/real_host.h"
#include "libsan/ocf/ha_logger.h"
#include "libsan/ocf/op_env.h"
#include "libsan/util/strings.h"

namespace san::ocf {

namespace {

constexpr char kReasonCookie[] = "ocf-exit-reason:";

const std::string& Lookup(const std::map<std::string, std::string>& env, const std::string& name) {
  static const std::string kEmpty;
  auto it = env.find(name);
  return it == env.end() ? kEmpty : it->second;
}

// heartbeat v1 calls "NAME arg1 arg2 ... start|stop|status" without any OCF variables.
bool IsHeartbeatV1(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  if (args.size() > 1) return true;
  if (args.size() != 1 || env.count("OCF_ROOT")) return false;
  for (const auto& [key, value] : env) {
    if (key.rfind("OCF_RESKEY_", 0) == 0) return false;
  }
  return args[0] == "start" || args[0] == "stop" || args[0] == "status";
}

// Characters safe in a file name; anything else becomes '_'.
std::string FileSafe(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 128)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    out += ok ? c : '_';
  }
  return out;
}

std::string InstanceName(const std::string& agent, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, bool v1) {
  if (!v1) return Lookup(env, "OCF_RESOURCE_INSTANCE");
  std::vector<std::string> positional(args.begin(), args.end() - 1);
  return agent + (positional.empty() ? "" : "_" + FileSafe(Join(positional, "_")));
}

// The meta-data timeout of `action` ("" when it declares none). "status" falls back to monitor.
std::string ActionTimeout(const Metadata& md, const std::string& action) {
  for (const ActionSpec& a : md.actions) {
    if (a.name == action && !a.timeout.empty()) return a.timeout;
  }
  if (action == "status") return ActionTimeout(md, "monitor");
  return {};
}

}  // namespace

Context::Context(Host& host, Logger& log, const Params& params,
                 const std::map<std::string, std::string>& env, std::string agent,
                 std::string instance, Action action, bool probe, int check_level,
                 bool heartbeat_v1)
    : host_(host),
      log_(log),
      params_(params),
      env_(env),
      agent_(std::move(agent)),
      instance_(std::move(instance)),
      action_(action),
      probe_(probe),
      check_level_(check_level),
      heartbeat_v1_(heartbeat_v1) {}

const std::string& Context::Env(const std::string& name) const { return Lookup(env_, name); }

std::string Context::StateFile(std::string_view name) const {
  // Only an absolute path without ".." is a usable directory; anything else (a relative path from a
  // hand run, garbage) falls back to the default rather than writing somewhere unexpected.
  std::string dir = Env("HA_RSCTMP");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty() || dir.front() != '/' || dir.find("..") != std::string::npos ||
      HasControlChars(dir)) {
    dir = "/run/resource-agents";
  }
  return dir + "/sanha-" + agent_ + "-" + FileSafe(instance_.empty() ? "default" : instance_) +
         "." + std::string(name);
}

std::string Context::StatePath() const { return StateFile("started"); }

Status Context::SetStarted(bool started) {
  std::string path = StatePath();
  if (started) {
    SAN_RETURN_IF_ERROR(host_.MakeDirectories(path.substr(0, path.rfind('/'))));
    return host_.WriteFileAtomically(path, instance_ + "\n");
  }
  Status removed = host_.RemoveFile(path);
  if (removed.ok()) return removed;
  // Called at the end of a stop whose work is done. A mark that cannot be there (HA_RSCTMP
  // missing, a file, unreadable) is no mark; one that stays (read-only file system) is logged.
  // Either way nothing of ours runs any more, and a failed stop would get this node fenced.
  if (host_.Stat(path).ok()) {
    log_.Error("stopped, but the started mark " + path + " stays: " + removed.message());
  } else {
    log_.Warning("no started mark to remove (" + removed.message() + ")");
  }
  return Status::Ok();
}

bool Context::IsMarkedStarted() { return host_.Stat(StatePath()).ok(); }

Agent::Agent(std::string name) : name_(std::move(name)) {}

Agent::Agent(std::string name, std::string metadata_xml)
    : name_(std::move(name)), metadata_xml_(std::move(metadata_xml)) {}

std::string Agent::Usage() const {
  std::string actions = "start|stop|monitor|validate-all|meta-data|usage";
  if (reload_) actions += "|reload";
  return "usage: " + name_ + " {" + actions + "}\n" + "       " + name_ +
         " ARG1 ARG2 ... {start|stop|status}   (heartbeat v1)\n" +
         "Parameters come from OCF_RESKEY_<name>; see '" + name_ + " meta-data'.\n";
}

Status Agent::Dispatch(Context& ctx, RunState* state) {
  if (validate_) SAN_RETURN_IF_ERROR(validate_(ctx));
  switch (ctx.action()) {
    case Action::kValidateAll:
      return Status::Ok();
    case Action::kStart:
      return start_ ? start_(ctx) : Status::Internal("agent has no start handler");
    case Action::kStop:
      return stop_ ? stop_(ctx) : Status::Internal("agent has no stop handler");
    case Action::kMonitor:
    case Action::kReload: {
      if (!monitor_) return Status::Internal("agent has no monitor handler");
      Result<RunState> r = monitor_(ctx);
      if (!r.ok()) return r.status();
      *state = *r;
      // reload applies configuration to a running resource and never starts a stopped one.
      if (ctx.action() == Action::kReload && *r == RunState::kRunning) return reload_(ctx);
      return Status::Ok();
    }
    case Action::kMetaData:
    case Action::kUsage:
      break;
  }
  return Status::Internal("unexpected action");
}

Outcome Agent::Execute(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env, Host& host, Logger* logger) {
  Outcome o;
  bool v1 = false;
  // heartbeat v1 knows only 0 and 1 for start/stop.
  auto fail = [&o, &v1](ExitCode code, const std::string& reason) {
    o.err += kReasonCookie + Printable(reason, 1000) + "\n";
    o.exit_code = v1 ? 1 : static_cast<int>(code);
    return o;
  };
  Result<Metadata> md =
      metadata_xml_.empty() ? LoadEmbeddedMetadata(name_) : ParseMetadata(metadata_xml_);
  if (!md.ok()) return fail(ExitCode::kErrGeneric, md.status().ToString());
  if (args.empty()) {
    o.err += Usage();
    o.exit_code = static_cast<int>(ExitCode::kErrArgs);
    return o;
  }
  v1 = IsHeartbeatV1(args, env);
  const std::string& action_text = v1 ? args.back() : args.front();
  Action action;
  if (!ParseAction(action_text, &action) || (action == Action::kReload && !reload_)) {
    o.err += Usage();
    return fail(ExitCode::kErrUnimplemented,
                "action '" + Printable(action_text) + "' is not implemented by " + name_);
  }
  if (action == Action::kMetaData) {
    o.out = md->xml;
    return o;
  }
  if (action == Action::kUsage) {
    o.out = Usage();
    return o;
  }

  // Parameters: OCF_RESKEY_<name>, or heartbeat v1 positional arguments in meta-data order.
  std::map<std::string, std::string> raw;
  if (v1) {
    if (args.size() - 1 > md->params.size()) {
      return fail(ExitCode::kErrArgs, "too many arguments: " + name_ + " takes at most " +
                                          std::to_string(md->params.size()));
    }
    for (size_t i = 0; i + 1 < args.size(); ++i) raw[md->params[i].name] = args[i];
  } else {
    for (const ParamSpec& p : md->params) {
      auto it = env.find("OCF_RESKEY_" + p.name);
      if (it != env.end()) raw[p.name] = it->second;
    }
  }
  const std::string instance = InstanceName(name_, args, env, v1);
  std::unique_ptr<Logger> own_logger;
  if (!logger) {
    own_logger = std::make_unique<HaLogger>(env, name_, instance, &o.err);
    logger = own_logger.get();
  }

  Result<Params> params = Params::Parse(*md, raw);
  if (!params.ok()) {
    logger->Error(params.status().message());
    return fail(ExitCode::kErrConfigured, params.status().message());
  }

  const bool probe = action == Action::kMonitor &&
                     (v1 || IsProbeInterval(Lookup(env, "OCF_RESKEY_CRM_meta_interval")));
  // The depth matters to monitor only: garbage in it must never fail a stop (fencing) or a start.
  int check_level = 0;
  if (Result<int> level = ParseCheckLevel(Lookup(env, "OCF_CHECK_LEVEL")); level.ok()) {
    check_level = *level;
  } else if (action == Action::kMonitor) {
    ExitCode code = ExitCodeFor(level.status(), action, probe);
    logger->Error(level.status().message());
    if (code == ExitCode::kNotRunning) {
      o.exit_code = static_cast<int>(code);
      return o;
    }
    return fail(code, level.status().message());
  } else {
    logger->Warning(level.status().message() + "; ignored for " + std::string(ActionName(action)));
  }
  // Finish before pacemaker kills us. A CRM_meta_timeout that is garbage falls back to the
  // action's meta-data timeout; a huge one is clamped (never a deadline in the past).
  OperationBudget budget =
      ParseOperationTimeout(Lookup(env, "OCF_RESKEY_CRM_meta_timeout"),
                            ActionTimeout(*md, std::string(ActionName(action))));
  if (!budget.note.empty()) logger->Warning(budget.note);
  if (budget.budget > milliseconds(0)) host.SetDeadline(host.Now() + budget.budget);

  Context ctx(host, *logger, *params, env, name_, instance, action, probe, check_level, v1);
  RunState state = RunState::kStopped;
  Status st = Dispatch(ctx, &state);
  host.SetDeadline(std::nullopt);

  if (st.ok()) {
    if (!ctx.warning().empty()) {
      logger->Warning(ctx.warning());
      if (!v1) o.err += kReasonCookie + Printable(ctx.warning(), 1000) + "\n";
    }
    const bool monitor = action == Action::kMonitor || action == Action::kReload;
    const bool stopped = monitor && state == RunState::kStopped;
    if (v1) {
      if (action == Action::kMonitor) {
        o.out += stopped ? "stopped\n" : "running\n";
        o.exit_code = stopped ? 3 : 0;
      }
      return o;
    }
    if (stopped && action == Action::kReload) {
      return fail(ExitCode::kNotRunning, "not running: reload never starts a stopped resource");
    }
    o.exit_code = static_cast<int>(stopped ? ExitCode::kNotRunning : ExitCode::kSuccess);
    return o;
  }

  ExitCode code = ExitCodeFor(st, action, probe);
  if (code == ExitCode::kSuccess || code == ExitCode::kNotRunning) {
    // A broken environment on stop or probe: the resource cannot be running here.
    logger->Info(std::string(ActionName(action)) + ": treated as not running: " + st.message());
    if (v1 && action == Action::kMonitor) {
      o.out += "stopped\n";
      o.exit_code = 3;
      return o;
    }
    o.exit_code = static_cast<int>(code);
    return o;
  }
  logger->Error(std::string(ActionName(action)) + " failed: " + st.ToString());
  return fail(code, st.message());
}

int Agent::Run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::map<std::string, std::string> env = EnvironmentMap(environ);
  std::unique_ptr<Logger> logger;
  if (!args.empty()) {
    const bool v1 = IsHeartbeatV1(args, env);
    logger = std::make_unique<HaLogger>(env, name_, InstanceName(name_, args, env, v1));
  }
  RealHost host(ProgramTable::FromEnvironment(environ), logger.get());
  Outcome o = Execute(args, env, host, logger.get());
  std::fwrite(o.out.data(), 1, o.out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(o.err.data(), 1, o.err.size(), stderr);
  return o.exit_code;
}

std::map<std::string, std::string> EnvironmentMap(char** envp) {
  std::map<std::string, std::string> env;
  for (char** e = envp; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace san::ocf
