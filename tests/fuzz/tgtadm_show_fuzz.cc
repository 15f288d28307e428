// Fuzz target: the parsers of tgtadm's `--op show` listings (libsan/target/tgtadm_show). The
// listing carries remote text (an initiator's name and alias are printed verbatim), so besides
// never crashing, no parsed name may hold a control character: a newline or escape in a name is
// how a remote party would make the parser see targets or sessions that do not exist.
#include <cstdint>
#include <string>

#include "libsan/target/tgtadm_show.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using san::fuzz::Check;
using san::fuzz::HasControl;

void CheckName(const std::string& s, const char* what) { Check(!HasControl(s), what, s); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = san::fuzz::AsText(data, size);
  if (auto r = san::target::tgt::ParseShowTargets(text); r.ok()) {
    for (const auto& t : r->targets) {
      CheckName(t.name, "control char in target name");
      Check(t.tid >= 0, "negative tid", t.name);
      for (const auto& s : t.sessions) {
        CheckName(s.initiator, "control char in session initiator");
        for (const auto& [cid, address] : s.connections) {
          CheckName(address, "control char in connection address");
        }
      }
      for (const auto& l : t.luns) {
        Check(l.number >= 0, "negative LUN number", t.name);
        CheckName(l.path, "control char in backing path");
        CheckName(l.scsi_id, "control char in SCSI ID");
        CheckName(l.scsi_sn, "control char in SCSI SN");
      }
      for (const auto& u : t.incoming_users) CheckName(u, "control char in incoming user");
      if (t.outgoing_user) CheckName(*t.outgoing_user, "control char in outgoing user");
      for (const auto& a : t.acl) CheckName(a, "control char in ACL entry");
    }
  }
  if (auto r = san::target::tgt::ParseShowAccounts(text); r.ok()) {
    for (const auto& a : *r) CheckName(a, "control char in account name");
  }
  if (auto r = san::target::tgt::ParseShowSystemAccounts(text); r.ok()) {
    for (const auto& a : r->incoming) CheckName(a, "control char in discovery account");
    if (r->outgoing) CheckName(*r->outgoing, "control char in discovery outgoing account");
  }
  if (auto r = san::target::tgt::ParseShowTargetParams(text); r.ok()) {
    for (const auto& [k, v] : *r) {
      CheckName(k, "control char in parameter name");
      CheckName(v, "control char in parameter value");
    }
  }
  return 0;
}
