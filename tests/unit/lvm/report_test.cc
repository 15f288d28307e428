// The JSON reader and the lvm report parsers on output captured from real lvm2.
#include "libsan/lvm/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/lvm/json.h"
#include "libsan/lvm/vg_state.h"
#include "tests/support/test_data.h"

namespace san::lvm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Lvm(const std::string& name) { return testing::ReadTestData("lvm/" + name); }

TEST(JsonTest, ParsesValuesAndEscapes) {
  Result<JsonValue> v =
      ParseJson(R"( {"a": [1, -2.5e3, true, false, null], "s": "x\"\\\n\u00e9"} )");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items().size(), 5u);
  EXPECT_EQ(a->items()[1].text(), "-2.5e3");
  EXPECT_TRUE(a->items()[2].boolean());
  EXPECT_FALSE(a->items()[3].boolean());
  EXPECT_EQ(a->items()[4].type(), JsonValue::Type::kNull);
  EXPECT_EQ(v->Find("s")->text(), "x\"\\\n\xc3\xa9");
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(JsonTest, RefusesMalformedText) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1} x", "\"\\q\"", "tru",
                          "{\"a\":\"\n\"}", "[\"\\u12\"]"}) {
    Result<JsonValue> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << bad;
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), Code::kCorruption) << bad;
    }
  }
  std::string deep(100, '[');
  EXPECT_THAT(ParseJson(deep).status().message(), HasSubstr("nested too deeply"));
}

TEST(ReportTest, ActiveVgWithTag) {
  Result<std::vector<VgInfo>> vgs = ParseVgs(Lvm("guest_vgs_tag_sp1_active.json"));
  ASSERT_TRUE(vgs.ok()) << vgs.status().ToString();
  ASSERT_EQ(vgs->size(), 1u);
  const VgInfo& vg = (*vgs)[0];
  EXPECT_EQ(vg.name, "vgc");
  EXPECT_EQ(vg.attr, "wz--n-");
  EXPECT_THAT(vg.tags, ElementsAre("pacemaker_sp1"));
  EXPECT_EQ(vg.pv_count, 2);
  EXPECT_EQ(vg.lv_count, 2);
  EXPECT_EQ(vg.size, 192937984u);
  EXPECT_EQ(vg.free, 125829120u);
}

TEST(ReportTest, TagsAndSystemIds) {
  EXPECT_THAT((*ParseVgs(Lvm("host_vgs_tag_sp2_backup.json")))[0].tags,
              ElementsAre("backup", "pacemaker_sp2"));
  EXPECT_TRUE((*ParseVgs(Lvm("host_vgs_plain.json")))[0].tags.empty());
  EXPECT_EQ((*ParseVgs(Lvm("host_vgs_sysid_sp2.json")))[0].system_id, "sp2");
  EXPECT_TRUE(ParseVgs(Lvm("guest_vgs_absent.json"))->empty());
}

TEST(ReportTest, LvStates) {
  Result<std::vector<LvInfo>> lvs = ParseLvs(Lvm("guest_lvs_one_active.json"));
  ASSERT_TRUE(lvs.ok()) << lvs.status().ToString();
  ASSERT_EQ(lvs->size(), 2u);
  EXPECT_TRUE((*lvs)[0].IsActive());
  EXPECT_EQ((*lvs)[0].kernel_major, 253);
  EXPECT_EQ((*lvs)[0].kernel_minor, 0);
  EXPECT_EQ((*lvs)[1].Activity(), LvActivity::kInactive);
  EXPECT_EQ((*lvs)[1].kernel_minor, -1);
  EXPECT_EQ((*lvs)[1].FullName(), "vgc/logs");
  // Without device-mapper lvm cannot tell: neither active nor inactive.
  std::vector<LvInfo> nodm = *ParseLvs(Lvm("host_lvs_nodm.json"));
  for (const LvInfo& lv : nodm) {
    EXPECT_EQ(lv.Activity(), LvActivity::kUnknown) << lv.name;
  }
  EXPECT_EQ((*ParseLvs(Lvm("guest_lvs_logs_open.json")))[1].device_open, "open");
}

