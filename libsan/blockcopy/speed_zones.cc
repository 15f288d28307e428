// One read at a time on purpose: the zones describe the device, not ddless' parallel reader.
#include "libsan/blockcopy/speed_zones.h"

#include "libsan/blockcopy/aligned_buffer.h"

namespace san::blockcopy {

uint64_t ZoneSizeFor(uint64_t device_size, size_t read_size) {
  uint64_t zone = std::max<uint64_t>(device_size / 100, 16ull << 20);
  return (zone + read_size - 1) / read_size * read_size;
}

Result<std::vector<Zone>> MeasureZones(BlockDevice& device, Host& host, size_t read_size,
                                       const std::function<void(const Zone&)>& on_zone) {
  const uint64_t size = device.size();
  const uint64_t zone_size = ZoneSizeFor(size, read_size);
  AlignedBuffer buf(read_size);
  std::vector<Zone> zones;
  for (uint64_t offset = 0; offset < size; offset += zone_size) {
    Zone z{offset, std::min(zone_size, size - offset), 0};
    Clock::time_point t0 = host.Now();
    for (uint64_t at = offset; at < offset + z.length; at += read_size) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(read_size, offset + z.length - at));
      SAN_RETURN_IF_ERROR(ReadFull(device, at, buf.span().first(n)));
    }
    z.seconds = std::chrono::duration<double>(host.Now() - t0).count();
    zones.push_back(z);
    if (on_zone) on_zone(z);
  }
  return zones;
}

}  // namespace san::blockcopy
