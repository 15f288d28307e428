// lvm_snap_remove -s SNAP: removes a snapshot LV, refusing anything that is not a snapshot (an
// origin or a plain LV is never removed).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "libsan/host/real_host.h"
#include "libsan/lvm/snap_tools.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  po::options_description opts("usage: lvm_snap_remove -s SNAPSHOT");
  opts.add_options()("help,h", "this help")("source,s", po::value<std::string>(),
                                            "snapshot LV: VG/LV or /dev/VG/LV");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "lvm_snap_remove: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!vm.count("source")) {
    std::cerr << "lvm_snap_remove: -s SNAPSHOT is required\n" << opts;
    return 2;
  }
  san::StderrLogger log;
  san::RealHost host(san::ProgramTable::FromEnvironment(environ));
  san::Status st = san::lvm::RemoveSnapshot(host, log, vm["source"].as<std::string>());
  if (!st.ok()) std::cerr << "lvm_snap_remove: " << st.message() << "\n";
  return san::lvm::ToolExitCode(st);
}
