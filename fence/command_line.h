// fence_apc_pdu's command line: Boost.Program_options built from the metadata's <getopt> entries,
// so `--plug 5` and stdin's `plug=5` are the same option by construction.
#pragma once

#include <string>
#include <vector>

#include "libsan/fence/options.h"

namespace san::fence {

// Fills `values` from argv (flags as "1"). InvalidConfig for unknown options, missing values,
// positional words. No exception escapes.
Status ParseCommandLine(int argc, char** argv, const std::vector<OptionSpec>& specs,
                        Values* values);

// `--help` text.
std::string Usage(const std::vector<OptionSpec>& specs);

}  // namespace san::fence
