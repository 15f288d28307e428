// tgt's persistent configuration (/etc/tgt/conf.d/*.conf, read by tgt-admin at boot), written
// from the target file for `san-target apply --offline`. tgt-admin reads it with Config::General
// and pastes values unquoted into shell commands, so every value written is checked once more
// against the target file's value class (names.h): nothing here needs quoting or could be
// read as a comment, block, escape or shell operator.
#include <algorithm>
#include <set>

#include "libsan/target/names.h"
#include "libsan/target/tgt_backend.h"

namespace san::target::tgt {

namespace {

// Every target with the tid it gets: its pin, or (like an apply on an empty daemon) the lowest
// tid no pin and no earlier target uses. tgt-admin numbers unpinned targets itself, which could
// collide with a pin further down; `controller_tid` on every target leaves it no choice.
std::vector<int> BootTids(const TargetConfig& config) {
  std::set<int> used;
  for (const auto& t : config.targets) {
    if (t.tid) used.insert(*t.tid);
  }
  std::vector<int> tids;
  int next = 1;
  for (const auto& t : config.targets) {
    if (t.tid) {
      tids.push_back(*t.tid);
      continue;
    }
    while (used.count(next)) ++next;
    used.insert(next);
    tids.push_back(next);
  }
  return tids;
}

}  // namespace

Result<std::string> TgtBackend::PersistentConfig(const TargetConfig& config) const {
  SAN_RETURN_IF_ERROR(CheckConfig(config));
  std::string out = "# Written by sanha (san-target apply --offline) from " + config.path +
                    "\n# Edit that file instead; this one is regenerated.\n";
  // Defence in depth: the parser enforced the class; a value that slipped past (a new keyword, a
  // caller building a TargetConfig by hand) must not reach tgt-admin's shell.
  Status bad = Status::Ok();
  auto v = [&bad](const std::string& value) -> const std::string& {
    if (bad.ok() && (value.empty() || !CheckValueChars("value", value).ok())) {
      bad = Status::InvalidConfig(
          "refusing to write a value outside the target file's "
          "character class into tgt's configuration");
    }
    return value;
  };
  for (const auto& a : config.discovery_incoming) {
    out += "incomingdiscoveryuser " + v(a.user) + " " + v(a.secret) + "\n";
  }
  if (config.discovery_outgoing) {
    out += "outgoingdiscoveryuser " + v(config.discovery_outgoing->user) + " " +
           v(config.discovery_outgoing->secret) + "\n";
  }
  const std::vector<int> tids = BootTids(config);
  for (size_t i = 0; i < config.targets.size(); ++i) {
    const TargetSpec& t = config.targets[i];
    out += "\n<target " + v(t.name) + ">\n";
    out += "    controller_tid " + std::to_string(tids[i]) + "\n";
    for (const auto& lun : t.luns) {
      out += "    <backing-store " + v(lun.path) + ">\n";
      out += "        lun " + std::to_string(lun.number) + "\n";
      out +=
          std::string("        bs-type ") + (lun.mode == IoMode::kBlockio ? "aio" : "rdwr") + "\n";
      if (!lun.scsi_id.empty()) out += "        scsi_id " + v(lun.scsi_id) + "\n";
      if (!lun.scsi_sn.empty()) out += "        scsi_sn " + v(lun.scsi_sn) + "\n";
      if (!lun.vendor.empty()) out += "        vendor_id " + v(lun.vendor) + "\n";
      if (!lun.product.empty()) out += "        product_id " + v(lun.product) + "\n";
      if (lun.readonly) out += "        readonly 1\n";
      out += "    </backing-store>\n";
    }
    if (t.allow_addresses.empty() && t.allow_initiators.empty()) {
      out += "    initiator-address ALL\n";
    } else {
      for (const auto& a : t.allow_addresses) out += "    initiator-address " + v(a) + "\n";
    }
    for (const auto& i : t.allow_initiators) out += "    initiator-name " + v(i) + "\n";
    for (const auto& a : t.incoming) {
      out += "    incominguser " + v(a.user) + " " + v(a.secret) + "\n";
    }
    if (t.outgoing) {
      out += "    outgoinguser " + v(t.outgoing->user) + " " + v(t.outgoing->secret) + "\n";
    }
    for (const auto& [k, val] : t.options) out += "    " + v(k) + " " + v(val) + "\n";
    out += "</target>\n";
  }
  SAN_RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace san::target::tgt
