// Command-line rules: the original's four invocations select their modes, the additions are
// accepted only where they mean something, numbers are strict, hostile values are refused.
#include "libsan/blockcopy/ddless_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace san::blockcopy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

DdlessArgs CopyArgs() {
  DdlessArgs a;
  a.source = "/dev/vg0/snap";
  a.checksum = "/var/lib/ddless/x.ck";
  a.target = "/dev/vg1/copy";
  return a;
}

std::string Refusal(const DdlessArgs& a) {
  Result<DdlessConfig> c = ResolveArgs(a);
  EXPECT_EQ(c.status().code(), Code::kInvalidConfig);
  return c.status().message();
}

TEST(DdlessConfigTest, TheOriginalInvocationsSelectTheirModes) {
  DdlessArgs a = CopyArgs();
  a.direct = true;
  a.rate = "40";
  a.bail = true;
  a.max_gb = "50";
  a.command = "lvextend -L +60G vg1/snap";
  a.verbosity = 2;
  Result<DdlessConfig> c = ResolveArgs(a);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->mode, Mode::kCopy);
  EXPECT_TRUE(c->direct);
  EXPECT_TRUE(c->bail);
  EXPECT_EQ(c->verbosity, 2);
  EXPECT_DOUBLE_EQ(c->engine.read_rate, 40.0 * (1 << 20));
  EXPECT_EQ(c->engine.write_limit, 50ull << 30);
  EXPECT_THAT(c->command, ElementsAre("lvextend", "-L", "+60G", "vg1/snap"));

  DdlessArgs only;
  only.source = "/dev/sdb";
  only.checksum = "sdb.ck";
  EXPECT_EQ(ResolveArgs(only)->mode, Mode::kChecksumOnly);
  only.checksum.reset();
  EXPECT_EQ(ResolveArgs(only)->mode, Mode::kSpeedZones);
  DdlessArgs p;
  p.parameters = true;
  EXPECT_EQ(ResolveArgs(p)->mode, Mode::kParameters);
  DdlessArgs v;
  v.verify = true;
  v.checksum = "x.ck";
  v.target = "/dev/vg1/copy";
  EXPECT_EQ(ResolveArgs(v)->mode, Mode::kVerify);
}

TEST(DdlessConfigTest, MissingPartsAreNamed) {
  EXPECT_THAT(Refusal(DdlessArgs{}), HasSubstr("nothing to do"));
  DdlessArgs a = CopyArgs();
  a.checksum.reset();
  EXPECT_THAT(Refusal(a), HasSubstr("-t needs -c CHECKSUM"));
  a = CopyArgs();
  a.source.reset();
  EXPECT_THAT(Refusal(a), HasSubstr("-t needs -s SOURCE"));
  a = CopyArgs();
  a.command = "true";
  EXPECT_THAT(Refusal(a), HasSubstr("give -m GB"));
  DdlessArgs v;
  v.verify = true;
  v.target = "/dev/x";
  EXPECT_THAT(Refusal(v), HasSubstr("--verify needs -c CHECKSUM and -t TARGET"));
}

TEST(DdlessConfigTest, OptionsOutsideTheirModeAreRefused) {
  DdlessArgs a;
  a.source = "/dev/sdb";
  a.max_gb = "1";
  EXPECT_THAT(Refusal(a), HasSubstr("-m does not apply to read-speed zones"));
  a.max_gb.reset();
  a.rate = "10";
  EXPECT_THAT(Refusal(a), HasSubstr("-r does not apply"));
  a.rate.reset();
  a.checksum = "x.ck";
  a.sparse = true;
  EXPECT_THAT(Refusal(a), HasSubstr("--sparse does not apply to checksum-only"));
  DdlessArgs p;
  p.parameters = true;
  p.verbosity = 0;
  p.json = true;
  EXPECT_THAT(Refusal(p), HasSubstr("-p prints the parameters"));
  DdlessArgs v = CopyArgs();
  v.verify = true;
  EXPECT_THAT(Refusal(v), HasSubstr("-s does not apply to --verify"));
  v.source.reset();
  v.bail = true;
  EXPECT_THAT(Refusal(v), HasSubstr("-b does not apply"));
}

TEST(DdlessConfigTest, NumbersAreStrict) {
  for (const char* bad : {"", "-5", "0", "0.0", "1e3", "0x10", " 5", "5 ", "inf", "nan", "5.", ".5",
                          "1,5", "99999999999999999999999999"}) {
    DdlessArgs a = CopyArgs();
    a.rate = bad;
    EXPECT_THAT(Refusal(a), HasSubstr("-r")) << bad;
    a = CopyArgs();
    a.max_gb = bad;
    EXPECT_THAT(Refusal(a), HasSubstr("-m")) << bad;
  }
  DdlessArgs a = CopyArgs();
  a.max_gb = "0.001";
  EXPECT_EQ(ResolveArgs(a)->engine.write_limit, static_cast<uint64_t>(0.001 * (1 << 30)));
  a.rate = "0.5";
  EXPECT_DOUBLE_EQ(ResolveArgs(a)->engine.read_rate, 0.5 * (1 << 20));
}

