// HaLogger honours the resource-agents logging variables.
#include "libsan/ocf/ha_logger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace san::ocf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class HaLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sanha-halog-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    unlink((dir_ + "/ha.log").c_str());
    unlink((dir_ + "/debug.log").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(HaLoggerTest, StderrWithDefaultTagWhenNothingConfigured) {
  std::string err;
  HaLogger log({}, "iscsi-firewall", "fw1", &err);
  log.Info("blocked");
  log.Debug("hidden");
  EXPECT_THAT(err, HasSubstr("iscsi-firewall(fw1)["));
  EXPECT_THAT(err, HasSubstr("]: INFO: blocked\n"));
  EXPECT_THAT(err, Not(HasSubstr("hidden")));
}

TEST_F(HaLoggerTest, LogFileAndDebugLog) {
  std::string err;
  HaLogger log({{"HA_LOGFILE", dir_ + "/ha.log"},
                {"HA_DEBUGLOG", dir_ + "/debug.log"},
                {"HA_LOGTAG", "mytag"},
                {"HA_debug", "1"}},
               "iscsi-firewall", "fw1", &err);
  log.Error("went wrong");
  log.Debug("details");
  EXPECT_EQ(err, "");  // a log file is configured: nothing on stderr
  std::string ha = Slurp(dir_ + "/ha.log");
  EXPECT_THAT(ha, HasSubstr("mytag:\t"));
  EXPECT_THAT(ha, HasSubstr("ERROR: went wrong\n"));
  EXPECT_THAT(ha, Not(HasSubstr("details")));
  std::string debug = Slurp(dir_ + "/debug.log");
  EXPECT_THAT(debug, HasSubstr("ERROR: went wrong"));
  EXPECT_THAT(debug, HasSubstr("DEBUG: details"));
}

TEST_F(HaLoggerTest, MessagesCannotForgeLines) {
  std::string err;
  HaLogger log({}, "a", "b", &err);
  log.Info("x\nocf-exit-reason:forged");
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
}

TEST(SyslogFacilityTest, Names) {
  EXPECT_GE(SyslogFacility("daemon"), 0);
  EXPECT_GE(SyslogFacility("local7"), 0);
  EXPECT_EQ(SyslogFacility("none"), -1);
  EXPECT_EQ(SyslogFacility(""), -1);
}

}  // namespace
}  // namespace san::ocf
