// SplitCommandWords: turns ddless' -i CMD into an argv vector without a shell. Quotes group words
// ('...' literally, "..." with \" \\ escapes); shell operators outside quotes are refused, since
// nothing would interpret them (use -i "sh -c '...'" to get a shell on purpose).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::blockcopy {

// InvalidConfig for an empty command, unbalanced quotes, control characters, or an unquoted
// | & ; < > ( ) $ ` (which a shell would have interpreted).
Result<std::vector<std::string>> SplitCommandWords(std::string_view command);

}  // namespace san::blockcopy
