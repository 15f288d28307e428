// ddless: the command front. Parses the command line, builds the real environment (devices,
// Host, stderr logger, progress on a TTY) and hands over to san::blockcopy::RunDdless.
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <random>

#include "libsan/blockcopy/ddless_runner.h"
#include "libsan/blockcopy/file_device.h"
#include "libsan/host/real_host.h"
#include "tools/ddless/options.h"

extern char** environ;

namespace {

// Set by the first SIGTERM or SIGINT; the handler then resets itself, so a second one kills.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void RequestStop(int) { stop_requested.store(true); }

void StopOnSignals() {
  struct sigaction sa = {};
  sa.sa_handler = RequestStop;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace san::blockcopy;
  san::StderrLogger usage_log;
  san::Result<ddless::CommandLine> cl = ddless::ParseCommandLine(argc, argv);
  if (!cl.ok()) {
    usage_log.Error(cl.status().message() + " (see ddless --help)");
    return static_cast<int>(ExitCode::kError);
  }
  if (cl->help) {
    std::cout << ddless::HelpText();
    return 0;
  }
  san::Result<DdlessConfig> config = ResolveArgs(cl->args);
  if (!config.ok()) {
    usage_log.Error(config.status().message());
    return static_cast<int>(ExitCode::kError);
  }
  int v = config->verbosity;
  san::StderrLogger log(v >= 2   ? san::LogLevel::kDebug
                        : v == 1 ? san::LogLevel::kInfo
                                 : san::LogLevel::kWarning);
  san::RealHost host(san::ProgramTable::FromEnvironment(environ), &log);
  RealDeviceOpener devices;
  ProgressPrinter progress(host, std::cerr, isatty(STDERR_FILENO) == 1);
  // The kernel's random source (getrandom); std::random_device only if that fails.
  std::random_device fallback;
  auto random = [&fallback] {
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) == sizeof v) return v;
    return (uint64_t{fallback()} << 32) | fallback();
  };
  // Only a copy stops at a committed point; the other modes keep the default (they write no
  // target, so being killed costs nothing).
  if (config->mode == Mode::kCopy) StopOnSignals();
  DdlessEnv env{host, devices, log, std::cout, &progress, random, AbsolutePath, &stop_requested};
  return static_cast<int>(RunDdless(*config, env));
}
