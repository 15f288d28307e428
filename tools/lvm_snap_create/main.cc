// lvm_snap_create -s LV [-t suffix] [-n size]: snapshot of LV named LV_SUFFIX; the default size is
// 20% of the LV below 100 GiB, 15% from 100 GiB (the 2008 lvm-tools' flags).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "libsan/host/real_host.h"
#include "libsan/lvm/snap_tools.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  po::options_description opts("usage: lvm_snap_create -s LV [-t SUFFIX] [-n SIZE]");
  opts.add_options()("help,h", "this help")("source,s", po::value<std::string>(),
                                            "origin LV: VG/LV or /dev/VG/LV")(
      "suffix,t", po::value<std::string>()->default_value("snap"), "snapshot name is LV_SUFFIX")(
      "size,n", po::value<std::string>(),
      "COW size: 512M, 10G, 25% (default 20%, 15% from 100 GiB)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "lvm_snap_create: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!vm.count("source")) {
    std::cerr << "lvm_snap_create: -s LV is required\n" << opts;
    return 2;
  }
  san::StderrLogger log;
  san::RealHost host(san::ProgramTable::FromEnvironment(environ));
  std::optional<std::string> size;
  if (vm.count("size")) size = vm["size"].as<std::string>();
  auto plan = san::lvm::CreateSnapshot(host, log, vm["source"].as<std::string>(),
                                       vm["suffix"].as<std::string>(), size);
  if (!plan.ok()) {
    std::cerr << "lvm_snap_create: " << plan.status().message() << "\n";
    return san::lvm::ToolExitCode(plan.status());
  }
  std::cout << plan->vg << "/" << plan->name << "\n";
  return 0;
}
