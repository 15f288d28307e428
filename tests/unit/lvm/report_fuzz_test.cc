// Findings of the lvm report fuzz target (tests/fuzz/lvm_report_fuzz.cc).
#include <gtest/gtest.h>

#include <string>

#include "libsan/lvm/report.h"

namespace san::lvm {
namespace {

// strtod reads "nan"; NaN compares false with both bounds, so "v < 0 || v > 100" let it through
// and SnapshotUsedBytes() then converted NaN to an integer (undefined behaviour).
TEST(ReportFuzzTest, SnapPercentNotANumberIsRefused) {
  for (const char* p : {"nan", "NaN", "-nan", "nan(0x1)", "inf", "-0.5", "1e3"}) {
    std::string json = std::string(R"({"report":[{"lv":[{"lv_name":"s","vg_name":"v",)") +
                       R"("lv_attr":"swi-a-s---","lv_size":"100","origin":"o","snap_percent":")" +
                       p + R"(","lv_role":"public,snapshot"}]}]})";
    Result<std::vector<LvInfo>> r = ParseLvs(json);
    EXPECT_EQ(r.status().code(), Code::kCorruption) << p;
  }
}

}  // namespace
}  // namespace san::lvm
