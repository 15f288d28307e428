// lvm_iostat [-h] [-n REGEX] -r|-d [--json]: per-device throughput with dm-N shown as vg-lv.
// -r redraws a table every interval; -d prints one line of cumulative counters per device.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <ctime>
#include <iostream>

#include "libsan/host/real_host.h"
#include "libsan/lvm/iostat.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  po::options_description opts("usage: lvm_iostat [-n REGEX] -r|-d [--json]");
  opts.add_options()("help,h", "this help")("refresh,r", "refreshing throughput table")(
      "dump,d", "one line of counters per device: NAME TIME:reads:rbytes:writes:wbytes:io_ms")(
      "name,n", po::value<std::string>()->default_value(""), "only devices matching REGEX")(
      "json", "JSON output")("interval,i", po::value<double>()->default_value(1.0),
                             "-r: seconds between tables")(
      "count,c", po::value<int>()->default_value(0), "-r: number of tables (0: until ^C)")(
      "root", po::value<std::string>()->default_value(""),
      "read ROOT/proc/diskstats and ROOT/sys (captured trees)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "lvm_iostat: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (vm.count("refresh") == vm.count("dump")) {
    std::cerr << "lvm_iostat: give exactly one of -r and -d\n" << opts;
    return 2;
  }
  san::lvm::IostatOptions o;
  o.mode = vm.count("refresh") ? san::lvm::IostatOptions::Mode::kRefresh
                               : san::lvm::IostatOptions::Mode::kDump;
  o.name_regex = vm["name"].as<std::string>();
  o.json = vm.count("json") > 0;
  o.clear_screen = !o.json && isatty(STDOUT_FILENO);
  const double interval = vm["interval"].as<double>();
  o.count = vm["count"].as<int>();
  if (!(interval > 0 && interval < 86400) || o.count < 0) {
    std::cerr << "lvm_iostat: the interval must be in (0, 86400) s and the count >= 0\n";
    return 2;
  }
  o.interval = std::chrono::milliseconds(static_cast<int64_t>(interval * 1000));
  if (const std::string& root = vm["root"].as<std::string>(); !root.empty()) {
    o.proc_root = root + "/proc";
    o.sys_root = root + "/sys";
  }
  san::RealHost host(san::ProgramTable::FromEnvironment(environ));
  san::Status st = san::lvm::RunIostat(
      host, o, std::time(nullptr), [](std::string_view text) { std::cout << text << std::flush; });
  if (!st.ok()) {
    std::cerr << "lvm_iostat: " << st.message() << "\n";
    return st.code() == san::Code::kInvalidConfig ? 2 : 1;
  }
  return 0;
}
