// Findings of the PDU reply fuzz target (tests/fuzz/powernet_fuzz.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libsan/fence/outlet_plan.h"
#include "libsan/fence/powernet.h"

namespace san::fence {
namespace {

// A PDU whose name-table walk answered row 0 ("...4.0 = web2") made plug=web2 resolve to outlet 0,
// which the agent would then have switched. Outlets and units count from 1.
TEST(PowernetFuzzTest, RowZeroOfTheNameTableIsNoOutlet) {
  for (auto kind :
       {PduModel::Kind::kRackPdu, PduModel::Kind::kMasterSwitch6, PduModel::Kind::kMasterSwitch}) {
    PduModel m = PduModel::Of(kind);
    EXPECT_FALSE(m.NameOidToOutlet(m.NameTableOid() + ".0")) << m.Name();
    EXPECT_EQ(m.NameOidToOutlet(m.NameTableOid() + ".7"), (OutletId{1, 7})) << m.Name();
  }
  PduModel plus = PduModel::Of(PduModel::Kind::kMasterSwitchPlus);
  EXPECT_FALSE(plus.NameOidToOutlet(plus.NameTableOid() + ".0.1.5"));
  EXPECT_FALSE(plus.NameOidToOutlet(plus.NameTableOid() + ".2.1.0"));
  EXPECT_EQ(plus.NameOidToOutlet(plus.NameTableOid() + ".2.1.5"), (OutletId{2, 5}));

  // The whole path: the walk's names resolved against plug=web2.
  PduModel ms = PduModel::Of(PduModel::Kind::kMasterSwitch);
  std::vector<NamedOutlet> named;
  for (const auto& [row, name] :
       std::vector<std::pair<std::string, std::string>>{{".0", "web2"}, {".3", "db"}}) {
    if (auto id = ms.NameOidToOutlet(ms.NameTableOid() + row)) named.push_back({*id, name});
  }
  auto refs = ParsePlugs("web2", {"192.0.2.10"});
  ASSERT_TRUE(refs.ok());
  auto resolved = ResolvePlugs(
      *refs, 1, [](size_t) { return false; },
      [&](size_t) -> Result<std::vector<NamedOutlet>> { return named; });
  EXPECT_EQ(resolved.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace san::fence
