// "Empty means the default, everywhere": every parameter of every agent's meta-data (all of
// metadata/*.xml, embedded), given as "" or as spaces, reads exactly as if it were not given;
// a required one given empty is missing (OCF exit 6), both at Params level and through the front.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "libsan/ocf/agent.h"
#include "libsan/ocf/embedded_metadata.h"
#include "libsan/ocf/metadata.h"
#include "libsan/ocf/params.h"

namespace san::ocf {
namespace {

using ::testing::HasSubstr;

// A well-formed value of the parameter's type, for the required ones that must be present.
std::string SampleValue(const ParamSpec& p) {
  switch (p.type) {
    case ParamType::kInteger:
      return "1";
    case ParamType::kBoolean:
      return "true";
    case ParamType::kTime:
      return "1s";
    case ParamType::kString:
      break;
  }
  return "x";
}

std::map<std::string, std::string> RequiredOnly(const Metadata& md, const std::string& except) {
  std::map<std::string, std::string> raw;
  for (const ParamSpec& p : md.params) {
    if (p.required && p.name != except) raw[p.name] = SampleValue(p);
  }
  return raw;
}

std::vector<Metadata> AllAgents() {
  std::vector<Metadata> out;
  for (const auto& [name, xml] : EmbeddedMetadataTable()) {
    Result<Metadata> md = ParseMetadata(xml);
    EXPECT_TRUE(md.ok()) << name << ": " << md.status().ToString();
    if (md.ok()) out.push_back(*md);
  }
  return out;
}

TEST(EmptyParamsTest, EveryParameterOfEveryAgentGivenEmptyReadsAsItsDefault) {
  int cases = 0;
  std::vector<Metadata> agents = AllAgents();
  ASSERT_GE(agents.size(), 3u);  // iet-target, iscsi-firewall, lvm-vg at least
  for (const Metadata& md : agents) {
    for (const ParamSpec& spec : md.params) {
      if (spec.required) continue;
      Result<Params> absent = Params::Parse(md, RequiredOnly(md, ""));
      ASSERT_TRUE(absent.ok()) << md.agent << ": " << absent.status().ToString();
      for (const char* empty : {"", " ", "   "}) {
        ++cases;
        std::map<std::string, std::string> raw = RequiredOnly(md, "");
        raw[spec.name] = empty;
        Result<Params> p = Params::Parse(md, raw);
        ASSERT_TRUE(p.ok()) << md.agent << " " << spec.name << "='" << empty
                            << "': " << p.status().ToString();
        EXPECT_EQ(p->String(spec.name), spec.default_value.value_or(""))
            << md.agent << " " << spec.name;
        EXPECT_EQ(p->String(spec.name), absent->String(spec.name)) << md.agent << " " << spec.name;
        EXPECT_EQ(p->Boolean(spec.name), absent->Boolean(spec.name))
            << md.agent << " " << spec.name;
        EXPECT_EQ(p->Integer(spec.name), absent->Integer(spec.name))
            << md.agent << " " << spec.name;
        EXPECT_EQ(p->Time(spec.name), absent->Time(spec.name)) << md.agent << " " << spec.name;
        EXPECT_FALSE(p->IsSet(spec.name)) << md.agent << " " << spec.name;
      }
    }
  }
  std::printf("empty-parameter cases: %d\n", cases);
  EXPECT_GT(cases, 30);
}

TEST(EmptyParamsTest, EveryRequiredParameterGivenEmptyIsMissing) {
  int cases = 0;
  for (const Metadata& md : AllAgents()) {
    for (const ParamSpec& spec : md.params) {
      if (!spec.required) continue;
      for (const char* empty : {"", "  "}) {
        ++cases;
        std::map<std::string, std::string> raw = RequiredOnly(md, spec.name);
        raw[spec.name] = empty;
        Result<Params> p = Params::Parse(md, raw);
        ASSERT_FALSE(p.ok()) << md.agent << " " << spec.name;
        EXPECT_EQ(p.status().code(), Code::kInvalidConfig);
        EXPECT_THAT(p.status().message(), HasSubstr("'" + spec.name + "' is not set"));
      }
    }
  }
  std::printf("empty-required cases: %d\n", cases);
  EXPECT_GT(cases, 0);
}

// Through the real front: validate-all of every agent with a required parameter set to "" exits 6
// (not configured) with a reason naming it, and runs nothing on the machine.
TEST(EmptyParamsTest, EmptyRequiredParameterIsExitSixThroughTheFront) {
  for (const Metadata& md : AllAgents()) {
    for (const ParamSpec& spec : md.params) {
      if (!spec.required) continue;
      std::map<std::string, std::string> env = {{"OCF_ROOT", "/usr/lib/ocf"},
                                                {"OCF_RESOURCE_INSTANCE", "r"}};
      for (const auto& [k, v] : RequiredOnly(md, spec.name)) env["OCF_RESKEY_" + k] = v;
      env["OCF_RESKEY_" + spec.name] = "";
      Agent agent(md.agent);
      agent.OnValidate([](Context&) { return Status::Ok(); });
      FakeHost host;
      MemoryLogger log;
      Outcome o = agent.Execute({"validate-all"}, env, host, &log);
      EXPECT_EQ(o.exit_code, 6) << md.agent << " " << spec.name;
      EXPECT_THAT(o.err, HasSubstr("ocf-exit-reason:required parameter '" + spec.name + "'"));
      EXPECT_TRUE(host.commands_run().empty());
    }
  }
}

}  // namespace
}  // namespace san::ocf
