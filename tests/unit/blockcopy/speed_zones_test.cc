// Read-speed zones and the hash benchmark on in-memory devices and FakeHost's clock.
#include "libsan/blockcopy/speed_zones.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/blockcopy/fake_faulty_device.h"
#include "libsan/blockcopy/fake_memory_device.h"
#include "libsan/blockcopy/hash_benchmark.h"
#include "libsan/host/fake_host.h"

namespace san::blockcopy {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(SpeedZonesTest, ZoneSizes) {
  EXPECT_EQ(ZoneSizeFor(64 * kMiB, kMiB), 16 * kMiB);                      // at least 16 MiB
  EXPECT_EQ(ZoneSizeFor(100ull << 30, kMiB), 1024 * kMiB);                 // a hundredth
  EXPECT_EQ(ZoneSizeFor((100ull << 30) + 150 * kMiB, kMiB), 1026 * kMiB);  // rounded up
}

TEST(SpeedZonesTest, CoversTheWholeDeviceInZones) {
  MemoryDevice dev("/dev/sdz", 40 * kMiB + 123);
  FakeHost host;
  std::vector<uint64_t> seen;
  Result<std::vector<Zone>> zones =
      MeasureZones(dev, host, kMiB, [&](const Zone& z) { seen.push_back(z.offset); });
  ASSERT_TRUE(zones.ok());
  ASSERT_EQ(zones->size(), 3u);
  EXPECT_EQ((*zones)[2].offset, 32 * kMiB);
  EXPECT_EQ((*zones)[2].length, 8 * kMiB + 123);
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 16 * kMiB, 32 * kMiB}));
  EXPECT_EQ(dev.counters().reads, 41u);
}

TEST(SpeedZonesTest, ReadErrorsStopTheMeasurement) {
  MemoryDevice dev("/dev/sdz", 40 * kMiB);
  FaultPlan plan;
  plan.eio_read_at = 20 * kMiB;
  FaultyDevice bad(dev, plan);
  FakeHost host;
  EXPECT_THAT(MeasureZones(bad, host, kMiB).status().message(),
              ::testing::HasSubstr("Input/output error"));
}

TEST(HashBenchmarkTest, AStoppedClockCannotHangIt) {
  FakeHost host;  // its clock never moves on its own
  HashRate r =
      MeasureHashRate(host, HashKind::kXxh128, 256 << 10, std::chrono::seconds(1), 4 * kMiB);
  EXPECT_EQ(r.buffer_bytes, 256u << 10);
  EXPECT_EQ(r.bytes_per_second, 0);  // no time passed: no rate
}

}  // namespace
}  // namespace san::blockcopy
