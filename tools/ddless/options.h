// ddless' command line through Boost.Program_options: the original's short flags (-vv counted)
// plus the long additions, collected as raw DdlessArgs for san::blockcopy::ResolveArgs.
#pragma once

#include <string>

#include "libsan/blockcopy/ddless_config.h"
#include "libsan/util/status.h"

namespace ddless {

struct CommandLine {
  san::blockcopy::DdlessArgs args;
  bool help = false;
};

// InvalidConfig (Boost's message) for unknown options, missing values, repeated options and
// positional arguments. Never throws.
san::Result<CommandLine> ParseCommandLine(int argc, const char* const* argv);

// --help: usage of every mode, options, exit codes and examples.
std::string HelpText();

}  // namespace ddless
