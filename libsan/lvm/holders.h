// Who keeps a logical volume open, so a failed deactivation can say why: processes with an open
// file descriptor on it (a /proc/*/fd scan, as fuser does), mounts (/proc/self/mountinfo) and
// stacked block devices (sysfs holders, e.g. a snapshot's dm device or an md array). A kernel
// user without any of these (an iSCSI target exporting the LV) shows only as an open count.
#pragma once

#include <string>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/lvm/report.h"

namespace san::lvm {

struct HolderRoots {
  std::string proc = "/proc";
  std::string sys = "/sys";
};

// One line per holder: "pid 4242 (dd)", "mounted on /srv/data", "held by dm-7 (vgha-snap)".
// Needs an active LV (kernel major/minor known); returns nothing otherwise. Unreadable /proc
// entries (processes that exit during the scan) are skipped.
std::vector<std::string> FindHolders(Host& host, const LvInfo& lv, const HolderRoots& roots = {});

// "vgha-data": the device-mapper name of vg/lv (each '-' inside a name doubled).
std::string DmName(const std::string& vg, const std::string& lv);

}  // namespace san::lvm
