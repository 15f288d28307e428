// Canned outputs captured from the real tools, kept under tests/data/<tool>/.
#pragma once

#include <string>

namespace san::testing {

// The content of tests/data/<relative_path>; fails the current test when it is missing.
std::string ReadTestData(const std::string& relative_path);

}  // namespace san::testing
