// Read-speed zones (ddless -s SRC): reads a device from start to end and reports the read rate of
// each zone, e.g. to see a disk's slower inner tracks or a congested stretch of a SAN volume.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "libsan/blockcopy/block_device.h"
#include "libsan/host/host.h"

namespace san::blockcopy {

struct Zone {
  uint64_t offset = 0;
  uint64_t length = 0;
  double seconds = 0;
  double BytesPerSecond() const { return seconds > 0 ? length / seconds : 0; }
};

// Zone size for a device: a hundredth of it, rounded up to a multiple of `read_size`, at least
// 16 MiB (so small devices get fewer, still meaningful zones).
uint64_t ZoneSizeFor(uint64_t device_size, size_t read_size);

// Reads the whole device sequentially in `read_size` reads (one at a time, as the original did),
// calling `on_zone` as each zone completes. Timing uses the Host clock.
Result<std::vector<Zone>> MeasureZones(BlockDevice& device, Host& host, size_t read_size,
                                       const std::function<void(const Zone&)>& on_zone = {});

}  // namespace san::blockcopy
