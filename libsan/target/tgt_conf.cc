// tgt's persistent configuration (/etc/tgt/conf.d/*.conf, read by tgt-admin at boot), written
// from the target file for `san-target apply --offline`. Values passed the file's character checks.
#include <algorithm>

#include "libsan/target/tgt_backend.h"

namespace san::target::tgt {

Result<std::string> TgtBackend::PersistentConfig(const TargetConfig& config) const {
  SAN_RETURN_IF_ERROR(CheckConfig(config));
  std::string out = "# Written by sanha (san-target apply --offline) from " + config.path +
                    "\n# Edit that file instead; this one is regenerated.\n";
  for (const auto& a : config.discovery_incoming) {
    out += "incomingdiscoveryuser " + a.user + " " + a.secret + "\n";
  }
  if (config.discovery_outgoing) {
    out += "outgoingdiscoveryuser " + config.discovery_outgoing->user + " " +
           config.discovery_outgoing->secret + "\n";
  }
  for (const auto& t : config.targets) {
    out += "\n<target " + t.name + ">\n";
    for (const auto& lun : t.luns) {
      out += "    <backing-store " + lun.path + ">\n";
      out += "        lun " + std::to_string(lun.number) + "\n";
      out +=
          std::string("        bs-type ") + (lun.mode == IoMode::kBlockio ? "aio" : "rdwr") + "\n";
      if (!lun.scsi_id.empty()) out += "        scsi_id " + lun.scsi_id + "\n";
      if (!lun.scsi_sn.empty()) out += "        scsi_sn " + lun.scsi_sn + "\n";
      if (!lun.vendor.empty()) out += "        vendor_id " + lun.vendor + "\n";
      if (!lun.product.empty()) out += "        product_id " + lun.product + "\n";
      if (lun.readonly) out += "        readonly 1\n";
      out += "    </backing-store>\n";
    }
    if (t.allow_addresses.empty() && t.allow_initiators.empty()) {
      out += "    initiator-address ALL\n";
    } else {
      for (const auto& a : t.allow_addresses) out += "    initiator-address " + a + "\n";
    }
    for (const auto& i : t.allow_initiators) out += "    initiator-name " + i + "\n";
    for (const auto& a : t.incoming) out += "    incominguser " + a.user + " " + a.secret + "\n";
    if (t.outgoing) out += "    outgoinguser " + t.outgoing->user + " " + t.outgoing->secret + "\n";
    for (const auto& [k, v] : t.options) out += "    " + k + " " + v + "\n";
    out += "</target>\n";
  }
  return out;
}

}  // namespace san::target::tgt
