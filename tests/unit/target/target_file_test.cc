// The target file parser: the shipped example, every statement, and errors naming file and line
// for bad, duplicate and hostile values.
#include "libsan/target/target_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
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

// Every character a shell, tgt-admin's Config::General reader or tgtadm's --params lists give a
// meaning to is refused where a value can stand, with file and line; a CHAP line never shows it.
TEST(TargetFileTest, OneCharacterClassForEveryValue) {
  const std::string specials = "#&|<>*?~!(){}[]^\"'`\\$; ";
  int cases = 0;
  for (char c : specials) {
    const std::string ch(1, c);
    const std::string secret = "abcdef" + ch + "ghijklm";
    std::string e = Error("target iqn.2024-01.t:a\n incoming-user u " + secret + "\n");
    if (c == ' ') {
      EXPECT_THAT(e, HasSubstr("t.conf:2: incoming-user: expected USER SECRET"));
    } else if (c == '#') {
      // "abcdef#ghijklm": '#' inside a word is no comment, and no secret character either.
      EXPECT_THAT(e, HasSubstr("t.conf:2: a character outside letters"));
    } else {
      EXPECT_THAT(e, HasSubstr("t.conf:2: a character outside letters")) << ch;
    }
    EXPECT_THAT(e, ::testing::Not(HasSubstr(secret))) << ch;
    ++cases;
    if (c == ' ') continue;
    EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /dev/vg" + ch + "x\n"),
                HasSubstr("t.conf:2: character '"))
        << ch;
    EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /dev/x scsi_id=a" + ch + "b\n"),
                HasSubstr("t.conf:2:"))
        << ch;
    cases += 2;
  }
  // Allowed: the whole class, in a secret and (without ',' and '=') in a path.
  Result<TargetConfig> ok = ParseTargetFile(
      "target iqn.2024-01.t:a\n incoming-user u.s@x:y a%b+c=d,e:f@g/h.i_j-k\n"
      " lun 1 /srv/a%b+c@d:e_f-g.img\n",
      "t.conf");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->targets[0].incoming[0].secret, "a%b+c=d,e:f@g/h.i_j-k");
  EXPECT_EQ(ok->targets[0].luns[0].path, "/srv/a%b+c@d:e_f-g.img");
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /srv/a=b\n"), HasSubstr("',' or '='"));
  std::cout << "hostile target-file values: " << cases << " cases\n";
}

// Uniqueness is checked on parsed values: "7" and "07" are one tid.
TEST(TargetFileTest, TidsAreComparedAsNumbers) {
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n tid 7\ntarget iqn.2024-01.t:b\n tid 07\n"),
              HasSubstr("t.conf:4: tid '7' already used by iqn.2024-01.t:a (line 2)"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n lun 1 /a\n lun 01 /b\n"),
              HasSubstr("t.conf:3: lun 01 already defined for this target (line 2)"));
  EXPECT_THAT(Error("target iqn.2024-01.t:a\n allow-address 192.0.2.1 192.0.2.1/32\n"),
              HasSubstr("listed twice"));
}

TEST(TargetFileTest, AFileWithoutTargetsNeedsTheMarker) {
  EXPECT_THAT(Error(""), HasSubstr("t.conf: no target defined"));
  EXPECT_THAT(Error("# only a comment\niqn-prefix iqn.2024-01.t\n"), HasSubstr("no-targets yes"));
  Result<TargetConfig> none = ParseTargetFile("no-targets yes\n", "t.conf");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->targets.empty());
  EXPECT_THAT(Error("no-targets yes\ntarget iqn.2024-01.t:a\n"),
              HasSubstr("t.conf:1: 'no-targets yes' but the file defines 1 target(s)"));
  EXPECT_THAT(Error("no-targets no\n"), HasSubstr("expected 'no-targets yes'"));
}

// A FIFO, a device or a huge file is refused before any read; missing or a directory is "not
// installed" (OCF 5 for the agent).
TEST(TargetFileTest, OnlyABoundedRegularFileIsRead) {
  FakeHost host;
  FileInfo fifo;
  fifo.type = FileInfo::Type::kOther;
  host.SetSpecialFile("/etc/sanha/fifo", fifo);
  FileInfo zero;
  zero.type = FileInfo::Type::kCharDevice;
  host.SetSpecialFile("/dev/zero", zero);
  host.SetFile("/etc/sanha/huge", std::string(kMaxTargetFileBytes + 1, '#'));
  host.MakeDirectories("/etc/sanha/dir").IgnoreError();
  EXPECT_EQ(LoadTargetFile(host, "/etc/sanha/fifo").status().code(), Code::kInvalidConfig);
  EXPECT_EQ(LoadTargetFile(host, "/dev/zero").status().code(), Code::kInvalidConfig);
  Status huge = LoadTargetFile(host, "/etc/sanha/huge").status();
  EXPECT_EQ(huge.code(), Code::kInvalidConfig);
  EXPECT_THAT(huge.message(), HasSubstr("larger than 16777216 bytes"));
  EXPECT_EQ(LoadTargetFile(host, "/etc/sanha/missing").status().code(), Code::kNotInstalled);
  EXPECT_EQ(LoadTargetFile(host, "/etc/sanha/dir").status().code(), Code::kNotInstalled);
}

// One disk under two names becomes one refusal, not two LUNs with different serials.
TEST(TargetFileTest, TheSameDeviceUnderTwoPathsIsRefused) {
  FakeHost host;
  host.SetBlockDevice("/dev/vg/a", 1 << 20);
  host.SetBlockDevice("/dev/mapper/vg-a", 1 << 20);
  host.SetIdentity("/dev/vg/a", 5, 100, 0xfd00);
  host.SetIdentity("/dev/mapper/vg-a", 5, 200, 0xfd00);
  Result<TargetConfig> r = ParseTargetFile(
      "target iqn.2024-01.t:a\n lun 1 /dev/vg/a\ntarget iqn.2024-01.t:b\n lun 1 /dev/mapper/vg-a\n",
      "t.conf");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Status s = CheckBackingPaths(host, *r);
  EXPECT_EQ(s.code(), Code::kInvalidConfig);
  EXPECT_THAT(s.message(), HasSubstr("t.conf:4: lun 1: backing path /dev/mapper/vg-a is the same "
                                     "device as iqn.2024-01.t:a lun 1 (/dev/vg/a, line 2)"));
  // Hard links of one image file: same st_dev/st_ino.
  host.SetFile("/srv/a.img", "x");
  host.SetFile("/srv/b.img", "x");
  host.SetIdentity("/srv/a.img", 7, 42);
  host.SetIdentity("/srv/b.img", 7, 42);
  r = ParseTargetFile("target iqn.2024-01.t:a\n lun 1 /srv/a.img\n lun 2 /srv/b.img\n", "t.conf");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(CheckBackingPaths(host, *r).message(), HasSubstr("same device"));
  host.SetIdentity("/srv/b.img", 7, 43);
  EXPECT_TRUE(CheckBackingPaths(host, *r).ok());
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
