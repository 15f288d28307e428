// Findings of the checksum header fuzz target (tests/fuzz/checksum_header_fuzz.cc).
#include <gtest/gtest.h>

#include <cstdint>

#include "libsan/blockcopy/checksum_header.h"

namespace san::blockcopy {
namespace {

// A sealed header claiming a source of almost 2^64 bytes decoded, and SegmentCount() wrapped to 0:
// no digest for any byte, so a run would have trusted a file describing nothing.
TEST(ChecksumHeaderFuzzTest, SourceSizeBeyondAnyDeviceIsRefused) {
  ChecksumHeader h;
  h.source = "/dev/vg0/data";
  h.state = FileState::kClean;
  h.source_size = UINT64_MAX - 100;
  Result<ChecksumHeader> r = DecodeHeader(EncodeHeader(h));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  h.source_size = uint64_t{INT64_MAX};  // the largest size a file can have still decodes
  r = DecodeHeader(EncodeHeader(h));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(r->SegmentCount() * r->segment_size, r->source_size);
}

}  // namespace
}  // namespace san::blockcopy
