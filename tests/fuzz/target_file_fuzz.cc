// Fuzz target: the declarative target file parser (libsan/target/target_file). Any text must give
// a model or a one-line "PATH:LINE: ..." error; a model holds no control character in any value
// that reaches the daemon, a command or a persistent file, and every LUN number and tid is sane.
#include <cstdint>
#include <set>
#include <string>

#include "libsan/target/target_file.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using san::fuzz::Check;
using san::fuzz::HasControl;

void CheckAccount(const san::target::Account& a) {
  Check(!a.user.empty() && !HasControl(a.user), "CHAP user empty or with control chars", a.user);
  Check(!a.secret.empty() && !HasControl(a.secret), "CHAP secret empty or with control chars");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  san::Result<san::target::TargetConfig> r =
      san::target::ParseTargetFile(san::fuzz::AsText(data, size), "fuzz.conf");
  if (!r.ok()) {
    const std::string m = r.status().message();
    Check(m.starts_with("fuzz.conf"), "error does not name the file", m);
    Check(m.find('\n') == std::string::npos, "error is not one line", m);
    return 0;
  }
  for (const auto& a : r->discovery_incoming) CheckAccount(a);
  if (r->discovery_outgoing) CheckAccount(*r->discovery_outgoing);
  std::set<int> tids;
  std::set<std::string> names;
  for (const auto& t : r->targets) {
    // Uniqueness is on parsed values ("tid 7" and "tid 07" are one tid).
    Check(!t.tid || tids.insert(*t.tid).second, "a tid pinned twice", t.name);
    Check(names.insert(t.name).second, "a target declared twice", t.name);
    Check(!t.name.empty() && !HasControl(t.name), "target name empty or with control chars",
          t.name);
    Check(!t.tid || *t.tid > 0, "tid not positive", t.name);
    for (const auto& a : t.incoming) CheckAccount(a);
    if (t.outgoing) CheckAccount(*t.outgoing);
    for (const auto& s : t.allow_addresses) Check(!HasControl(s), "address with control chars", s);
    for (const auto& s : t.allow_initiators) {
      Check(!s.empty() && !HasControl(s), "initiator name empty or with control chars", s);
    }
    for (const auto& [k, v] : t.options) {
      Check(!HasControl(k) && !HasControl(v), "option with control chars", k);
    }
    int last = -1;
    for (const auto& l : t.luns) {
      Check(l.number > last, "LUNs not ordered by number or repeated", t.name);
      last = l.number;
      Check(!l.path.empty() && !HasControl(l.path), "LUN path empty or with control chars", l.path);
      for (const std::string* s : {&l.scsi_id, &l.scsi_sn, &l.vendor, &l.product}) {
        Check(!HasControl(*s), "LUN identity with control chars", *s);
      }
    }
  }
  return 0;
}
