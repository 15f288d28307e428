// lvm_iostat: the sampling loop and the output formats. Names are filtered with POSIX extended
// regular expressions (regcomp, as grep -E); a bad pattern is InvalidConfig.
#include "libsan/lvm/iostat.h"

#include <regex.h>

#include <cstdio>
#include <memory>

namespace san::lvm {

namespace {

// A compiled POSIX ERE; an empty pattern matches everything.
class NameFilter {
 public:
  NameFilter() = default;
  NameFilter(const NameFilter&) = delete;
  NameFilter& operator=(const NameFilter&) = delete;
  ~NameFilter() {
    if (compiled_) regfree(&re_);
  }
  Status Compile(const std::string& pattern) {
    if (pattern.empty()) return Status::Ok();
    int rc = regcomp(&re_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char why[128];
      regerror(rc, &re_, why, sizeof why);
      return Status::InvalidConfig("-n '" + pattern + "': not a regular expression (" + why + ")");
    }
    compiled_ = true;
    return Status::Ok();
  }
  bool Matches(const std::string& s) const {
    return !compiled_ || regexec(&re_, s.c_str(), 0, nullptr, 0) == 0;
  }

 private:
  regex_t re_;
  bool compiled_ = false;
};

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Idle devices are kept here: one that is idle now may do I/O before the next sample.
Result<std::vector<DiskStat>> Sample(Host& host, const IostatOptions& opts) {
  SAN_ASSIGN_OR_RETURN(std::vector<DiskStat> stats,
                       ReadDiskStats(host, opts.proc_root, opts.sys_root));
  return SelectDevices(stats, opts.name_regex, /*skip_idle=*/false);  // idle ones stay
}

}  // namespace

Result<std::vector<DiskStat>> SelectDevices(const std::vector<DiskStat>& stats,
                                            const std::string& name_regex, bool skip_idle) {
  NameFilter filter;
  SAN_RETURN_IF_ERROR(filter.Compile(name_regex));
  std::vector<DiskStat> out;
  for (const DiskStat& d : stats) {
    if (skip_idle && d.reads + d.writes == 0) continue;
    if (!filter.Matches(d.name) && !filter.Matches(d.kname)) continue;
    out.push_back(d);
  }
  return out;
}

std::string FormatRateTable(const std::vector<DiskRate>& rates) {
  size_t width = 6;
  for (const DiskRate& r : rates) width = std::max(width, r.name.size());
  char line[256];
  std::snprintf(line, sizeof line, "%-*s %9s %9s %11s %11s %8s %6s\n", static_cast<int>(width),
                "Device", "r/s", "w/s", "rKiB/s", "wKiB/s", "await", "%util");
  std::string out = line;
  for (const DiskRate& r : rates) {
    std::snprintf(line, sizeof line, "%-*s %9.1f %9.1f %11.1f %11.1f %8.2f %6.1f\n",
                  static_cast<int>(width), r.name.c_str(), r.reads_per_s, r.writes_per_s,
                  r.read_kib_per_s, r.write_kib_per_s, r.await_ms, r.util_pct);
    out += line;
  }
  return out;
}

std::string FormatRatesJson(const std::vector<DiskRate>& rates, int64_t interval_ms) {
  std::string out = "{\"interval_ms\":" + std::to_string(interval_ms) + ",\"devices\":[";
  for (size_t i = 0; i < rates.size(); ++i) {
    const DiskRate& r = rates[i];
    if (i) out += ",";
    out += "{\"name\":" + JsonString(r.name) + ",\"reads_per_s\":" + Fixed(r.reads_per_s, 2) +
           ",\"writes_per_s\":" + Fixed(r.writes_per_s, 2) +
           ",\"read_kib_per_s\":" + Fixed(r.read_kib_per_s, 2) +
           ",\"write_kib_per_s\":" + Fixed(r.write_kib_per_s, 2) +
           ",\"await_ms\":" + Fixed(r.await_ms, 3) + ",\"util_pct\":" + Fixed(r.util_pct, 2) + "}";
  }
  return out + "]}\n";
}

std::string FormatDump(const std::vector<DiskStat>& stats, int64_t unix_time) {
  std::string out;
  for (const DiskStat& d : stats) {
    out += d.name + " " + std::to_string(unix_time) + ":" + std::to_string(d.reads) + ":" +
           std::to_string(d.read_sectors * 512) + ":" + std::to_string(d.writes) + ":" +
           std::to_string(d.write_sectors * 512) + ":" + std::to_string(d.io_ms) + "\n";
  }
  return out;
}

std::string FormatDumpJson(const std::vector<DiskStat>& stats, int64_t unix_time) {
  std::string out = "{\"time\":" + std::to_string(unix_time) + ",\"devices\":[";
  for (size_t i = 0; i < stats.size(); ++i) {
    const DiskStat& d = stats[i];
    if (i) out += ",";
    out += "{\"name\":" + JsonString(d.name) + ",\"kname\":" + JsonString(d.kname) +
           ",\"major\":" + std::to_string(d.major) + ",\"minor\":" + std::to_string(d.minor) +
           ",\"reads\":" + std::to_string(d.reads) +
           ",\"read_bytes\":" + std::to_string(d.read_sectors * 512) +
           ",\"writes\":" + std::to_string(d.writes) +
           ",\"write_bytes\":" + std::to_string(d.write_sectors * 512) +
           ",\"io_ms\":" + std::to_string(d.io_ms) + "}";
  }
  return out + "]}\n";
}

Status RunIostat(Host& host, const IostatOptions& opts, int64_t unix_time,
                 const std::function<void(std::string_view)>& write) {
  SAN_RETURN_IF_ERROR(SelectDevices({}, opts.name_regex).status());
  if (opts.interval <= std::chrono::milliseconds(0)) {
    return Status::InvalidConfig("the interval must be positive");
  }
  SAN_ASSIGN_OR_RETURN(std::vector<DiskStat> before, Sample(host, opts));
  if (opts.mode == IostatOptions::Mode::kDump) {
    std::vector<DiskStat> busy = *SelectDevices(before, "", /*skip_idle=*/true);
    write(opts.json ? FormatDumpJson(busy, unix_time) : FormatDump(busy, unix_time));
    return Status::Ok();
  }
  Clock::time_point then = host.Now();
  for (int printed = 0; opts.count == 0 || printed < opts.count; ++printed) {
    host.SleepFor(opts.interval);
    SAN_ASSIGN_OR_RETURN(std::vector<DiskStat> after, Sample(host, opts));
    Clock::time_point now = host.Now();
    const double ms = std::chrono::duration<double, std::milli>(now - then).count();
    std::vector<DiskRate> rates =
        ComputeRates(before, *SelectDevices(after, "", /*skip_idle=*/true), ms);
    if (opts.json) {
      write(FormatRatesJson(rates, static_cast<int64_t>(ms)));
    } else {
      write(std::string(opts.clear_screen ? "\033[H\033[2J" : (printed ? "\n" : "")) +
            FormatRateTable(rates));
    }
    before = std::move(after);
    then = now;
  }
  return Status::Ok();
}

}  // namespace san::lvm
