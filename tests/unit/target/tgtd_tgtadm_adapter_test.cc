// The contract between TgtBackend and the socket adapter: every tgtadm argument vector the backend
// produces today, for every step kind and every listing, is understood by RequestFromTgtadmArgs.
// A new option in the backend fails here until the adapter learns it.
#include "libsan/target/tgtd_tgtadm_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "libsan/host/fake_host.h"
#include "libsan/target/tgt_backend.h"
#include "libsan/util/strings.h"
#include "tests/support/test_data.h"

namespace san::target::tgt {
namespace {

using san::testing::ReadTestData;

bool Has(const std::vector<std::string>& argv, const std::string& word) {
  return std::find(argv.begin(), argv.end(), word) != argv.end();
}

TEST(TgtdTgtadmAdapterTest, UnderstandsEveryArgvTheBackendRuns) {
  FakeHost host;
  // Real listings, so ReadState parses and CloseSessions finds a session to close.
  bool stopped = false;
  host.SetDefault([&stopped](const Command& c) -> Result<Output> {
    Output o;
    if (Has(c.argv, "delete") && Has(c.argv, "system")) stopped = true;
    if (stopped && Has(c.argv, "show"))
      return Output{107, "", "tgtadm: can't connect to tgt daemon\n"};
    if (!Has(c.argv, "show")) return o;
    if (Has(c.argv, "system")) o.out = ReadTestData("tgtadm/show_system_discovery.txt");
    if (Has(c.argv, "account")) o.out = ReadTestData("tgtadm/show_account.txt");
    if (Has(c.argv, "target")) {
      o.out = ReadTestData(Has(c.argv, "--tid") ? "tgtadm/show_target_params.txt"
                                                : "tgtadm/show_target_session.txt");
    }
    return o;
  });
  NullLogger log;
  BackendOptions options;
  options.portals = {{"192.0.2.1", 3260}, {"192.0.2.2", 3261}};  // the second one over tgtadm
  TgtBackend backend(host, log, options);
  ASSERT_TRUE(backend.StartDaemon().ok());
  ASSERT_TRUE(backend.ReadState(true).ok());
  ASSERT_TRUE(backend.ReadTargetOptions(1).ok());
  for (int k = 0; k <= static_cast<int>(StepKind::kCloseSessions); ++k) {
    for (bool outgoing : {false, true}) {
      Step s;
      s.kind = static_cast<StepKind>(k);
      s.tid = 1;
      s.target = "iqn.2024-01.test.sanha:alpha";
      s.name = s.kind == StepKind::kSetOption ? "MaxRecvDataSegmentLength" : "user-1";
      s.value = s.kind == StepKind::kSetOption ? "65536" : "a-secret,with-comma";
      s.outgoing = outgoing;
      s.lun = {1, "/dev/vg/lv", IoMode::kBlockio, "ID-1", "SN-1", "SANHA", "DISK", true, 0};
      SCOPED_TRACE(s.Describe());
      ASSERT_TRUE(backend.Execute(s).ok());
    }
  }
  ASSERT_TRUE(backend.StopDaemon().ok());
  std::set<std::pair<TgtdMode, TgtdOp>> seen;
  for (const auto& argv : host.commands_run()) {
    SCOPED_TRACE(Join(argv, " "));
    if (argv[0] == "tgtd") continue;  // the daemon itself
    ASSERT_GE(argv.size(), 3u);
    ASSERT_EQ(argv[0], "tgtadm");
    Result<TgtdRequest> req = RequestFromTgtadmArgs({argv.begin() + 1, argv.end()});
    ASSERT_TRUE(req.ok()) << req.status().ToString();
    EXPECT_TRUE(EncodeTgtdRequest(*req).ok());
    seen.insert({req->mode, req->op});
  }
  // target show/new/delete/update/bind/unbind, logicalunit new/update/delete, account
  // show/new/delete/bind/unbind, conn delete, system show/delete, portal new.
  EXPECT_EQ(seen.size(), 18u);
}

}  // namespace
}  // namespace san::target::tgt
