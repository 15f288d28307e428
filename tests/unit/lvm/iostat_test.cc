// lvm_iostat's engine on /proc/diskstats + sysfs trees captured in the vm tier's guest (dm devices
// of VG vgc while dd wrote 4 MiB to vgc/data and read 2 MiB from vgc/logs) and on this kind of
// host (a loop device). The trees are read with RealHost: plain files, as on a live system.
#include "libsan/lvm/iostat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "libsan/host/real_host.h"
#include "libsan/lvm/json.h"
#include "tests/support/test_data.h"

namespace san::lvm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Root(const std::string& tree) {
  return std::string(SANHA_SOURCE_DIR) + "/tests/data/iostat/" + tree;
}

std::vector<DiskStat> Read(const std::string& tree) {
  RealHost host{ProgramTable()};
  Result<std::vector<DiskStat>> s = ReadDiskStats(host, Root(tree) + "/proc", Root(tree) + "/sys");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : std::vector<DiskStat>{};
}

const DiskRate* Find(const std::vector<DiskRate>& rates, const std::string& name) {
  for (const DiskRate& r : rates) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

TEST(DiskstatsTest, ParsesTheGuestsCountersAndDmNames) {
  std::vector<DiskStat> s = Read("guest/t1");
  ASSERT_EQ(s.size(), 6u);
  std::vector<std::string> names;
  for (const DiskStat& d : s) names.push_back(d.name);
  EXPECT_THAT(names, ElementsAre("vda", "vgc-data", "vgc-logs", "vgc-data-real",
                                 "vgc-data_snap-cow", "vgc-data_snap"));
  const DiskStat& data = s[1];
  EXPECT_EQ(data.kname, "dm-0");
  EXPECT_EQ(data.major, 253u);
  EXPECT_EQ(data.minor, 0u);
  EXPECT_EQ(data.writes, 1024u);
  EXPECT_EQ(data.write_sectors, 8192u);
  EXPECT_EQ(data.io_ms, 156u);
}

TEST(DiskstatsTest, RatesOverTheCaptureInterval) {
  std::vector<DiskRate> r = ComputeRates(Read("guest/t0"), Read("guest/t1"), 1000);
  const DiskRate* data = Find(r, "vgc-data");
  const DiskRate* logs = Find(r, "vgc-logs");
  ASSERT_NE(data, nullptr);
  ASSERT_NE(logs, nullptr);
  EXPECT_DOUBLE_EQ(data->write_kib_per_s, 4096.0);
  EXPECT_DOUBLE_EQ(data->read_kib_per_s, 0.0);
  EXPECT_DOUBLE_EQ(logs->read_kib_per_s, 2048.0);
  EXPECT_DOUBLE_EQ(logs->reads_per_s, 2.0);
  // 4 MiB into a snapshotted origin: the same again goes to the COW store.
  EXPECT_GE(Find(r, "vgc-data_snap-cow")->write_kib_per_s, 4096.0);
  std::vector<DiskRate> host = ComputeRates(Read("host/t0"), Read("host/t1"), 2000);
  const DiskRate* loop = Find(host, "loop7");
  ASSERT_NE(loop, nullptr);
  EXPECT_DOUBLE_EQ(loop->write_kib_per_s, 2048.0) << "4 MiB over 2 s";
  EXPECT_DOUBLE_EQ(loop->read_kib_per_s, 1024.0);
  EXPECT_DOUBLE_EQ(loop->writes_per_s, 2.0);
}

TEST(DiskstatsTest, CounterResetsCountAsZero) {
  std::vector<DiskRate> r = ComputeRates(Read("guest/t1"), Read("guest/t0"), 1000);
  for (const DiskRate& d : r) EXPECT_EQ(d.write_kib_per_s, 0.0) << d.name;
}

TEST(DiskstatsTest, RefusesMalformedLines) {
  EXPECT_EQ(ParseDiskstats("   8 0 sda 1 2 3\n").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseDiskstats(" 8 0 sda 1 0 x 0 0 0 0 0 0 0 0\n").status().code(), Code::kCorruption);
  EXPECT_TRUE(ParseDiskstats("\n")->empty());
}

TEST(IostatTest, DumpLinesAndFilter) {
  std::vector<DiskStat> s = *SelectDevices(Read("guest/t1"), "^vgc-(data|logs)$");
  EXPECT_EQ(FormatDump(s, 1700000000),
            "vgc-data 1700000000:0:0:1024:4194304:156\n"
            "vgc-logs 1700000000:2:2097152:0:0:12\n");
  // By kernel name too; idle devices (vgc-data_snap) are left out.
  EXPECT_EQ(SelectDevices(Read("guest/t1"), "dm-")->size(), 4u);
  EXPECT_EQ(SelectDevices(Read("guest/t1"), "")->size(), 5u);
  EXPECT_EQ(SelectDevices(Read("guest/t1"), "[").status().code(), Code::kInvalidConfig);
}

TEST(IostatTest, JsonIsValidAndComplete) {
  std::vector<DiskStat> s = *SelectDevices(Read("guest/t1"), "^vgc-data$");
  Result<JsonValue> dump = ParseJson(FormatDumpJson(s, 42));
  ASSERT_TRUE(dump.ok()) << dump.status().ToString();
  EXPECT_EQ(dump->Find("time")->text(), "42");
  const JsonValue& dev = dump->Find("devices")->items().at(0);
  EXPECT_EQ(dev.Find("name")->text(), "vgc-data");
  EXPECT_EQ(dev.Find("kname")->text(), "dm-0");
  EXPECT_EQ(dev.Find("write_bytes")->text(), "4194304");
  Result<JsonValue> rates =
      ParseJson(FormatRatesJson(ComputeRates(Read("guest/t0"), Read("guest/t1"), 1000), 1000));
  ASSERT_TRUE(rates.ok()) << rates.status().ToString();
  EXPECT_EQ(rates->Find("devices")->items().size(), 6u);
}

// A host whose diskstats move from t0 to t1 when the tool sleeps.
class TwoSampleHost : public FakeHost {
 public:
  void SleepFor(milliseconds d) override {
    FakeHost::SleepFor(d);
    SetFile("/proc/diskstats", testing::ReadTestData("iostat/guest/t1/proc/diskstats"));
  }
};

TEST(IostatTest, RefreshPrintsATablePerInterval) {
  TwoSampleHost host;
  host.SetFile("/proc/diskstats", testing::ReadTestData("iostat/guest/t0/proc/diskstats"));
  for (const char* dev : {"dm-0", "dm-1"}) {
    host.SetFile(
        std::string("/sys/block/") + dev + "/dm/name",
        testing::ReadTestData(std::string("iostat/guest/t0/sys/block/") + dev + "/dm/name"));
  }
  IostatOptions o;
  o.mode = IostatOptions::Mode::kRefresh;
  o.count = 2;
  o.interval = milliseconds(500);
  std::string out;
  ASSERT_TRUE(RunIostat(host, o, 0, [&out](std::string_view t) { out += t; }).ok());
  EXPECT_THAT(out,
              HasSubstr("Device         r/s       w/s      rKiB/s      wKiB/s    await  %util\n"));
  EXPECT_THAT(out,
              HasSubstr("vgc-data       0.0    2048.0         0.0      8192.0    24.02   31.2\n"));
  EXPECT_THAT(out,
              HasSubstr("vgc-logs       4.0       0.0      4096.0         0.0     6.00    2.4\n"));
  EXPECT_EQ(host.total_slept(), milliseconds(1000));
  EXPECT_THAT(out, HasSubstr("\nDevice")) << "the second table";
  EXPECT_THAT(out,
              HasSubstr("\nvgc-data       0.0       0.0         0.0         0.0     0.00    0.0\n"))
      << "an idle interval after the busy one";
}

TEST(IostatTest, BadRegexAndMissingDiskstats) {
  FakeHost host;
  IostatOptions o;
  o.name_regex = "(";
  Status st = RunIostat(host, o, 0, [](std::string_view) {});
  EXPECT_EQ(st.code(), Code::kInvalidConfig);
  o.name_regex = "";
  EXPECT_EQ(RunIostat(host, o, 0, [](std::string_view) {}).code(), Code::kNotFound);
}

}  // namespace
}  // namespace san::lvm
