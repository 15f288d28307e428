// san-target status output on FakeTgtd after an apply: identities, exact recorded sizes, sessions,
// drift, no secrets; JSON strings escaped.
#include "libsan/target/status_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/host/fake_host.h"
#include "libsan/target/target_file.h"
#include "libsan/target/tgt_backend.h"
#include "tests/support/fake_tgtd.h"

namespace san::target {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StatusReportTest, TextAndJsonAfterApply) {
  FakeHost host;
  testing::FakeTgtd tgtd(host);
  host.SetBlockDevice("/dev/vg/a", 10 << 20);
  MemoryLogger log;
  tgt::TgtBackend backend(host, log, {});
  Result<TargetConfig> c = ParseTargetFile(
      "target iqn.2024-01.t:a\n incoming-user u user-secret-12\n"
      " lun 1 /dev/vg/a scsi_idsn=AMHDSK-1 vendor=V\n",
      "t.conf");
  ASSERT_TRUE(c.ok());
  ReconcileOptions o;
  o.state_dir = "/run/s";
  o.firewall = "none";
  ASSERT_TRUE(Apply(host, log, backend, *c, o).ok());
  tgtd.AddSession(1, "iqn.2024-01.t:client", "192.0.2.9");
  tgtd.targets()[1].name = "iqn.2024-01.t:a";
  host.SetBlockDevice("/dev/vg/a", 12 << 20);
  Result<Inspection> ins = Inspect(host, backend, *c, o);
  ASSERT_TRUE(ins.ok());
  const std::string json = StatusJson(*c, *ins, "tgt");
  EXPECT_THAT(json, HasSubstr("\"in_sync\":false"));
  EXPECT_THAT(json, HasSubstr("\"vpd83\":\"AMHDSK-1\",\"vpd80\":\"AMHDSK-1\",\"vendor\":\"V\""));
  EXPECT_THAT(json, HasSubstr("\"size_bytes\":10485760,\"size_mb\":10,"
                              "\"backing_size_bytes\":12582912"));
  EXPECT_THAT(json, HasSubstr("\"sessions\":[{\"sid\":1,\"initiator\":\"iqn.2024-01.t:client\","
                              "\"addresses\":[\"192.0.2.9\"]}]"));
  EXPECT_THAT(json, HasSubstr("\"incoming_users\":[\"u\"]"));
  EXPECT_THAT(json, HasSubstr("size is 10 MiB, backing device is now 12 MiB"));
  EXPECT_THAT(json, Not(HasSubstr("user-secret")));
  const std::string text = StatusText(*c, *ins, "tgt");
  EXPECT_THAT(text, HasSubstr("lun 1 /dev/vg/a fileio rw  vpd83=AMHDSK-1 vpd80=AMHDSK-1  "
                              "size=10 MiB (backing now 12 MiB)"));
  EXPECT_THAT(text, HasSubstr("session 1: iqn.2024-01.t:client from 192.0.2.9"));
  EXPECT_THAT(text, HasSubstr("drift: delete target 1"));

  // A name from the daemon with characters JSON must escape.
  tgtd.targets()[1].name = "iqn.2024-01.t:a\"b\\c";
  ins = Inspect(host, backend, *c, o);
  ASSERT_TRUE(ins.ok());
  EXPECT_THAT(StatusJson(*c, *ins, "tgt"), HasSubstr("\"name\":\"iqn.2024-01.t:a\\\"b\\\\c\""));
}

}  // namespace
}  // namespace san::target
