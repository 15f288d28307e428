// Block-device I/O counters from /proc/diskstats, device-mapper names from sysfs
// (/sys/block/dm-N/dm/name, so dm-3 shows as vg-lv), and the rates between two samples. Pure
// parsers plus one reader through Host.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/host/host.h"

namespace san::lvm {

struct DiskStat {
  unsigned major = 0, minor = 0;
  std::string kname;          // kernel name: "sda", "dm-3"
  std::string name;           // display name: the dm name ("vgha-data") or kname
  uint64_t reads = 0;         // completed read requests
  uint64_t read_sectors = 0;  // 512-byte units
  uint64_t read_ms = 0;
  uint64_t writes = 0;
  uint64_t write_sectors = 0;
  uint64_t write_ms = 0;
  uint64_t in_flight = 0;
  uint64_t io_ms = 0;  // time the device was busy
};

// Lines of /proc/diskstats (14 or more fields each). Corruption naming the line otherwise.
Result<std::vector<DiskStat>> ParseDiskstats(std::string_view text);

// kname → dm name for every dm-N under `sys_root`/block that has dm/name.
std::map<std::string, std::string> ReadDmNames(Host& host, const std::string& sys_root);

// Reads `proc_root`/diskstats and names dm devices from `sys_root`.
Result<std::vector<DiskStat>> ReadDiskStats(Host& host, const std::string& proc_root,
                                            const std::string& sys_root);

struct DiskRate {
  std::string name;
  double reads_per_s = 0, writes_per_s = 0;
  double read_kib_per_s = 0, write_kib_per_s = 0;
  double await_ms = 0;  // mean time per request over the interval
  double util_pct = 0;  // busy time / interval
};

// Rates of each device present in both samples over `interval_ms` (counter wrap-arounds and
// devices that reappeared count as zero).
std::vector<DiskRate> ComputeRates(const std::vector<DiskStat>& before,
                                   const std::vector<DiskStat>& after, double interval_ms);

}  // namespace san::lvm