TEST(DdlessConfigTest, HostilePathsAreRefused) {
  DdlessArgs a = CopyArgs();
  a.target = "/dev/x\n/dev/y";
  EXPECT_THAT(Refusal(a), HasSubstr("control characters"));
  a = CopyArgs();
  a.source = "";
  EXPECT_THAT(Refusal(a), HasSubstr("-s needs a path"));
  a = CopyArgs();
  a.target = a.source;
  EXPECT_THAT(Refusal(a), HasSubstr("same path"));
  a = CopyArgs();
  a.checksum = a.target;
  EXPECT_THAT(Refusal(a), HasSubstr("file of its own"));
  a = CopyArgs();
  a.checksum = std::string(2000, 'a');
  EXPECT_THAT(Refusal(a), HasSubstr("too long"));
}

TEST(DdlessConfigTest, AdditionsAreParsed) {
  DdlessArgs a = CopyArgs();
  a.hash = "xxh3";
  a.sparse = a.restart = a.json = true;
  a.readers = "8";
  a.read_kib = "4096";
  a.commit_mib = "64";
  Result<DdlessConfig> c = ResolveArgs(a);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->hash, HashKind::kXxh3);
  EXPECT_TRUE(c->engine.punch_zeros);
  EXPECT_TRUE(c->engine.restart);
  EXPECT_TRUE(c->json);
  EXPECT_EQ(c->engine.readers, 8);
  EXPECT_EQ(c->engine.chunk_size, 4u << 20);
  EXPECT_EQ(c->engine.commit_window, 64u << 20);
  a.hash = "md5";
  EXPECT_THAT(Refusal(a), HasSubstr("unknown hash"));
  a.hash.reset();
  a.readers = "0";
  EXPECT_THAT(Refusal(a), HasSubstr("--readers"));
  a.readers.reset();
  a.read_kib = "100";
  EXPECT_THAT(Refusal(a), HasSubstr("multiple of 16"));
}

TEST(DdlessConfigTest, SpotCheckCountOnlyForACopy) {
  DdlessArgs a = CopyArgs();
  EXPECT_EQ(ResolveArgs(a)->spot_checks, kDefaultSpotChecks);
  a.spot_check = "0";
  EXPECT_EQ(ResolveArgs(a)->spot_checks, 0u);
  a.spot_check = "64";
  EXPECT_EQ(ResolveArgs(a)->spot_checks, 64u);
  for (const char* bad : {"-1", "", "8k", "2000000"}) {
    a.spot_check = bad;
    EXPECT_THAT(Refusal(a), HasSubstr("--spot-check")) << bad;
  }
  DdlessArgs v;
  v.checksum = "x.ck";
  v.target = "/dev/sdb";
  v.verify = true;
  v.spot_check = "8";
  EXPECT_THAT(Refusal(v), HasSubstr("--spot-check does not apply to --verify"));
}

TEST(DdlessConfigTest, DeadlineOnlyForACopyAndStrictlyParsed) {
  DdlessArgs a = CopyArgs();
  EXPECT_FALSE(ResolveArgs(a)->deadline.has_value());
  a.deadline = "3000";
  EXPECT_EQ(ResolveArgs(a)->deadline, std::chrono::milliseconds(3'000'000));
  a.deadline = "0.25";
  EXPECT_EQ(ResolveArgs(a)->deadline, std::chrono::milliseconds(250));
  for (const char* bad : {"", "0", "-1", "1e3", "10s", " 5", "0.0001", "inf", "999999999999"}) {
    a.deadline = bad;
    EXPECT_THAT(Refusal(a), HasSubstr("--deadline")) << bad;
  }
  DdlessArgs c;
  c.source = "/dev/sdb";
  c.checksum = "x.ck";
  c.deadline = "60";
  EXPECT_THAT(Refusal(c), HasSubstr("--deadline does not apply to checksum-only"));
  DdlessArgs p;
  p.parameters = true;
  p.deadline = "60";
  EXPECT_THAT(Refusal(p), HasSubstr("-p prints the parameters"));
}

TEST(DdlessConfigTest, ModeNames) {
  EXPECT_EQ(ModeName(Mode::kCopy), "copy");
  EXPECT_EQ(ModeName(Mode::kVerify), "verify");
  EXPECT_EQ(ModeName(Mode::kSpeedZones), "zones");
}

}  // namespace
}  // namespace san::blockcopy
