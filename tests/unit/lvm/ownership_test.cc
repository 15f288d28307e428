// Ownership by owner tag or system ID on captured VG reports, and the exact lvm argv vectors.
#include "libsan/lvm/ownership.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_data.h"

namespace san::lvm {
namespace {

using ::testing::ElementsAre;
using Argv = std::vector<std::string>;

VgInfo Vg(const std::string& file) { return (*ParseVgs(testing::ReadTestData("lvm/" + file)))[0]; }

OwnerConfig Tag(const std::string& node) {
  OwnerConfig c;
  c.node = node;
  return c;
}

OwnerConfig SystemId(const std::string& id) {
  OwnerConfig c;
  c.method = OwnerMethod::kSystemId;
  c.node = id;
  c.system_id = id;
  return c;
}

TEST(OwnershipTest, OnlyOwnerTagsAreClaims) {
  EXPECT_EQ(OwnerOf(Vg("host_vgs_plain.json"), Tag("sp1")).kind, Owner::Kind::kNobody);
  EXPECT_EQ(OwnerOf(Vg("host_vgs_backup_only.json"), Tag("sp1")).kind, Owner::Kind::kNobody);
  EXPECT_EQ(OwnerOf(Vg("host_vgs_tag_sp1_backup.json"), Tag("sp1")).kind, Owner::Kind::kUs);
  Owner other = OwnerOf(Vg("host_vgs_tag_sp1_backup.json"), Tag("sp2"));
  EXPECT_EQ(other.kind, Owner::Kind::kOther);
  EXPECT_THAT(other.others, ElementsAre("sp1"));
  EXPECT_THAT(other.other_tags, ElementsAre("pacemaker_sp1"));
  // Both claims at once: never "ours".
  Owner both = OwnerOf(Vg("host_vgs_tag_both.json"), Tag("sp1"));
  EXPECT_EQ(both.kind, Owner::Kind::kOther);
  EXPECT_THAT(both.others, ElementsAre("sp2"));
  // Another prefix sees no claim in pacemaker_* tags.
  OwnerConfig sanha = Tag("sp1");
  sanha.tag_prefix = "sanha";
  EXPECT_EQ(OwnerOf(Vg("host_vgs_tag_sp1.json"), sanha).kind, Owner::Kind::kNobody);
}

TEST(OwnershipTest, SystemIds) {
  EXPECT_EQ(OwnerOf(Vg("host_vgs_plain.json"), SystemId("sp1")).kind, Owner::Kind::kNobody);
  EXPECT_EQ(OwnerOf(Vg("host_vgs_sysid_sp1.json"), SystemId("sp1")).kind, Owner::Kind::kUs);
  Owner o = OwnerOf(Vg("host_vgs_sysid_sp2.json"), SystemId("sp1"));
  EXPECT_EQ(o.kind, Owner::Kind::kOther);
  EXPECT_THAT(o.others, ElementsAre("sp2"));
  // Tags mean nothing to the system_id method.
  EXPECT_EQ(OwnerOf(Vg("host_vgs_tag_sp1.json"), SystemId("sp2")).kind, Owner::Kind::kNobody);
}

TEST(OwnershipTest, TakeoverArgvRemovesEachForeignClaimByName) {
  OwnerConfig me = Tag("sp2");
  Owner o = OwnerOf(Vg("host_vgs_tag_sp1_backup.json"), me);
  EXPECT_THAT(TakeOwnershipArgv(me, "vgc", o),
              ElementsAre(Argv{"lvm", "vgchange", "--deltag", "pacemaker_sp1", "vgc"},
                          Argv{"lvm", "vgchange", "--addtag", "pacemaker_sp2", "vgc"}));
  EXPECT_TRUE(
      TakeOwnershipArgv(me, "vgc", OwnerOf(Vg("host_vgs_tag_sp1.json"), Tag("sp1"))).empty());
  OwnerConfig id = SystemId("sp1");
  EXPECT_THAT(TakeOwnershipArgv(id, "vgc", OwnerOf(Vg("host_vgs_sysid_sp2.json"), id)),
              ElementsAre(Argv{"lvm", "vgchange", "-y", "--config",
                               "local/extra_system_ids=[\"sp2\"]", "--systemid", "sp1", "vgc"}));
  EXPECT_THAT(TakeOwnershipArgv(id, "vgc", OwnerOf(Vg("host_vgs_plain.json"), id)),
              ElementsAre(Argv{"lvm", "vgchange", "--systemid", "sp1", "vgc"}));
  EXPECT_EQ(DropOwnershipArgv(me, "vgc"),
            (Argv{"lvm", "vgchange", "--deltag", "pacemaker_sp2", "vgc"}));
  EXPECT_EQ(DropOwnershipArgv(id, "vgc"), (Argv{"lvm", "vgchange", "-y", "--systemid", "", "vgc"}));
}

TEST(OwnershipTest, ActivationArgv) {
  EXPECT_EQ(ActivateArgv(Tag("sp1"), "vgc", true, false, true),
            (Argv{"lvm", "vgchange", "-aey", "--activationmode", "complete", "--config",
                  "activation/volume_list=[\"@pacemaker_sp1\"]", "vgc"}));
  EXPECT_EQ(ActivateArgv(Tag("sp1"), "vgc", false, true, false),
            (Argv{"lvm", "vgchange", "-ay", "--activationmode", "partial", "vgc"}));
  EXPECT_EQ(ActivateArgv(SystemId("sp1"), "vgc", true, false, true),
            (Argv{"lvm", "vgchange", "-aey", "--activationmode", "complete", "vgc"}));
}

TEST(OwnershipTest, TagsAndMethods) {
  EXPECT_TRUE(CheckTag("pacemaker_sp1.example.com", "t").ok());
  for (const char* bad : {"", "a b", "-x", "a;b", "$(id)", "é"}) {
    EXPECT_EQ(CheckTag(bad, "t").code(), Code::kInvalidConfig) << bad;
  }
  EXPECT_EQ(*ParseOwnerMethod("tag"), OwnerMethod::kTag);
  EXPECT_EQ(*ParseOwnerMethod("system_id"), OwnerMethod::kSystemId);
  EXPECT_FALSE(ParseOwnerMethod("clvm").ok());
}

}  // namespace
}  // namespace san::lvm
