// Boost.Program_options is wrapped here: its exceptions end at this function.
#include "fence/command_line.h"

#include <boost/program_options.hpp>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace san::fence {
namespace {

po::options_description Describe(const std::vector<OptionSpec>& specs) {
  po::options_description desc("Options (also as key=value lines on stdin, by parameter name)");
  std::set<std::string> seen;
  for (const OptionSpec& s : specs) {
    // Deprecated parameters share their successor's getopt; declare each option once.
    if (!seen.insert(s.long_name).second) continue;
    std::string name = s.long_name;
    if (s.short_name) name += std::string(",") + s.short_name;
    if (s.flag) {
      desc.add_options()(name.c_str(), s.name.c_str());
    } else {
      desc.add_options()(name.c_str(), po::value<std::string>(), s.name.c_str());
    }
  }
  return desc;
}

}  // namespace

Status ParseCommandLine(int argc, char** argv, const std::vector<OptionSpec>& specs,
                        Values* values) {
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(Describe(specs)).run(), vm);
    std::set<std::string> seen;
    for (const OptionSpec& s : specs) {
      if (!seen.insert(s.long_name).second || !vm.count(s.long_name)) continue;
      // The first parameter carrying a getopt is the current name (deprecated ones follow it).
      (*values)[s.name] = s.flag ? "1" : vm[s.long_name].as<std::string>();
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::InvalidConfig(e.what());
  }
}

std::string Usage(const std::vector<OptionSpec>& specs) {
  std::ostringstream out;
  out << "Usage: fence_apc_pdu [options]   (or key=value lines on stdin)\n"
      << "Actions (-o): on off reboot status list list-status monitor metadata validate-all\n"
      << Describe(specs);
  return out.str();
}

}  // namespace san::fence
