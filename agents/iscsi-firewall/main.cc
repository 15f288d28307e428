// iscsi-firewall: OCF resource agent that blocks/unblocks iSCSI traffic (portblock's role).
#include "libsan/agents/iscsi_firewall.h"

int main(int argc, char** argv) {
  namespace fw = san::agents::iscsi_firewall;
  san::ocf::Agent agent("iscsi-firewall");  // parameters from metadata/iscsi-firewall.xml
  agent.OnValidate(fw::Validate).OnStart(fw::Start).OnStop(fw::Stop).OnMonitor(fw::Monitor);
  return agent.Run(argc, argv);
}
