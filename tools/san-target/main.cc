// san-target: the original online/offline updater as a tool. plan prints the steps, apply makes
// the running daemon match the target file (--offline: writes the daemon's persistent config
// only), status shows what runs (--json for scripts). Usage: docs/target-file.md.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "libsan/host/program_table.h"
#include "libsan/host/real_host.h"
#include "libsan/target/backend.h"
#include "libsan/target/hold_options.h"
#include "libsan/target/reconcile.h"
#include "libsan/target/status_report.h"
#include "libsan/target/target_file.h"

extern char** environ;

namespace {

namespace po = boost::program_options;
using namespace san;

constexpr int kOk = 0, kFailed = 1, kPending = 2;

int Fail(const Status& s) {
  std::cerr << "san-target: " << s.message() << "\n";
  return kFailed;
}

// SANHA_TARGET_KILL_AT=NAME[:N]: die by SIGKILL right after the Nth step named NAME (crash
// drills in the integration tests).
std::function<bool(std::string_view)> KillPoint() {
  const char* spec = std::getenv("SANHA_TARGET_KILL_AT");
  if (!spec || !*spec) return {};
  std::string name = spec;
  int count = 1;
  if (size_t colon = name.find(':'); colon != std::string::npos) {
    count = std::atoi(name.c_str() + colon + 1);
    name.resize(colon);
  }
  return [name, count, seen = 0](std::string_view point) mutable {
    if (point == name && ++seen == count) std::raise(SIGKILL);
    return false;
  };
}

int Main(int argc, char** argv) {
  std::string config, socket, state_dir, firewall, chain, portals, output, command;
  bool keep_stale = false, verbose = false, offline = false, json = false;
  po::options_description opts("san-target [options] plan|apply|status");
  opts.add_options()("help,h", "this help")(
      "config", po::value(&config)->default_value("/etc/sanha/targets.conf"), "target file")(
      "socket", po::value(&socket), "tgtd control socket prefix (default: $TGT_IPC_SOCKET)")(
      "state-dir", po::value(&state_dir)->default_value("/run/sanha/target"), "state directory")(
      "firewall", po::value(&firewall)->default_value("auto"), "auto, nft, iptables or none")(
      "firewall-chain", po::value(&chain)->default_value("sanha-target"), "chain for holds")(
      "portals", po::value(&portals)->default_value(""), "ADDR[:PORT],... the holds apply to")(
      "keep-stale", po::bool_switch(&keep_stale), "leave targets/LUNs not in the file")(
      "offline", po::bool_switch(&offline), "apply: only write the persistent config")(
      "output", po::value(&output), "apply --offline: file to write")(
      "json", po::bool_switch(&json), "status: JSON")("verbose,v", po::bool_switch(&verbose),
                                                      "debug log")("command", po::value(&command),
                                                                   "plan, apply or status");
  po::positional_options_description pos;
  pos.add("command", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "san-target: " << e.what() << "\n" << opts;
    return kFailed;
  }
  if (vm.count("help") || command.empty()) {
    std::cout << opts;
    return command.empty() && !vm.count("help") ? kFailed : kOk;
  }
  if (command != "plan" && command != "apply" && command != "status") {
    return Fail(Status::InvalidConfig("unknown command '" + command + "'"));
  }
  if (socket.empty() && std::getenv("TGT_IPC_SOCKET")) socket = std::getenv("TGT_IPC_SOCKET");
  // The same check as the agent's: a value journaled with a hold must replay in every later run.
  if (Status s = target::CheckHoldOptions(firewall, chain, "--firewall", "--firewall-chain");
      !s.ok()) {
    return Fail(s);
  }

  StderrLogger log(verbose ? LogLevel::kDebug : LogLevel::kInfo);
  RealHost host(ProgramTable::FromEnvironment(environ), verbose ? &log : nullptr);
  Result<target::TargetConfig> file = target::LoadTargetFile(host, config);
  if (!file.ok()) return Fail(file.status());
  target::BackendOptions bopts;
  bopts.socket = socket;
  Result<std::vector<target::Portal>> parsed_portals = target::ParsePortals(portals);
  if (!parsed_portals.ok()) return Fail(parsed_portals.status().WithContext("--portals"));
  bopts.portals = *parsed_portals;
  Result<std::unique_ptr<target::TargetBackend>> backend =
      target::MakeTargetBackend("tgt", host, log, bopts);
  if (!backend.ok()) return Fail(backend.status());
  target::ReconcileOptions ropts;
  ropts.state_dir = state_dir;
  ropts.remove_stale = !keep_stale;
  ropts.firewall = firewall;
  ropts.chain = chain;
  ropts.portals = *parsed_portals;
  ropts.kill_point = KillPoint();

  if (command == "apply" && offline) {
    Result<std::string> text = (*backend)->PersistentConfig(*file);
    if (!text.ok()) return Fail(text.status());
    const std::string path = output.empty() ? (*backend)->PersistentConfigPath() : output;
    // It holds CHAP secrets: a new 0600 file (never an existing file's mode, never through a
    // symlink planted at `path`), renamed into place.
    if (Status s = host.WritePrivateFileAtomically(path, *text); !s.ok()) return Fail(s);
    std::cerr << "wrote " << path << " (" << file->targets.size() << " target(s))\n";
    return kOk;
  }
  if (command == "apply") {
    Result<target::ApplyReport> r = target::Apply(host, log, **backend, *file, ropts);
    if (!r.ok()) return Fail(r.status());
    std::cerr << (r->executed.empty() ? "in sync, nothing to do"
                                      : std::to_string(r->executed.size()) + " step(s) applied")
              << "\n";
    return kOk;
  }
  ropts.read_options = command == "status";
  Result<target::Inspection> ins = target::Inspect(host, **backend, *file, ropts);
  if (!ins.ok()) {
    Result<bool> up = (*backend)->DaemonRunning();
    if (command == "status" && up.ok() && !*up) {
      std::cout << (json ? "{\"backend\":\"tgt\",\"daemon\":\"stopped\",\"in_sync\":false,"
                           "\"drift\":[],\"held\":[],\"anomalies\":[],\"targets\":[]}\n"
                         : "backend tgt: the daemon is not running\n");
      return kFailed;
    }
    return Fail(ins.status());
  }
  if (command == "status") {
    std::cout << (json ? target::StatusJson(*file, *ins, "tgt")
                       : target::StatusText(*file, *ins, "tgt"));
    return kOk;
  }
  for (const auto& a : ins->actual.anomalies) std::cerr << "warning: tgtd listing: " << a << "\n";
  for (const auto& h : ins->pending_holds) {
    std::cout << "release initiators " << h.sources.size() << " held on " << h.target
              << " — left by an interrupted run\n";
  }
  for (const auto& step : ins->plan) std::cout << step.Describe() << "\n";
  if (ins->plan.empty() && ins->pending_holds.empty()) {
    std::cout << "nothing to do: the daemon matches " << config << "\n";
    return kOk;
  }
  return kPending;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "san-target: " << e.what() << "\n";
    return kFailed;
  }
}
