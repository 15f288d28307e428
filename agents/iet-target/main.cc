// iet-target: OCF resource agent keeping tgtd in step with one declarative target file.
#include "libsan/agents/iet_target.h"

int main(int argc, char** argv) {
  namespace it = san::agents::iet_target;
  san::ocf::Agent agent("iet-target");  // parameters from metadata/iet-target.xml
  agent.OnValidate(it::Validate)
      .OnStart(it::Start)
      .OnStop(it::Stop)
      .OnMonitor(it::Monitor)
      .OnReload(it::Reload);
  return agent.Run(argc, argv);
}
