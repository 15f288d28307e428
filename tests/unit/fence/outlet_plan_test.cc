// Parsing and resolving plug lists: numbers, names, PDU prefixes, ambiguity, duplicates.
#include "libsan/fence/outlet_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::fence {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kHosts = {"192.0.2.10", "pdu-b.example:1161"};

std::vector<NamedOutlet> Names() {
  return {{{1, 1}, "web1"}, {{1, 2}, "db1"}, {{1, 3}, "db1"}, {{1, 4}, "spare"}};
}

Result<std::vector<Outlet>> Resolve(const std::string& plug, int* lookups = nullptr,
                                    size_t pdus = 2) {
  std::vector<std::string> hosts(kHosts.begin(), kHosts.begin() + static_cast<long>(pdus));
  Result<std::vector<PlugRef>> refs = ParsePlugs(plug, hosts);
  if (!refs.ok()) return refs.status();
  return ResolvePlugs(
      *refs, pdus, [](size_t) { return false; },
      [&](size_t) -> Result<std::vector<NamedOutlet>> {
        if (lookups) ++*lookups;
        return Names();
      });
}

std::vector<std::string> Labels(const std::vector<Outlet>& v) {
  std::vector<std::string> out;
  for (const Outlet& o : v) out.push_back(o.label);
  return out;
}

TEST(OutletPlanTest, EveryListedOutletIsSwitchedOnce) {
  // fence_apc_snmp switched outlet 1 twice for plug=1,2 and never outlet 2.
  Result<std::vector<Outlet>> r = Resolve("1,2", nullptr, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Labels(*r), ::testing::ElementsAre("1", "2"));
}

TEST(OutletPlanTest, PduPrefixesByPositionAndByAddress) {
  Result<std::vector<Outlet>> r = Resolve("pdu1:5, pdu-b.example:1161:5");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Labels(*r), ::testing::ElementsAre("pdu1:5", "pdu2:5"));
  EXPECT_EQ((*r)[1].pdu, 1u);
}

TEST(OutletPlanTest, SlashSeparatesThePduForPcmkHostMap) {
  Result<std::vector<Outlet>> r = Resolve("pdu1/5,pdu2/web1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Labels(*r), ::testing::ElementsAre("pdu1:5", "pdu2:1"));
}

TEST(OutletPlanTest, BareOutletMeansThatOutletOnEveryPdu) {
  Result<std::vector<Outlet>> r = Resolve("7");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Labels(*r), ::testing::ElementsAre("pdu1:7", "pdu2:7"));
}

TEST(OutletPlanTest, NamesResolveWithOneLookupPerPdu) {
  int lookups = 0;
  Result<std::vector<Outlet>> r = Resolve("pdu1:web1,pdu1:spare,pdu2:web1", &lookups);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Labels(*r), ::testing::ElementsAre("pdu1:1", "pdu1:4", "pdu2:1"));
  EXPECT_EQ(lookups, 2);
}

TEST(OutletPlanTest, NumbersNeedNoLookup) {
  int lookups = 0;
  ASSERT_TRUE(Resolve("pdu1:3,pdu2:3", &lookups).ok());
  EXPECT_EQ(lookups, 0);
}

TEST(OutletPlanTest, AmbiguousNameIsAnErrorNotAGuess) {
  Result<std::vector<Outlet>> r = Resolve("pdu1:db1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidConfig);
  EXPECT_THAT(r.status().message(), HasSubstr("ambiguous on pdu1: outlets 2, 3"));
}

TEST(OutletPlanTest, UnknownNameIsNotFound) {
  Result<std::vector<Outlet>> r = Resolve("pdu2:mail");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("no outlet named mail on pdu2"));
}

TEST(OutletPlanTest, DuplicatesCollapse) {
  Result<std::vector<Outlet>> r = Resolve("pdu1:1,pdu1:web1,pdu1:1");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Labels(*r), ::testing::ElementsAre("pdu1:1"));
}

TEST(OutletPlanTest, BadPlugsAreRejected) {
  EXPECT_THAT(Resolve("pdu3:1").status().message(), HasSubstr("unknown PDU pdu3"));
  EXPECT_THAT(Resolve("1:5").status().message(), HasSubstr("unknown PDU 1"));
  EXPECT_EQ(Resolve("").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(Resolve("pdu1:").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(Resolve("1\n2").status().code(), Code::kInvalidConfig);
}

TEST(OutletPlanTest, UnitDotOutletForMasterSwitchPlus) {
  Result<std::vector<PlugRef>> refs = ParsePlugs("2.5", {"a"});
  ASSERT_TRUE(refs.ok());
  Result<std::vector<Outlet>> r = ResolvePlugs(
      *refs, 1, [](size_t) { return true; },
      [](size_t) -> Result<std::vector<NamedOutlet>> { return std::vector<NamedOutlet>{}; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].id, (OutletId{2, 5}));
  EXPECT_EQ((*r)[0].label, "2.5");
}

}  // namespace
}  // namespace san::fence
