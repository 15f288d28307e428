// Reads canned tool outputs for unit tests.
#include "tests/support/test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace san::testing {

std::string ReadTestData(const std::string& relative_path) {
  std::ifstream in(std::string(SANHA_SOURCE_DIR) + "/tests/data/" + relative_path);
  EXPECT_TRUE(in.good()) << "missing test data " << relative_path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace san::testing
