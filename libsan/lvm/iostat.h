// lvm_iostat's engine: a refreshing throughput table (-r) or one dump line of cumulative counters
// per device (-d, the original fed RRD), optionally JSON, with dm-N shown by its vg-lv name.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/lvm/diskstats.h"

namespace san::lvm {

struct IostatOptions {
  enum class Mode { kRefresh, kDump };
  Mode mode = Mode::kDump;
  std::string name_regex;  // POSIX ERE (grep -E), searched in the display and the kernel name
  bool json = false;
  bool clear_screen = false;  // -r on a terminal: redraw in place
  std::chrono::milliseconds interval{1000};
  int count = 0;  // -r: tables to print; 0 = until interrupted
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
};

// Runs the tool: reads counters through `host` (sleeping with host.SleepFor between samples),
// hands each block of output to `write`. `unix_time` stamps dump lines. InvalidConfig for a bad
// regex; NotFound/Corruption when diskstats cannot be read.
Status RunIostat(Host& host, const IostatOptions& opts, int64_t unix_time,
                 const std::function<void(std::string_view)>& write);

// Devices matching the regex (when set); with `skip_idle`, only those with any I/O since boot.
// InvalidConfig for a bad regex.
Result<std::vector<DiskStat>> SelectDevices(const std::vector<DiskStat>& stats,
                                            const std::string& name_regex, bool skip_idle = true);

// "Device  r/s  w/s  rKiB/s  wKiB/s  await  %util" table.
std::string FormatRateTable(const std::vector<DiskRate>& rates);
// One JSON object per interval: {"interval_ms":N,"devices":[{...}]}.
std::string FormatRatesJson(const std::vector<DiskRate>& rates, int64_t interval_ms);
// "NAME TIME:reads:read_bytes:writes:write_bytes:io_ms" per device: `rrdtool update NAME.rrd
// TIME:...` takes the second field as is (DERIVE/COUNTER data sources).
std::string FormatDump(const std::vector<DiskStat>& stats, int64_t unix_time);
std::string FormatDumpJson(const std::vector<DiskStat>& stats, int64_t unix_time);

}  // namespace san::lvm
