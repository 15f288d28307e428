// Parameter checking against meta-data, and the embedded meta-data itself.
#include "libsan/ocf/params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/ocf/exit_code.h"
#include "libsan/ocf/metadata.h"

namespace san::ocf {
namespace {

using ::testing::HasSubstr;

Metadata Demo() {
  Metadata md;
  md.params = {{"name", ParamType::kString, true, false, std::nullopt},
               {"count", ParamType::kInteger, false, false, "3"},
               {"flag", ParamType::kBoolean, false, false, "no"},
               {"wait", ParamType::kTime, false, false, "30s"}};
  return md;
}

TEST(ParamsTest, DefaultsApplyAndIsSetTellsThemApart) {
  auto p = Params::Parse(Demo(), {{"name", "x"}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->String("name"), "x");
  EXPECT_EQ(p->Integer("count"), 3);
  EXPECT_FALSE(p->Boolean("flag"));
  EXPECT_EQ(p->Time("wait"), std::chrono::seconds(30));
  EXPECT_TRUE(p->IsSet("name"));
  EXPECT_FALSE(p->IsSet("count"));
  EXPECT_EQ(p->String("undeclared"), "");
}

TEST(ParamsTest, TypedValues) {
  auto p =
      Params::Parse(Demo(), {{"name", "x"}, {"count", "-7"}, {"flag", "YES"}, {"wait", "1500ms"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Integer("count"), -7);
  EXPECT_TRUE(p->Boolean("flag"));
  EXPECT_EQ(p->Time("wait"), std::chrono::milliseconds(1500));
}

TEST(ParamsTest, RefusesMalformedValuesNamingTheParameter) {
  struct Case {
    const char* name;
    const char* value;
  } cases[] = {{"count", "3x"},           {"count", " 3"}, {"count", "+3"}, {"flag", "maybe"},
               {"wait", "10 fortnights"}, {"wait", "s"},   {"name", "   "}};
  for (const auto& c : cases) {
    std::map<std::string, std::string> raw = {{"name", "x"}};
    raw[c.name] = c.value;
    auto p = Params::Parse(Demo(), raw);
    ASSERT_FALSE(p.ok()) << c.name << "=" << c.value;
    EXPECT_EQ(p.status().code(), Code::kInvalidConfig);
    EXPECT_THAT(p.status().message(), HasSubstr(c.name));
  }
}

TEST(ParamsTest, RefusesControlCharactersAndOverlongValues) {
  for (std::string bad : {std::string("a\nb"), std::string("a\0b", 3), std::string("\x1b[2J"),
                          std::string(kMaxParamLength + 1, 'a')}) {
    auto p = Params::Parse(Demo(), {{"name", bad}});
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), Code::kInvalidConfig);
    EXPECT_EQ(p.status().message().find('\n'), std::string::npos);
  }
}

TEST(ParamsTest, MissingRequired) {
  auto p = Params::Parse(Demo(), {});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("required parameter 'name'"));
}

TEST(MetadataTest, EmbeddedIscsiFirewallDeclaresPortblockOrder) {
  auto md = LoadEmbeddedMetadata("iscsi-firewall");
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->agent, "iscsi-firewall");
  ASSERT_GE(md->params.size(), 3u);
  EXPECT_EQ(md->params[0].name, "protocol");
  EXPECT_EQ(md->params[1].name, "port");
  EXPECT_EQ(md->params[2].name, "action");
  EXPECT_TRUE(md->FindParam("action")->required);
  EXPECT_EQ(md->FindParam("port")->default_value, "3260");
  EXPECT_TRUE(md->HasAction("monitor"));
}

TEST(MetadataTest, UnknownAgentAndBrokenXml) {
  EXPECT_EQ(LoadEmbeddedMetadata("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(ParseMetadata("<resource-agent").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseMetadata("<x/>").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseMetadata(R"(<resource-agent><parameters><parameter name="a">)"
                          R"(<content type="float"/></parameter></parameters></resource-agent>)")
                .status()
                .code(),
            Code::kCorruption);
}

TEST(ExitCodeTest, Mapping) {
  struct Case {
    Status status;
    Action action;
    bool probe;
    ExitCode want;
  } cases[] = {
      {Status::Ok(), Action::kStart, false, ExitCode::kSuccess},
      {Status::InvalidConfig("x"), Action::kStop, false, ExitCode::kErrConfigured},
      {Status::InvalidConfig("x"), Action::kMonitor, true, ExitCode::kErrConfigured},
      {Status::NotInstalled("x"), Action::kStop, false, ExitCode::kSuccess},
      {Status::NotInstalled("x"), Action::kMonitor, true, ExitCode::kNotRunning},
      {Status::NotInstalled("x"), Action::kMonitor, false, ExitCode::kErrGeneric},
      {Status::NotInstalled("x"), Action::kStart, false, ExitCode::kErrInstalled},
      {Status::NotInstalled("x"), Action::kValidateAll, false, ExitCode::kErrInstalled},
      {Status::NotFound("x"), Action::kStop, false, ExitCode::kSuccess},
      {Status::NotFound("x"), Action::kMonitor, true, ExitCode::kNotRunning},
      {Status::NotFound("x"), Action::kMonitor, false, ExitCode::kErrGeneric},
      {Status::NotFound("x"), Action::kStart, false, ExitCode::kErrGeneric},
      {Status::Permission("x"), Action::kStart, false, ExitCode::kErrPerm},
      {Status::Timeout("x"), Action::kStop, false, ExitCode::kErrGeneric},
      {Status::CommandFailed("x"), Action::kMonitor, true, ExitCode::kErrGeneric},
      {Status::Busy("x"), Action::kStop, false, ExitCode::kErrGeneric},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ExitCodeFor(c.status, c.action, c.probe), c.want)
        << c.status.ToString() << " " << ActionName(c.action) << " probe=" << c.probe;
  }
}

TEST(ExitCodeTest, ActionNames) {
  Action a;
  ASSERT_TRUE(ParseAction("status", &a));
  EXPECT_EQ(a, Action::kMonitor);
  ASSERT_TRUE(ParseAction("validate-all", &a));
  EXPECT_EQ(a, Action::kValidateAll);
  EXPECT_FALSE(ParseAction("notify", &a));
  EXPECT_FALSE(ParseAction("START", &a));
}

}  // namespace
}  // namespace san::ocf

namespace san::ocf {
namespace {

// Twelve digits of hours overflowed int64 microseconds: the value wrapped (negative or a random
// duration) instead of being refused.
TEST(ParamsTest, HugeTimeValuesAreRefusedNotWrapped) {
  for (const char* v : {"999999999999h", "999999999999min", "999999999999999s"}) {
    auto p = Params::Parse(Demo(), {{"name", "x"}, {"wait", v}});
    ASSERT_FALSE(p.ok()) << v;
    EXPECT_EQ(p.status().code(), Code::kInvalidConfig);
    EXPECT_THAT(p.status().message(), HasSubstr("wait"));
  }
  auto p = Params::Parse(Demo(), {{"name", "x"}, {"wait", "99999999999s"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Time("wait"), std::chrono::seconds(99999999999));
}

}  // namespace
}  // namespace san::ocf
