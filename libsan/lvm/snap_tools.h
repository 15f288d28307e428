// The lvm_snap_create / lvm_snap_remove actions through Host: read the LV with lvs, apply the
// snapshot rules (snapshot.h), then run lvcreate / lvremove. The tool mains only parse flags.
#pragma once

#include <optional>
#include <string>

#include "libsan/host/host.h"
#include "libsan/lvm/snapshot.h"
#include "libsan/util/logger.h"

namespace san::lvm {

// Creates a snapshot of `lv` ("vg/lv" or "/dev/vg/lv") named LV_SUFFIX, `size_text` or the
// default size. InvalidConfig (nothing run but lvs) for a bad name, a snapshot as origin, an
// existing target name; CommandFailed when lvcreate fails. Returns the plan that was carried out.
Result<SnapCreatePlan> CreateSnapshot(Host& host, Logger& log, const std::string& lv,
                                      const std::string& suffix,
                                      const std::optional<std::string>& size_text);

// Removes `snapshot` only if lvs reports it as a snapshot that is no origin. InvalidConfig
// (nothing removed) otherwise; NotFound when it does not exist.
Status RemoveSnapshot(Host& host, Logger& log, const std::string& snapshot);

// Process exit code for a tool's Status: 0 OK, 2 bad usage/config, 1 anything else.
int ToolExitCode(const Status& st);

}  // namespace san::lvm
