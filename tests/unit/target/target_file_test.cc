// The target file parser: the shipped example, every statement, and errors naming file and line
// for bad, duplicate and hostile values.
#include "libsan/target/target_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "libsan/host/fake_host.h"

namespace san::target {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Example() {
  std::ifstream in(std::string(SANHA_SOURCE_DIR) + "/ha-examples/targets.conf");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The error message of parsing `text`, "" when it parses.
std::string Error(const std::string& text) {
  Result<TargetConfig> r = ParseTargetFile(text, "t.conf");
  return r.ok() ? std::string() : r.status().message();
}

TEST(TargetFileTest, ParsesTheShippedExample) {
  Result<TargetConfig> r = ParseTargetFile(Example(), "targets.conf");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const TargetConfig& c = *r;
  ASSERT_EQ(c.targets.size(), 3u);
  ASSERT_EQ(c.discovery_incoming.size(), 1u);
  EXPECT_EQ(c.discovery_incoming[0].user, "discover");
  EXPECT_EQ(c.discovery_outgoing->user, "sp-mutual");
  const TargetSpec& vol0 = c.targets[0];
  EXPECT_EQ(vol0.name, "iqn.2008-01.edu.amherst:vol0");
  EXPECT_THAT(vol0.allow_addresses, ElementsAre("192.0.2.10", "192.0.2.11"));
  EXPECT_THAT(vol0.allow_initiators, ElementsAre("iqn.1991-05.com.microsoft:fileserver1"));
  EXPECT_EQ(vol0.options.at("MaxRecvDataSegmentLength"), "262144");
  ASSERT_EQ(vol0.luns.size(), 2u);
  EXPECT_EQ(vol0.luns[0].scsi_id, "AMHDSK-081101-01");
  EXPECT_EQ(vol0.luns[0].scsi_sn, "AMHDSK-081101-01");  // scsi_idsn sets both
  EXPECT_EQ(vol0.luns[0].vendor, "AMHERST");            // lun-defaults
  EXPECT_EQ(vol0.luns[0].mode, IoMode::kFileio);
  EXPECT_EQ(vol0.luns[1].mode, IoMode::kBlockio);
  const TargetSpec& vol1 = c.targets[1];
  EXPECT_TRUE(vol1.allow_addresses.empty());
  EXPECT_EQ(vol1.options.at("MaxRecvDataSegmentLength"), "65536");  // overrides the global
  EXPECT_EQ(vol1.options.at("MaxBurstLength"), "262144");
  EXPECT_TRUE(vol1.luns[0].readonly);
  EXPECT_EQ(vol1.luns[0].vendor, "ARCHIVE");
  const TargetSpec& legacy = c.targets[2];
  EXPECT_EQ(legacy.name, "iqn.2001-04.com.example:storage.legacy");
  EXPECT_EQ(legacy.tid, 7);
  EXPECT_THAT(legacy.allow_addresses, ElementsAre("198.51.100.0/24", "2001:db8:10::/48"));
}

TEST(TargetFileTest, CommentsBlanksAndLunOrder) {
  Result<TargetConfig> r =
      ParseTargetFile("# c\n\n  iqn-prefix iqn.2024-01.test   # prefix\ntarget a#b\n", "t.conf");
  ASSERT_FALSE(r.ok()) << "a#b is a word, not a comment";
  r = ParseTargetFile("iqn-prefix iqn.2024-01.test\r\ntarget a # x\n lun 3 /d/c\n lun 1 /d/a\n",
                      "t.conf");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->targets[0].luns.size(), 2u);
  EXPECT_EQ(r->targets[0].luns[0].number, 1);
  EXPECT_EQ(r->targets[0].name, "iqn.2024-01.test:a");
}

TEST(TargetFileTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(Error("iqn-prefix iqn.2024-01.test\ntarget a\n  bogus 1\n"),
            "t.conf:3: unknown keyword 'bogus'");
  EXPECT_EQ(Error("lun 1 /x\n"), "t.conf:1: lun before any target line");
  EXPECT_EQ(Error("target vol0\n"),
            "t.conf:1: target 'vol0' is a short name but no iqn-prefix was given before it");
  EXPECT_THAT(Error("target iqn.2024-01.test:a\ntarget iqn.2024-01.test:a\n"),
              HasSubstr("t.conf:2: target name 'iqn.2024-01.test:a' already used by a target "
                        "(line 1)"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a\n lun 1 /b\n"),
              HasSubstr("t.conf:3: lun 1 already defined for this target (line 2)"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a scsi_sn=S1\ntarget iqn.2024-01.t:b\n"
                    " lun 1 /b scsi_sn=S1\n"),
              HasSubstr("t.conf:4: scsi_sn 'S1' already used by iqn.2024-01.t:a lun 1 (line 2)"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a scsi_id=X\n lun 2 /b scsi_id=X\n"),
              HasSubstr("t.conf:3: scsi_id 'X' already used"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a\n lun 2 /a\n"),
              HasSubstr("t.conf:3: backing path '/a' already used"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n tid 3\ntarget iqn.2024-01.t:b\n tid 3\n"),
              HasSubstr("t.conf:4: tid '3' already used"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a scsi_idsn=X scsi_sn=Y\n"),
              HasSubstr("t.conf:2: lun 1: scsi_idsn cannot be combined"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 relative/path\n"),
              HasSubstr("t.conf:2: lun 1: path must be absolute"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a/../etc/shadow\n"),
              HasSubstr("not normalized"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a mode=raw\n"),
              HasSubstr("mode: 'raw' is neither fileio nor blockio"));
  EXPECT_THAT(Error("iqn-prefix iqn.2024-01.t\ntarget a\niqn-prefix iqn.2024-01.u\n"),
              HasSubstr("t.conf:3: iqn-prefix must come before the first target"));
}

TEST(TargetFileTest, InvalidNames) {
  EXPECT_THAT(Error("target iqn.2024-13.test:a\n"), HasSubstr("month must be 01..12"));
  EXPECT_THAT(Error("target iqn.24-01.test:a\n"), HasSubstr("expected iqn.YYYY-MM.domain"));
  EXPECT_THAT(Error("target iqn.2024-01.Test:a\n"), HasSubstr("only lower-case letters"));
  EXPECT_THAT(Error("target iqn.2024-01.test:\n"), HasSubstr("ends with ':'"));
  EXPECT_THAT(Error("target eui.12345\n"), HasSubstr("16 hex digits"));
  EXPECT_THAT(Error("target Vol0\n"), HasSubstr("neither an IQN/EUI nor a short name"));
  Result<TargetConfig> eui = ParseTargetFile("target eui.02004567a425678d\n", "t.conf");
  ASSERT_TRUE(eui.ok());
  EXPECT_EQ(eui->targets[0].name, "eui.02004567A425678D");
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n allow-initiator iqn.bad\n"),
              HasSubstr("t.conf:2: allow-initiator:"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n allow-address 10.0.0.1/8\n"),
              HasSubstr("t.conf:2: allow-address:"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n allow-address 192.0.2.1, 192.0.2.1\n"),
              HasSubstr("listed twice"));
}

TEST(TargetFileTest, SecretsAreCheckedAndNeverEchoed) {
  const std::string shorty = "target iqn.2024-01.t:a\n incoming-user u sh0rtsecret\n";
  EXPECT_EQ(Error(shorty), "t.conf:2: CHAP secret of 'u' is shorter than 12 characters");
  const std::string longer(65, 'x');
  std::string e = Error("incoming-user u " + longer + "\n");
  EXPECT_THAT(e, HasSubstr("longer than 64"));
  EXPECT_THAT(e, ::testing::Not(HasSubstr(longer)));
  EXPECT_THAT(Error("incoming-user u twelve-chars-1\ntarget iqn.2024-01.t:a\n"
                    " incoming-user u other-secret-2\n"),
              HasSubstr("t.conf:3: CHAP user 'u' already has a different secret (line 1)"));
  EXPECT_THAT(Error("outgoing-user a twelve-chars-1\noutgoing-user b twelve-chars-2\n"),
              HasSubstr("at most one"));
  Result<TargetConfig> same = ParseTargetFile(
      "incoming-user u twelve-chars-1\ntarget iqn.2024-01.t:a\n incoming-user u twelve-chars-1\n",
      "t.conf");
  EXPECT_TRUE(same.ok()) << "the same secret twice is fine";
}

TEST(TargetFileTest, HostileValuesAreRefused) {
  for (const std::string& bad : std::vector<std::string>{
           "target iqn.2024-01.t:a\n lun 1 /a scsi_id=$(reboot)\n",
           "target iqn.2024-01.t:a\n lun 1 /a;reboot\n",
           "target iqn.2024-01.t:a\n lun 1 /a scsi_sn=`id`\n",
           "target iqn.2024-01.t:a\n lun 1 /a vendor=\"X\"\n",
           "target iqn.2024-01.t:a\n lun 1 /a scsi_id=a,readonly=0\n",
           "target iqn.2024-01.t:a\n lun 1 /a scsi_id=a=b\n",
           "target iqn.2024-01.t:a\n lun 1 /a,b\n",
           "target iqn.2024-01.t:a\n lun 1 /a\x1b[2J\n",
           "target iqn.2024-01.t:a\n option MaxBurstLength 1,2\n",
           "target iqn.2024-01.t:a\n option Max-Burst 1\n",
           "target iqn.2024-01.t:a\n lun 1 /a vendor=TOOLONGVENDOR\n",
           "target iqn.2024-01.t:a\n lun 1 /a scsi_id=" + std::string(37, 'a') + "\n",
           "target iqn.2024-01.t:a.*\n",
           "target iqn.2024-01.t:a\n incoming-user bad\\user secret-secret-1\n",
           "target iqn.2024-01.t:a\n lun 99999 /a\n",
           "target iqn.2024-01.t:a\n tid 0\n",
       }) {
    EXPECT_THAT(Error(bad), HasSubstr("t.conf:")) << bad;
  }
}

TEST(TargetFileTest, BackingPathsMustExist) {
  FakeHost host;
  host.SetBlockDevice("/dev/vg/a", 1 << 20);
  Result<TargetConfig> r =
      ParseTargetFile("target iqn.2024-01.t:a\n lun 1 /dev/vg/a\n lun 2 /dev/vg/b\n", "t.conf");
  ASSERT_TRUE(r.ok());
  Status s = CheckBackingPaths(host, *r);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "t.conf:3: lun 2: backing path /dev/vg/b does not exist");
  host.SetBlockDevice("/dev/vg/b", 1 << 20);
  EXPECT_TRUE(CheckBackingPaths(host, *r).ok());
}

}  // namespace
}  // namespace san::target