TEST(ReportTest, SnapshotAndOrigin) {
  std::vector<LvInfo> lvs = *ParseLvs(Lvm("guest_lvs_snapshot_used.json"));
  ASSERT_EQ(lvs.size(), 3u);
  const LvInfo& origin = lvs[0];
  const LvInfo& snap = lvs[1];
  EXPECT_TRUE(origin.IsOrigin());
  EXPECT_FALSE(origin.IsSnapshot());
  EXPECT_TRUE(snap.IsSnapshot());
  EXPECT_FALSE(snap.IsOrigin());
  EXPECT_EQ(snap.origin, "data");
  ASSERT_TRUE(snap.snap_percent.has_value());
  EXPECT_DOUBLE_EQ(*snap.snap_percent, 37.74);
  EXPECT_EQ(snap.SnapshotUsedBytes(), 3165860u);
  EXPECT_EQ(origin.SnapshotUsedBytes(), 0u);
  EXPECT_FALSE(lvs[2].IsSnapshot());
  EXPECT_FALSE(lvs[2].IsOrigin());
}

TEST(ReportTest, MissingPvs) {
  VgInfo vg = (*ParseVgs(Lvm("guest_vgs_missing_pv.json")))[0];
  EXPECT_EQ(vg.missing_pv_count, 1);
  EXPECT_EQ(vg.attr[3], 'p');
  std::vector<PvInfo> pvs = *ParsePvs(Lvm("guest_pvs_missing_pv.json"));
  int missing = 0;
  for (const PvInfo& pv : pvs) missing += pv.missing;
  EXPECT_EQ(missing, 1);
  std::vector<PvInfo> host = *ParsePvs(Lvm("host_pvs_missing_pv.json"));
  ASSERT_EQ(host.size(), 2u);
  EXPECT_FALSE(host[0].missing);
  EXPECT_TRUE(host[1].missing);
  EXPECT_EQ(host[1].name, "[unknown]");
}

TEST(ReportTest, RefusesOtherDocuments) {
  EXPECT_EQ(ParseVgs("{}").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseLvs(Lvm("guest_vgs_active.json")).status().code(), Code::kCorruption);
  EXPECT_EQ(ParseVgs(R"({"report":[{"vg":[{"vg_name":"x","pv_count":"two"}]}]})").status().code(),
            Code::kCorruption);
  EXPECT_EQ(
      ParseLvs(R"({"report":[{"lv":[{"lv_name":"x","snap_percent":"120"}]}]})").status().code(),
      Code::kCorruption);
}

TEST(VgStateTest, RequiredInactiveAndSnapshotUse) {
  VgState s;
  s.vg = (*ParseVgs(Lvm("guest_vgs_snapshot.json")))[0];
  s.lvs = *ParseLvs(Lvm("guest_lvs_snapshot_used.json"));
  EXPECT_EQ(s.RequiredLvs().size(), 3u);
  EXPECT_TRUE(s.InactiveRequired().empty());
  EXPECT_EQ(s.SnapshotUsedBytes(), 3165860u);
  s.lvs = *ParseLvs(Lvm("guest_lvs_one_active.json"));
  EXPECT_THAT(s.InactiveRequired(), ElementsAre("vgc/logs"));
  EXPECT_THAT(s.NotInactive(), ElementsAre("vgc/data"));
  s.lvs = *ParseLvs(Lvm("host_lvs_nodm.json"));
  EXPECT_TRUE(s.AnyActive()) << "an unknown state is never taken for 'down'";
}

TEST(VgStateTest, Names) {
  EXPECT_TRUE(CheckVgName("vg_ha-1.x+").ok());
  for (const char* bad : {"", ".", "..", "-ay", "a b", "a/b", "vg;x", "v\n"}) {
    EXPECT_EQ(CheckVgName(bad).code(), Code::kInvalidConfig) << bad;
  }
  EXPECT_EQ(CheckLvName("data_tdata").code(), Code::kInvalidConfig);
  EXPECT_EQ(CheckLvName("snapshot").code(), Code::kInvalidConfig);
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(*SplitLvPath("vgc/data"), P("vgc", "data"));
  EXPECT_EQ(*SplitLvPath("/dev/vgc/data"), P("vgc", "data"));
  EXPECT_EQ(*SplitLvPath("/dev/mapper/vg--x-lv--y"), P("vg-x", "lv-y"));
  for (const char* bad : {"vgc", "/dev/sda", "a/b/c", "vgc/", "/dev/mapper/nodash", "vg;x/lv"}) {
    EXPECT_FALSE(SplitLvPath(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace san::lvm
