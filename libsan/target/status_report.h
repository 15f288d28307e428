// `san-target status`: what runs, per target and LUN, with the identities initiators see (VPD
// 0x83 id, 0x80 serial), sizes, sessions and whether it matches the file; as text or JSON.
#pragma once

#include <string>

#include "libsan/target/model.h"
#include "libsan/target/reconcile.h"

namespace san::target {

// Text for people: one block per target, one line per LUN, then the drift.
std::string StatusText(const TargetConfig& config, const Inspection& ins, std::string_view backend);
// One JSON object (format in docs/target-file.md); never a secret.
std::string StatusJson(const TargetConfig& config, const Inspection& ins, std::string_view backend);

}  // namespace san::target
