// The OCF front on FakeHost: action dispatch, parameter checks, exit codes, reason lines,
// timeouts, reload rules and heartbeat v1 mode.
#include "libsan/ocf/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"

namespace san::ocf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kXml[] = R"(<?xml version="1.0"?>
<resource-agent name="demo" version="0.1"><version>1.0</version>
<longdesc>d</longdesc><shortdesc>d</shortdesc>
<parameters>
<parameter name="first" required="1"><longdesc>x</longdesc><shortdesc>x</shortdesc>
<content type="string"/></parameter>
<parameter name="count"><longdesc>x</longdesc><shortdesc>x</shortdesc>
<content type="integer" default="3"/></parameter>
<parameter name="flag"><longdesc>x</longdesc><shortdesc>x</shortdesc>
<content type="boolean" default="false"/></parameter>
</parameters>
<actions><action name="start" timeout="20s"/></actions></resource-agent>)";

class AgentTest : public ::testing::Test {
 protected:
  AgentTest() : agent_("demo", kXml) {
    agent_.OnStart([this](Context& c) {
      calls_.push_back("start:" + c.params().String("first"));
      seen_deadline_ = c.host().deadline().has_value();
      time_left_ = c.host().TimeLeft();
      return start_status_;
    });
    agent_.OnStop([this](Context&) {
      calls_.push_back("stop");
      return stop_status_;
    });
    agent_.OnMonitor([this](Context& c) -> Result<RunState> {
      calls_.push_back(std::string("monitor:") + (c.is_probe() ? "probe" : "recurring") + ":" +
                       std::to_string(c.check_level()));
      if (!monitor_status_.ok()) return monitor_status_;
      return running_ ? RunState::kRunning : RunState::kStopped;
    });
  }

  Outcome Run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    env.emplace("OCF_ROOT", "/usr/lib/ocf");
    env.emplace("OCF_RESKEY_first", "alpha");
    return agent_.Execute(args, env, host_);
  }

  static int CountReasons(const std::string& err) {
    // Pacemaker reads lines that start with the cookie; a quoted value mid-line is harmless.
    int n = err.rfind("ocf-exit-reason:", 0) == 0 ? 1 : 0;
    for (size_t p = err.find("\nocf-exit-reason:"); p != std::string::npos;
         p = err.find("\nocf-exit-reason:", p + 1)) {
      ++n;
    }
    return n;
  }

  Agent agent_;
  FakeHost host_;
  std::vector<std::string> calls_;
  Status start_status_, stop_status_, monitor_status_;
  bool running_ = true;
  bool seen_deadline_ = false;
  milliseconds time_left_{0};
};

