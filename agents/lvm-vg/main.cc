// lvm-vg: OCF resource agent for exclusive volume-group activation; `lvm-vg boot-deactivate`
// is the boot-time helper that deactivates cluster VGs before the cluster starts.
#include <unistd.h>

#include <cstring>

#include "libsan/agents/lvm_vg.h"
#include "libsan/host/real_host.h"

int main(int argc, char** argv) {
  namespace vg = san::agents::lvm_vg;
  if (argc >= 2 && std::strcmp(argv[1], "boot-deactivate") == 0) {
    san::StderrLogger log;
    san::RealHost host(san::ProgramTable::FromEnvironment(environ), &log);
    return vg::BootDeactivate(host, log, std::vector<std::string>(argv + 2, argv + argc));
  }
  san::ocf::Agent agent("lvm-vg");  // parameters from metadata/lvm-vg.xml
  agent.OnValidate(vg::Validate).OnStart(vg::Start).OnStop(vg::Stop).OnMonitor(vg::Monitor);
  return agent.Run(argc, argv);
}
