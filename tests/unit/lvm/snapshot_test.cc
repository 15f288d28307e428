// Snapshot sizing and safety, and the lvm_snap_create / lvm_snap_remove actions on FakeHost with
// lvs output captured in a real kernel (an origin with a 37.74%-used snapshot).
#include "libsan/lvm/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "libsan/lvm/snap_tools.h"
#include "libsan/lvm/vg_state.h"
#include "tests/support/test_data.h"

namespace san::lvm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Argv = std::vector<std::string>;

std::string Lvm(const std::string& name) { return testing::ReadTestData("lvm/" + name); }

TEST(SnapshotSizeTest, DefaultIsTwentyPercentBelow100GiBAndFifteenFrom) {
  EXPECT_EQ(DefaultSnapshotSize(50 * kGiB), 10 * kGiB);
  EXPECT_EQ(DefaultSnapshotSize(100 * kGiB - 1024 * 1024), 20 * kGiB - 204 * 1024)
      << "just below the threshold: 20% (20 GiB - 204.8 KiB), rounded up to KiB";
  EXPECT_EQ(DefaultSnapshotSize(100 * kGiB), 15 * kGiB);
  EXPECT_EQ(DefaultSnapshotSize(1000 * kGiB), 150 * kGiB);
  EXPECT_EQ(DefaultSnapshotSize(50331648), 10066944u) << "the 48 MiB capture: 9.6 MiB, KiB-aligned";
  EXPECT_EQ(DefaultSnapshotSize(50331648) % 1024, 0u);
}

TEST(SnapshotSizeTest, ParsesLvmSizes) {
  const uint64_t origin = 200 * kGiB;
  EXPECT_EQ(*ParseSnapshotSize("512M", origin), 512u << 20);
  EXPECT_EQ(*ParseSnapshotSize("512", origin), 512u << 20) << "MiB like lvcreate -L";
  EXPECT_EQ(*ParseSnapshotSize("10G", origin), 10 * kGiB);
  EXPECT_EQ(*ParseSnapshotSize("1.5g", origin), 3 * kGiB / 2);
  EXPECT_EQ(*ParseSnapshotSize("2048k", origin), 2u << 20);
  EXPECT_EQ(*ParseSnapshotSize("25%", origin), 50 * kGiB);
  EXPECT_EQ(*ParseSnapshotSize("1000b", origin), 1024u) << "rounded up to KiB";
  for (const char* bad :
       {"", "0", "-1G", "abc", "10Q", "G", "101%", "300G", "1e400", " 5G", "nan", "inf"}) {
    EXPECT_EQ(ParseSnapshotSize(bad, origin).status().code(), Code::kInvalidConfig) << bad;
  }
}

class SnapToolsTest : public ::testing::Test {
 protected:
  SnapToolsTest() { host_.Reply(LvsArgv("vgc"), Lvm("guest_lvs_snapshot_used.json")); }
  bool RanChange() const {
    for (const auto& c : host_.commands_run()) {
      if (c[1] == "lvremove" || c[1] == "lvcreate") return true;
    }
    return false;
  }
  FakeHost host_;
  MemoryLogger log_;
};

TEST_F(SnapToolsTest, RemoveRefusesAnOrigin) {
  Status st = RemoveSnapshot(host_, log_, "vgc/data");
  EXPECT_EQ(st.code(), Code::kInvalidConfig);
  EXPECT_THAT(st.message(), HasSubstr("vgc/data is an origin (it has snapshots); refusing"));
  EXPECT_FALSE(RanChange());
  EXPECT_EQ(ToolExitCode(st), 2);
}

TEST_F(SnapToolsTest, RemoveRefusesAPlainLv) {
  Status st = RemoveSnapshot(host_, log_, "/dev/vgc/logs");
  EXPECT_EQ(st.code(), Code::kInvalidConfig);
  EXPECT_THAT(st.message(), HasSubstr("vgc/logs is not a snapshot; refusing to remove it"));
  EXPECT_FALSE(RanChange());
}

TEST_F(SnapToolsTest, RemoveASnapshot) {
  const Argv remove = {"lvm", "lvremove", "--yes", "vgc/data_snap"};
  host_.Reply(remove, "  Logical volume \"data_snap\" successfully removed\n");
  EXPECT_TRUE(RemoveSnapshot(host_, log_, "/dev/mapper/vgc-data_snap").ok());
  EXPECT_THAT(host_.commands_run(), ElementsAre(LvsArgv("vgc"), remove));
}

TEST_F(SnapToolsTest, RemoveMissing) {
  EXPECT_EQ(RemoveSnapshot(host_, log_, "vgc/nosuch").code(), Code::kNotFound);
  FakeHost gone;
  gone.Reply(LvsArgv("nosuchvg"), Lvm("guest_lvs_absent.json"), 5, Lvm("guest_lvs_absent.err"));
  Status st = RemoveSnapshot(gone, log_, "nosuchvg/x");
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("Volume group \"nosuchvg\" not found"));
  EXPECT_EQ(ToolExitCode(st), 1);
}

TEST_F(SnapToolsTest, CreateWithDefaultAndGivenSize) {
  const Argv create = {"lvm",       "lvcreate", "--snapshot", "--name",
                       "logs_snap", "--size",   "3277k",      "vgc/logs"};
  host_.Reply(create, "  Logical volume \"logs_snap\" created.\n");
  Result<SnapCreatePlan> plan = CreateSnapshot(host_, log_, "vgc/logs", "snap", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->size, DefaultSnapshotSize(16777216));
  EXPECT_THAT(host_.commands_run(), ElementsAre(LvsArgv("vgc"), LvsArgv("vgc"), create));

  const Argv sized = {"lvm",          "lvcreate", "--snapshot", "--name",
                      "logs_nightly", "--size",   "4096k",      "vgc/logs"};
  host_.Reply(sized, "");
  EXPECT_TRUE(CreateSnapshot(host_, log_, "/dev/vgc/logs", "nightly", "4M").ok());
  EXPECT_EQ(host_.commands_run().back(), sized);
}

TEST_F(SnapToolsTest, CreateRefusals) {
  Result<SnapCreatePlan> r = CreateSnapshot(host_, log_, "vgc/data_snap", "snap", std::nullopt);
  EXPECT_THAT(r.status().message(), HasSubstr("vgc/data_snap is a snapshot"));
  r = CreateSnapshot(host_, log_, "vgc/data", "snap", std::nullopt);
  EXPECT_THAT(r.status().message(), HasSubstr("vgc/data_snap already exists"));
  r = CreateSnapshot(host_, log_, "vgc/data", "a;b", std::nullopt);
  EXPECT_EQ(r.status().code(), Code::kInvalidConfig);
  r = CreateSnapshot(host_, log_, "vgc/logs", "big", "1G");
  EXPECT_THAT(r.status().message(), HasSubstr("larger than the origin (16.0 MiB)"));
  r = CreateSnapshot(host_, log_, "not-an-lv", "snap", std::nullopt);
  EXPECT_EQ(r.status().code(), Code::kInvalidConfig);
  EXPECT_FALSE(RanChange());
}

}  // namespace
}  // namespace san::lvm
