// /proc/diskstats: "major minor name rd_ios rd_merges rd_sectors rd_ticks wr_ios wr_merges
// wr_sectors wr_ticks in_flight io_ticks time_in_queue [discard and flush fields]".
#include "libsan/lvm/diskstats.h"

#include "libsan/util/strings.h"

namespace san::lvm {

Result<std::vector<DiskStat>> ParseDiskstats(std::string_view text) {
  std::vector<DiskStat> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    std::vector<std::string> f = SplitList(line, " \t");
    if (f.empty()) continue;
    if (f.size() < 14) {
      return Status::Corruption("diskstats line " + std::to_string(line_no) + " has " +
                                std::to_string(f.size()) + " fields");
    }
    std::vector<uint64_t> n;
    for (size_t i : {0, 1, 3, 5, 6, 7, 9, 10, 11, 12}) {
      Result<int64_t> v = ParseInt64(f[i]);
      if (!v.ok() || *v < 0) {
        return Status::Corruption("diskstats line " + std::to_string(line_no) + ": field " +
                                  std::to_string(i + 1) + " '" + Printable(f[i]) + "'");
      }
      n.push_back(static_cast<uint64_t>(*v));
    }
    DiskStat d;
    d.major = static_cast<unsigned>(n[0]);
    d.minor = static_cast<unsigned>(n[1]);
    d.kname = d.name = f[2];
    d.reads = n[2];
    d.read_sectors = n[3];
    d.read_ms = n[4];
    d.writes = n[5];
    d.write_sectors = n[6];
    d.write_ms = n[7];
    d.in_flight = n[8];
    d.io_ms = n[9];
    out.push_back(std::move(d));
  }
  return out;
}

std::map<std::string, std::string> ReadDmNames(Host& host, const std::string& sys_root) {
  std::map<std::string, std::string> names;
  Result<std::vector<std::string>> devices = host.ListDirectory(sys_root + "/block");
  if (!devices.ok()) return names;
  for (const std::string& dev : *devices) {
    if (dev.rfind("dm-", 0) != 0) continue;
    Result<std::string> name = host.ReadFile(sys_root + "/block/" + dev + "/dm/name");
    if (!name.ok()) continue;
    // "vgc-data\n"; dm names hold no blanks.
    std::vector<std::string> words = SplitList(*name, " \t\r\n");
    if (words.size() == 1) names[dev] = words[0];
  }
  return names;
}

Result<std::vector<DiskStat>> ReadDiskStats(Host& host, const std::string& proc_root,
                                            const std::string& sys_root) {
  SAN_ASSIGN_OR_RETURN(std::string text, host.ReadFile(proc_root + "/diskstats"));
  SAN_ASSIGN_OR_RETURN(std::vector<DiskStat> stats, ParseDiskstats(text));
  std::map<std::string, std::string> dm = ReadDmNames(host, sys_root);
  for (DiskStat& d : stats) {
    if (auto it = dm.find(d.kname); it != dm.end()) d.name = it->second;
  }
  return stats;
}

std::vector<DiskRate> ComputeRates(const std::vector<DiskStat>& before,
                                   const std::vector<DiskStat>& after, double interval_ms) {
  std::map<std::string, const DiskStat*> old;
  for (const DiskStat& d : before) old[d.kname] = &d;
  auto delta = [](uint64_t now, uint64_t then) {
    return now >= then ? static_cast<double>(now - then) : 0.0;
  };
  std::vector<DiskRate> out;
  const double secs = interval_ms > 0 ? interval_ms / 1000.0 : 1.0;
  for (const DiskStat& d : after) {
    auto it = old.find(d.kname);
    if (it == old.end()) continue;
    const DiskStat& p = *it->second;
    DiskRate r;
    r.name = d.name;
    const double reads = delta(d.reads, p.reads), writes = delta(d.writes, p.writes);
    r.reads_per_s = reads / secs;
    r.writes_per_s = writes / secs;
    r.read_kib_per_s = delta(d.read_sectors, p.read_sectors) / 2.0 / secs;
    r.write_kib_per_s = delta(d.write_sectors, p.write_sectors) / 2.0 / secs;
    const double ios = reads + writes;
    r.await_ms = ios > 0 ? (delta(d.read_ms, p.read_ms) + delta(d.write_ms, p.write_ms)) / ios : 0;
    r.util_pct =
        interval_ms > 0 ? std::min(100.0, delta(d.io_ms, p.io_ms) * 100.0 / interval_ms) : 0;
    out.push_back(r);
  }
  return out;
}

}  // namespace san::lvm