TEST_F(AgentTest, MetaDataPrintsTheXmlVerbatimWithoutParameters) {
  Outcome o = agent_.Execute({"meta-data"}, {}, host_);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, kXml);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, UnknownActionIsUnimplemented) {
  Outcome o = Run({"frobnicate"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(CountReasons(o.err), 1);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, NoActionIsAnArgumentError) {
  Outcome o = agent_.Execute({}, {}, host_);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("usage:"));
}

TEST_F(AgentTest, UsagePrintsActions) {
  Outcome o = Run({"usage"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, HasSubstr("start|stop|monitor"));
  EXPECT_THAT(o.out, Not(HasSubstr("reload")));
}

TEST_F(AgentTest, StartPassesParameters) {
  Outcome o = Run({"start"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(CountReasons(o.err), 0);
  EXPECT_THAT(calls_, ::testing::ElementsAre("start:alpha"));
}

TEST_F(AgentTest, MissingRequiredParameterIsConfigErrorAndNothingRuns) {
  Outcome o = agent_.Execute({"start"}, {{"OCF_ROOT", "/usr/lib/ocf"}}, host_);
  EXPECT_EQ(o.exit_code, 6);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:required parameter 'first' is not set"));
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, BadIntegerIsConfigErrorInEveryAction) {
  for (const char* action : {"start", "stop", "monitor", "validate-all"}) {
    Outcome o = Run({action}, {{"OCF_RESKEY_count", "3; rm -rf /"}});
    EXPECT_EQ(o.exit_code, 6) << action;
    EXPECT_EQ(CountReasons(o.err), 1) << action;
  }
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, NewlineInValueIsRefusedAndTheReasonStaysOneLine) {
  Outcome o = Run({"start"}, {{"OCF_RESKEY_first", "a\nocf-exit-reason:forged"}});
  EXPECT_EQ(o.exit_code, 6);
  EXPECT_EQ(CountReasons(o.err), 1);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, ValidateHandlerRunsBeforeEveryAction) {
  agent_.OnValidate([](Context&) { return Status::InvalidConfig("ip: bad"); });
  for (const char* action : {"start", "stop", "monitor", "validate-all"}) {
    Outcome o = Run({action});
    EXPECT_EQ(o.exit_code, 6) << action;
    EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:ip: bad"));
  }
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, MonitorWithoutIntervalIsAProbe) {
  running_ = false;
  EXPECT_EQ(Run({"monitor"}).exit_code, 7);
  EXPECT_EQ(Run({"monitor"}, {{"OCF_RESKEY_CRM_meta_interval", "10000"}, {"OCF_CHECK_LEVEL", "10"}})
                .exit_code,
            7);
  EXPECT_THAT(calls_, ::testing::ElementsAre("monitor:probe:0", "monitor:recurring:10"));
}

TEST_F(AgentTest, StatusIsMonitor) {
  EXPECT_EQ(Run({"status"}).exit_code, 0);
  EXPECT_THAT(calls_, ::testing::ElementsAre("monitor:probe:0"));
}

TEST_F(AgentTest, BrokenEnvironmentFollowsResourceAgentsRules) {
  monitor_status_ = Status::NotInstalled("iptables not found");
  stop_status_ = Status::NotInstalled("iptables not found");
  start_status_ = Status::NotInstalled("iptables not found");
  EXPECT_EQ(Run({"monitor"}).exit_code, 7);
  Outcome recurring = Run({"monitor"}, {{"OCF_RESKEY_CRM_meta_interval", "10000"}});
  EXPECT_EQ(recurring.exit_code, 1);
  EXPECT_EQ(CountReasons(recurring.err), 1);
  Outcome stop = Run({"stop"});
  EXPECT_EQ(stop.exit_code, 0);
  EXPECT_EQ(CountReasons(stop.err), 0);
  EXPECT_EQ(Run({"start"}).exit_code, 5);
}

TEST_F(AgentTest, FailureGivesExactlyOneReasonLine) {
  start_status_ = Status::CommandFailed("iptables exited 4: resource problem");
  Outcome o = Run({"start"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(CountReasons(o.err), 1);
  EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:iptables exited 4: resource problem\n"));
}

TEST_F(AgentTest, OperationTimeoutBecomesAHostDeadline) {
  EXPECT_EQ(Run({"start"}, {{"OCF_RESKEY_CRM_meta_timeout", "20000"}}).exit_code, 0);
  EXPECT_TRUE(seen_deadline_);
  EXPECT_FALSE(host_.deadline().has_value());   // cleared afterwards
  EXPECT_EQ(time_left_, milliseconds(18'000));  // 10% margin, at most 2 s
  // None given (heartbeat v1, a hand run): no bound, as before.
  EXPECT_EQ(Run({"start"}).exit_code, 0);
  EXPECT_FALSE(seen_deadline_);
  EXPECT_EQ(Run({"start"}, {{"OCF_RESKEY_CRM_meta_timeout", " "}}).exit_code, 0);
  EXPECT_FALSE(seen_deadline_);
}

// Regression: CRM_meta_timeout=9223372036854775807 made Now() + timeout overflow into the past,
// so every command (also of a stop) failed at once "deadline has passed". Every form lands in
// the future: huge values are clamped to 24 h, garbage falls back to the meta-data timeout.
TEST_F(AgentTest, OperationTimeoutNeverLandsInThePast) {
  struct Case {
    const char* value;
    milliseconds want;
  } cases[] = {
      {"9223372036854775807", std::chrono::hours(24) - milliseconds(2000)},
      {"99999999999999999999999", std::chrono::hours(24) - milliseconds(2000)},
      {"86400001", std::chrono::hours(24) - milliseconds(2000)},
      {"999999999999h", milliseconds(18'000)},  // overflows as a duration: not a timeout
      {"-5", milliseconds(18'000)},  // the meta-data's start timeout, 20 s, with its margin
      {"0", milliseconds(18'000)},
      {"abc", milliseconds(18'000)},
      {"20000x", milliseconds(18'000)},
      {"-9223372036854775808", milliseconds(18'000)},
      {"30s", milliseconds(28'000)},
      {"1", milliseconds(1)},
      {"000000000000000000000090000", milliseconds(88'000)},
  };
  for (const Case& c : cases) {
    seen_deadline_ = false;
    Outcome o = Run({"start"}, {{"OCF_RESKEY_CRM_meta_timeout", c.value}});
    EXPECT_EQ(o.exit_code, 0) << c.value << ": " << o.err;
    EXPECT_TRUE(seen_deadline_) << c.value;
    EXPECT_EQ(time_left_, c.want) << c.value;
  }
}

// A stop's work is done when SetStarted(false) runs: a mark that cannot be removed (HA_RSCTMP
// missing, a plain file, or the mark a directory) must not turn it into a failed stop.
TEST_F(AgentTest, UnremovableStartedMarkNeverFailsAStop) {
  agent_.OnStop([this](Context& c) {
    calls_.push_back("stop");
    return c.SetStarted(false);
  });
  host_.SetFile("/run/rsc-file", "x");
  host_.MakeDirectories("/run/rsc/sanha-demo-r1.started").IgnoreError();
  for (const char* dir : {"/run/rsc-file", "/run/missing", "/run/rsc", "relative/dir", ""}) {
    Outcome o = Run({"stop"}, {{"HA_RSCTMP", dir}, {"OCF_RESOURCE_INSTANCE", "r1"}});
    EXPECT_EQ(o.exit_code, 0) << dir << ": " << o.err;
  }
}

TEST_F(AgentTest, StateFilesStayUnderAnAbsoluteHaRsctmp) {
  std::vector<std::string> paths;
  agent_.OnStart([&](Context& c) {
    paths.push_back(c.StatePath());
    return Status::Ok();
  });
  for (std::string dir : {"/tmp/x/", "tmp", "/tmp/../etc", "", "/run/a\nb"}) {
    EXPECT_EQ(Run({"start"}, {{"HA_RSCTMP", dir}, {"OCF_RESOURCE_INSTANCE", "r1"}}).exit_code, 0);
  }
  EXPECT_THAT(paths, ::testing::ElementsAre("/tmp/x/sanha-demo-r1.started",
                                            "/run/resource-agents/sanha-demo-r1.started",
                                            "/run/resource-agents/sanha-demo-r1.started",
                                            "/run/resource-agents/sanha-demo-r1.started",
                                            "/run/resource-agents/sanha-demo-r1.started"));
}

// OCF_CHECK_LEVEL matters to monitor only; garbage in it never fails a stop or a start.
TEST_F(AgentTest, BadCheckLevelIsIgnoredOutsideMonitor) {
  for (const char* level : {"deep", "-1", "1e3", "10 "}) {
    EXPECT_EQ(Run({"stop"}, {{"OCF_CHECK_LEVEL", level}}).exit_code, 0) << level;
    EXPECT_EQ(Run({"start"}, {{"OCF_CHECK_LEVEL", level}}).exit_code, 0) << level;
  }
  EXPECT_EQ(Run({"monitor"}, {{"OCF_CHECK_LEVEL", "99999999999999999999"},
                              {"OCF_RESKEY_CRM_meta_interval", "10000"}})
                .exit_code,
            0);
  EXPECT_EQ(calls_.back(), "monitor:recurring:20");
}

TEST_F(AgentTest, ProbeIntervalForms) {
  for (const char* interval : {"", "0", "0s", "0ms", "000"}) {
    EXPECT_EQ(Run({"monitor"}, {{"OCF_RESKEY_CRM_meta_interval", interval}}).exit_code, 0);
    EXPECT_EQ(calls_.back(), "monitor:probe:0") << interval;
  }
  for (const char* interval : {"10000", "10s", "garbage", "-1"}) {
    EXPECT_EQ(Run({"monitor"}, {{"OCF_RESKEY_CRM_meta_interval", interval}}).exit_code, 0);
    EXPECT_EQ(calls_.back(), "monitor:recurring:0") << interval;
  }
}

TEST_F(AgentTest, ReloadIsUnimplementedWithoutHandler) {
  EXPECT_EQ(Run({"reload"}).exit_code, 3);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, ReloadNeverStartsAStoppedResource) {
  int reloads = 0;
  agent_.OnReload([&](Context&) {
    ++reloads;
    return Status::Ok();
  });
  running_ = false;
  Outcome o = Run({"reload"});
  EXPECT_EQ(o.exit_code, 7);
  EXPECT_EQ(reloads, 0);
  running_ = true;
  EXPECT_EQ(Run({"reload"}).exit_code, 0);
  EXPECT_EQ(reloads, 1);
}

TEST_F(AgentTest, BadCheckLevelIsConfigError) {
  EXPECT_EQ(Run({"monitor"}, {{"OCF_CHECK_LEVEL", "deep"}}).exit_code, 6);
}

TEST_F(AgentTest, HeartbeatV1MapsPositionalArgumentsInMetadataOrder) {
  Outcome o = agent_.Execute({"beta", "5", "start"}, {}, host_);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(calls_, ::testing::ElementsAre("start:beta"));
}

TEST_F(AgentTest, HeartbeatV1StatusPrintsRunningOrStopped) {
  Outcome o = agent_.Execute({"beta", "status"}, {}, host_);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, "running\n");
  running_ = false;
  o = agent_.Execute({"beta", "status"}, {}, host_);
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "stopped\n");  // never "not running": heartbeat greps for "running"
}

TEST_F(AgentTest, HeartbeatV1FailureExitsOne) {
  start_status_ = Status::NotInstalled("no iptables");
  Outcome o = agent_.Execute({"beta", "start"}, {}, host_);
  EXPECT_EQ(o.exit_code, 1);
  o = agent_.Execute({"beta", "x", "y", "z", "start"}, {}, host_);  // too many arguments
  EXPECT_EQ(o.exit_code, 1);
}

TEST_F(AgentTest, HeartbeatV1InvalidParameterExitsOne) {
  Outcome o = agent_.Execute({"beta", "many", "start"}, {}, host_);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AgentTest, StartedMarkLivesInRscTmp) {
  agent_.OnStart([](Context& c) {
    EXPECT_FALSE(c.IsMarkedStarted());
    EXPECT_TRUE(c.SetStarted(true).ok());
    EXPECT_TRUE(c.IsMarkedStarted());
    EXPECT_EQ(c.StatePath(), "/tmp/rsc/sanha-demo-grp_fw_1.started");
    return c.SetStarted(false);
  });
  Outcome o = Run({"start"}, {{"HA_RSCTMP", "/tmp/rsc"}, {"OCF_RESOURCE_INSTANCE", "grp/fw 1"}});
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

}  // namespace
}  // namespace san::ocf
