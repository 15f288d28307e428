// PowerNet OIDs per model and model detection by sysObjectID.
#include "libsan/fence/powernet.h"

#include <gtest/gtest.h>

namespace san::fence {
namespace {

TEST(PowernetTest, DetectsModelsBySysObjectId) {
  EXPECT_EQ(PduModel::FromSysObjectId(".1.3.6.1.4.1.318.1.3.4.5")->kind(),
            PduModel::Kind::kRackPdu);
  EXPECT_EQ(PduModel::FromSysObjectId(".1.3.6.1.4.1.318.1.3.4.6")->kind(),
            PduModel::Kind::kMasterSwitch6);
  EXPECT_EQ(PduModel::FromSysObjectId(".1.3.6.1.4.1.318.1.3.4.4")->kind(),
            PduModel::Kind::kMasterSwitchPlus);
  // Any other APC product: the original MasterSwitch table, which all of them serve.
  EXPECT_EQ(PduModel::FromSysObjectId(".1.3.6.1.4.1.318.1.3.4.2")->kind(),
            PduModel::Kind::kMasterSwitch);
  Result<PduModel> other = PduModel::FromSysObjectId(".1.3.6.1.4.1.8072.3.2.10");
  EXPECT_EQ(other.status().code(), Code::kInvalidConfig);
  EXPECT_EQ(PduModel::FromSysObjectId(".1.3.6.1.4.1.3180.1").status().code(), Code::kInvalidConfig);
}

TEST(PowernetTest, RackPduOids) {
  PduModel m = PduModel::Of(PduModel::Kind::kRackPdu);
  EXPECT_EQ(m.StatusOid({1, 7}), ".1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.7");
  EXPECT_EQ(m.ControlOid({1, 7}), ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.7");
  EXPECT_EQ(m.NameTableOid(), ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2");
  EXPECT_EQ(m.TurnOffValue(), 2);
  EXPECT_EQ(m.NameOidToOutlet(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.2.12"), (OutletId{1, 12}));
  EXPECT_FALSE(m.NameOidToOutlet(".1.3.6.1.4.1.318.1.1.12.3.3.1.1.3.12"));
}

TEST(PowernetTest, Firmware6ReadsOldTableAndSwitchesThroughRackPduTable) {
  PduModel m = PduModel::Of(PduModel::Kind::kMasterSwitch6);
  EXPECT_EQ(m.StatusOid({1, 3}), ".1.3.6.1.4.1.318.1.1.4.4.2.1.3.3");
  EXPECT_EQ(m.ControlOid({1, 3}), ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.3");
}

TEST(PowernetTest, MasterSwitchPlusAddressesUnits) {
  PduModel m = PduModel::Of(PduModel::Kind::kMasterSwitchPlus);
  EXPECT_EQ(m.StatusOid({2, 5}), ".1.3.6.1.4.1.318.1.1.6.7.1.1.5.2.1.5");
  EXPECT_EQ(m.ControlOid({2, 5}), ".1.3.6.1.4.1.318.1.1.6.5.1.1.5.2.1.5");
  EXPECT_EQ(m.TurnOffValue(), 3);
  EXPECT_EQ(m.NameOidToOutlet(".1.3.6.1.4.1.318.1.1.6.7.1.1.4.2.1.5"), (OutletId{2, 5}));
}

TEST(PowernetTest, OldMasterSwitchUsesOneOidForBoth) {
  PduModel m = PduModel::Of(PduModel::Kind::kMasterSwitch);
  EXPECT_EQ(m.StatusOid({1, 8}), m.ControlOid({1, 8}));
  EXPECT_EQ(m.Decode(1), OutletState::kOn);
  EXPECT_EQ(m.Decode(2), OutletState::kOff);
  EXPECT_EQ(m.Decode(4), OutletState::kUnknown);
}

}  // namespace
}  // namespace san::fence
