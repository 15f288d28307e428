// RunDdless end to end on in-memory devices and FakeHost: exit codes 0/1/2/3, what is (not)
// touched before a refusal, the exact -i command run, --json, verify, zones and -p.
#include "libsan/blockcopy/ddless_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "libsan/blockcopy/fake_faulty_device.h"
#include "libsan/blockcopy/fake_memory_device.h"
#include "tests/support/test_data.h"
#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Argv = std::vector<std::string>;
constexpr uint64_t kSize = 2 << 20;

class DdlessRunnerTest : public ::testing::Test {
 protected:
  DdlessRunnerTest() {
    src_ = &opener_.Add("/dev/src", kSize);
    dst_ = &opener_.Add("/dev/dst", kSize);
    src_->SetContents(testing::RandomBytes(kSize, 11));
  }

  DdlessArgs Copy() {
    DdlessArgs a;
    a.source = "/dev/src";
    a.checksum = "/ck";
    a.target = "/dev/dst";
    return a;
  }

  ExitCode Run(const DdlessArgs& args) {
    Result<DdlessConfig> c = ResolveArgs(args);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    c->engine.chunk_size = 64 << 10;
    c->engine.commit_window = 256 << 10;
    out_.str("");
    DdlessEnv env{host_,
                  opener_,
                  log_,
                  out_,
                  nullptr,
                  [] { return uint64_t{5}; },
                  [](const std::string& p) { return p; },
                  stop_};
    return RunDdless(*c, env);
  }

  bool Same() { return dst_->Contents().substr(0, kSize) == src_->Contents(); }

  MemoryOpener opener_;
  MemoryDevice* src_;
  MemoryDevice* dst_;
  FakeHost host_;
  MemoryLogger log_;
  std::ostringstream out_;
  const std::atomic<bool>* stop_ = nullptr;
};

TEST_F(DdlessRunnerTest, FirstCopyCreatesTheChecksumFileUnderItsNameAtomically) {
  DdlessArgs a = Copy();
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_TRUE(Same());
  EXPECT_TRUE(opener_.Exists("/ck"));
  EXPECT_FALSE(opener_.Exists("/ck.ddless-new"));
  EXPECT_THAT(out_.str(), HasSubstr("\"mode\":\"copy\",\"checksum_created\":true"));
  EXPECT_THAT(out_.str(), HasSubstr("\"bytes_written\":2097152"));
  EXPECT_THAT(out_.str(), HasSubstr("\"status\":\"ok\",\"exit_code\":0}"));
  // Second run: nothing to write.
  dst_->ResetCounters();
  EXPECT_EQ(Run(Copy()), ExitCode::kOk);
  EXPECT_EQ(dst_->counters().writes, 0u);
}

TEST_F(DdlessRunnerTest, BailWithoutAChecksumFileExits3AndTouchesNothing) {
  DdlessArgs a = Copy();
  a.bail = true;
  EXPECT_EQ(Run(a), ExitCode::kNewChecksumRequired);
  EXPECT_THAT(opener_.opened(), ElementsAre("/dev/src (ro)"));
  EXPECT_FALSE(opener_.Exists("/ck"));
  EXPECT_THAT(log_.Text(), HasSubstr("there is no checksum file /ck yet"));
}

TEST_F(DdlessRunnerTest, AFileForAnotherTargetIsRefusedOrBails) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  opener_.Add("/dev/other", kSize);
  DdlessArgs a = Copy();
  a.target = "/dev/other";
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("made for target /dev/dst, not /dev/other"));
  EXPECT_THAT(log_.Text(), HasSubstr("Remove it to start over"));
  a.bail = true;
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kNewChecksumRequired);
  EXPECT_THAT(out_.str(), HasSubstr("\"status\":\"new-checksum-required\",\"exit_code\":3"));
  EXPECT_EQ(opener_.Find("/dev/other")->counters().writes, 0u);
}

TEST_F(DdlessRunnerTest, AGrownSourceNeedsANewChecksumFile) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  opener_.Add("/dev/dst", 2 * kSize);
  src_ = &opener_.Add("/dev/src", 2 * kSize);
  DdlessArgs a = Copy();
  a.bail = true;
  EXPECT_EQ(Run(a), ExitCode::kNewChecksumRequired);
  EXPECT_THAT(log_.Text(), HasSubstr("(2 MiB), not /dev/src (4 MiB)"));
}

TEST_F(DdlessRunnerTest, AForeignFileIsNeverOverwritten) {
  MemoryDevice& passwd = opener_.Add("/ck", 0, DeviceInfo::Kind::kRegularFile);
  passwd.SetContents("root:x:0:0:root:/root:/bin/bash\n");
  DdlessArgs a = Copy();
  a.bail = true;  // even -b does not make ddless replace it
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("not a ddless checksum file"));
  EXPECT_THAT(log_.Text(), HasSubstr("refusing to overwrite it"));
  EXPECT_EQ(passwd.Contents(), "root:x:0:0:root:/root:/bin/bash\n");
}

TEST_F(DdlessRunnerTest, AnOriginalDdlessChecksumFileNeedsANewOne) {
  opener_.Add("/ck", (kSize / kSegmentSize) * 8, DeviceInfo::Kind::kRegularFile);
  DdlessArgs a = Copy();
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("checksum file of the original ddless"));
  a.bail = true;
  EXPECT_EQ(Run(a), ExitCode::kNewChecksumRequired);
}

TEST_F(DdlessRunnerTest, ADamagedChecksumFileIsAnError) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  MemoryDevice* ck = opener_.Find("/ck");
  ck->Poke(10, "x");
  ck->Poke(kHeaderSlotSize + 10, "x");
  DdlessArgs a = Copy();
  a.bail = true;
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("is damaged"));
}

TEST_F(DdlessRunnerTest, WriteLimitRunsTheCommandWithoutAShellThenExits2) {
  host_.Reply({"/usr/local/sbin/snap-target", "my data"}, "snapshot made\n");
  DdlessArgs a = Copy();
  a.max_gb = "0.0005";  // 512 KiB
  a.command = "/usr/local/sbin/snap-target 'my data'";
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kWriteLimit);
  EXPECT_THAT(host_.commands_run(), ElementsAre(Argv{"/usr/local/sbin/snap-target", "my data"}));
  EXPECT_THAT(host_.full_commands()[0].extra_env,
              ElementsAre("DDLESS_RESUME_OFFSET=524288", "DDLESS_BYTES_CHANGED=524288"));
  EXPECT_THAT(out_.str(), HasSubstr("\"resume_at\":524288"));
  EXPECT_THAT(out_.str(), HasSubstr("\"status\":\"write-limit\",\"exit_code\":2"));
  EXPECT_THAT(log_.Text(), HasSubstr("-i: snapshot made"));
  int stops = 1;
  while (Run(a) == ExitCode::kWriteLimit) ++stops;
  EXPECT_EQ(stops, 3);  // at 512 KiB, 1 MiB and 1.5 MiB; the fourth run finishes
  EXPECT_EQ(host_.commands_run().size(), 3u);
  EXPECT_TRUE(Same());
}

TEST_F(DdlessRunnerTest, AFailingCommandIsAnErrorButTheStateIsSaved) {
  host_.Reply({"snap"}, "", 5, "no space left in VG\n");
  DdlessArgs a = Copy();
  a.max_gb = "0.0005";
  a.command = "snap";
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("-i command snap exited 5: no space left in VG"));
  a.command.reset();
  a.max_gb.reset();
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_TRUE(Same());
}

TEST_F(DdlessRunnerTest, AMissingCommandIsAnError) {
  host_.ReplyStatus({"nosuch"}, Status::NotInstalled("nosuch: not found"));
  DdlessArgs a = Copy();
  a.max_gb = "0.0005";
  a.command = "nosuch";
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("-i command: nosuch: not found"));
}

TEST_F(DdlessRunnerTest, ASmallerBlockDeviceIsRefusedAFileIsExtended) {
  opener_.Add("/dev/dst", kSize / 2);
  EXPECT_EQ(Run(Copy()), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("is smaller than the source"));
  MemoryDevice& file = opener_.Add("/img", 4096, DeviceInfo::Kind::kRegularFile);
  DdlessArgs a = Copy();
  a.target = "/img";
  a.checksum = "/img.ck";
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_EQ(file.size(), kSize);
  EXPECT_EQ(file.Contents(), src_->Contents());
}

TEST_F(DdlessRunnerTest, ARefusedCopyRemovesWhatItCreated) {
  opener_.SetWrapper("/ck.ddless-new", [](BlockDevice& d) {
    FaultPlan plan;
    plan.eio_write_at = 0;  // the header cannot be written
    return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, plan));
  });
  DdlessArgs a = Copy();
  a.target = "/new.img";
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("Input/output error"));
  EXPECT_FALSE(opener_.Exists("/new.img"));
  EXPECT_FALSE(opener_.Exists("/ck.ddless-new"));
  EXPECT_FALSE(opener_.Exists("/ck"));
}

TEST_F(DdlessRunnerTest, ChecksumOnlyOfTheTargetThenACopyWritesOnlyDifferences) {
  dst_->SetContents(src_->Contents());
  src_->Poke(100000, "changed");
  DdlessArgs only;
  only.source = "/dev/dst";
  only.checksum = "/ck";
  EXPECT_EQ(Run(only), ExitCode::kOk);
  dst_->ResetCounters();
  EXPECT_EQ(Run(Copy()), ExitCode::kOk);
  EXPECT_EQ(dst_->counters().bytes_written, kSegmentSize);
  EXPECT_TRUE(Same());
  // The file now belongs to the pair; checksum-only on the source would replace it: refused.
  only.source = "/dev/src";
  EXPECT_EQ(Run(only), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("belongs to the copy from /dev/src to /dev/dst"));
}

TEST_F(DdlessRunnerTest, VerifyFindsDifferences) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  DdlessArgs v;
  v.verify = true;
  v.checksum = "/ck";
  v.target = "/dev/dst";
  v.json = true;
  EXPECT_EQ(Run(v), ExitCode::kOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"segments_checked\":128,\"segments_differing\":0"));
  dst_->Poke(5 * kSegmentSize + 7, "!");
  EXPECT_EQ(Run(v), ExitCode::kError);
  EXPECT_THAT(out_.str(), HasSubstr("\"first_differences\":[81920]"));
  EXPECT_THAT(log_.Text(), HasSubstr("1 of 128 segments of /dev/dst differ"));
}

TEST_F(DdlessRunnerTest, VerifyOfAnIncompleteCopyFails) {
  DdlessArgs a = Copy();
  a.max_gb = "0.0005";
  EXPECT_EQ(Run(a), ExitCode::kWriteLimit);
  DdlessArgs v;
  v.verify = true;
  v.checksum = "/ck";
  v.target = "/dev/dst";
  EXPECT_EQ(Run(v), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("could not be verified: /ck is partial"));
}

TEST_F(DdlessRunnerTest, SpeedZonesPrintATable) {
  DdlessArgs z;
  z.source = "/dev/src";
  EXPECT_EQ(Run(z), ExitCode::kOk);
  EXPECT_THAT(out_.str(), HasSubstr("offset       length       MB/s"));
  EXPECT_THAT(out_.str(), HasSubstr(" 2097152 "));
  z.json = true;
  EXPECT_EQ(Run(z), ExitCode::kOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"zones\":[{\"offset\":0,\"length\":2097152"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("MB/s")));
}

TEST_F(DdlessRunnerTest, ParametersAreListed) {
  DdlessArgs p;
  p.parameters = true;
  EXPECT_EQ(Run(p), ExitCode::kOk);
  EXPECT_THAT(out_.str(), HasSubstr("segment_size: 16384\n"));
  EXPECT_THAT(out_.str(), HasSubstr("hash: xxh128"));
}

TEST_F(DdlessRunnerTest, ErrorsAlsoProduceJson) {
  DdlessArgs a = Copy();
  a.source = "/dev/missing";
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(out_.str(), HasSubstr("\"status\":\"error\",\"exit_code\":1,\"message\":\"open "
                                    "/dev/missing"));
}

TEST_F(DdlessRunnerTest, AnEmptySourceIsRefused) {
  opener_.Add("/dev/empty", 0);
  DdlessArgs a = Copy();
  a.source = "/dev/empty";
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("/dev/empty is empty"));
}

// --- the checksum file is bound to its target ---------------------------------------------------

class DdlessIdentityTest : public DdlessRunnerTest {
 protected:
  DdlessArgs ToFile() {
    DdlessArgs a = Copy();
    a.target = "/img";
    return a;
  }
  // -b must exit 3 and leave `target` as it was; then a plain run starts over and copies all.
  void ExpectDistrustedThenRecopied(const DdlessArgs& args, const std::string& why) {
    DdlessArgs bail = args;
    bail.bail = true;
    MemoryDevice* before = opener_.Find(*args.target);
    std::string content = before ? before->Contents() : "";
    EXPECT_EQ(Run(bail), ExitCode::kNewChecksumRequired);
    EXPECT_THAT(log_.Text(), HasSubstr(why));
    EXPECT_THAT(log_.Text(), HasSubstr("a new checksum file is required"));
    MemoryDevice* after = opener_.Find(*args.target);
    EXPECT_EQ(after != nullptr, before != nullptr);
    if (after) {
      EXPECT_EQ(after->Contents(), content);
    }
    DdlessArgs plain = args;
    plain.json = true;
    EXPECT_EQ(Run(plain), ExitCode::kOk);
    EXPECT_THAT(log_.Text(), HasSubstr("starting over with a new checksum file (full copy)"));
    EXPECT_THAT(out_.str(), HasSubstr("\"started_over\":true"));
    EXPECT_THAT(out_.str(), HasSubstr("\"bytes_written\":2097152"));
    ASSERT_NE(opener_.Find(*args.target), nullptr);
    EXPECT_EQ(opener_.Find(*args.target)->Contents().substr(0, kSize), src_->Contents());
    DdlessArgs again = args;
    again.json = true;
    EXPECT_EQ(Run(again), ExitCode::kOk);  // and the new file is trusted again
    EXPECT_THAT(out_.str(), HasSubstr("\"bytes_written\":0"));
  }
};

TEST_F(DdlessIdentityTest, AReCreatedTargetFileIsNotTrusted) {
  opener_.Add("/img", 0, DeviceInfo::Kind::kRegularFile);
  ASSERT_EQ(Run(ToFile()), ExitCode::kOk);
  opener_.Add("/img", kSize, DeviceInfo::Kind::kRegularFile);  // rm; truncate -s 2M: zeros
  ExpectDistrustedThenRecopied(ToFile(), "the target /img was deleted and re-created");
}

TEST_F(DdlessIdentityTest, AMissingTargetIsNotCreatedUnderAnOldChecksumFile) {
  ASSERT_EQ(Run(ToFile()), ExitCode::kOk);
  ASSERT_TRUE(opener_.Remove("/img").ok());
  ExpectDistrustedThenRecopied(ToFile(), "the target /img does not exist (ddless would create it)");
}

TEST_F(DdlessIdentityTest, ATruncatedTargetIsNotExtendedUnderAnOldChecksumFile) {
  ASSERT_EQ(Run(ToFile()), ExitCode::kOk);
  ASSERT_TRUE(opener_.Find("/img")->Resize(4096).ok());
  ExpectDistrustedThenRecopied(ToFile(), "changed size (2 MiB -> 4 KiB)");
}

TEST_F(DdlessIdentityTest, ATargetFileModifiedOutsideDdlessIsNotTrusted) {
  ASSERT_EQ(Run(ToFile()), ExitCode::kOk);
  opener_.Find("/img")->Poke(3 * kSegmentSize, "foreign");
  ExpectDistrustedThenRecopied(ToFile(), "was modified since ddless last wrote it");
}

TEST_F(DdlessIdentityTest, AReCreatedLvHasANewUuid) {
  dst_->set_stable_id("dm:LVM-vg-lv1");
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  dst_->set_stable_id("dm:LVM-vg-lv2");
  ExpectDistrustedThenRecopied(Copy(), "is another device (dm:LVM-vg-lv1 -> dm:LVM-vg-lv2)");
}

TEST_F(DdlessIdentityTest, TheSpotCheckFindsWritesToABlockDeviceOutsideDdless) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  dst_->Poke(77 * kSegmentSize + 1, "foreign");
  DdlessArgs a = Copy();
  a.spot_check = "1000";  // every segment: the one poked is certainly in the sample
  ExpectDistrustedThenRecopied(a, "spot check: the segment at offset 1261568 of /dev/dst differs");
}

TEST_F(DdlessIdentityTest, WithoutASpotCheckOnlyVerifyFindsAForeignWrite) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  dst_->Poke(77 * kSegmentSize + 1, "foreign");
  DdlessArgs a = Copy();
  a.spot_check = "0";
  EXPECT_EQ(Run(a), ExitCode::kOk);  // the documented limit: nothing compared the target
  EXPECT_FALSE(Same());
  DdlessArgs v;
  v.verify = true;
  v.checksum = "/ck";
  v.target = "/dev/dst";
  EXPECT_EQ(Run(v), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("1 of 128 segments of /dev/dst differ"));
  dst_->set_stable_id("dm:LVM-other");
  EXPECT_EQ(Run(v), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("/dev/dst is another device ( -> dm:LVM-other) since /ck was "
                                     "written; verifying against it anyway"));
}

TEST_F(DdlessIdentityTest, TheSpotCheckIsLoggedWithItsOffsets) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  DdlessArgs a = Copy();
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_THAT(log_.Text(), HasSubstr("spot check: 8 segments of /dev/dst match /ck in "));
  EXPECT_THAT(out_.str(), HasSubstr("\"spot_checked\":8"));
}

TEST_F(DdlessIdentityTest, AShrunkBlockDeviceIsRefusedNotStartedOver) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  opener_.Add("/dev/dst", kSize / 2);
  EXPECT_EQ(Run(Copy()), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("is smaller than the source"));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("starting over")));
}

TEST_F(DdlessIdentityTest, ASpotCheckReadErrorIsAnErrorNotARecopy) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  opener_.SetWrapper("/dev/dst", [](BlockDevice& d) {
    FaultPlan plan;
    plan.eio_read_at = 9 * kSegmentSize;
    return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, plan));
  });
  dst_->ResetCounters();
  DdlessArgs a = Copy();
  a.spot_check = "1000";
  EXPECT_EQ(Run(a), ExitCode::kError);
  EXPECT_THAT(log_.Text(), HasSubstr("Input/output error"));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("starting over")));
  EXPECT_EQ(dst_->counters().writes, 0u);
}

// A file of format version 1 (captured from the real ddless of that version) records no target
// identity: it is named and replaced, never trusted.
TEST_F(DdlessIdentityTest, AVersion1ChecksumFileIsReplacedNotTrusted) {
  std::string v1 = san::testing::ReadTestData("ddless/v1_copy.ck");
  std::string seq;
  for (int i = 1; i <= 12000; ++i) seq += std::to_string(i) + "\n";
  ASSERT_EQ(seq.size(), 60894u);
  opener_.Add("/tmp/v1cap/src", 0, DeviceInfo::Kind::kRegularFile).SetContents(seq);
  opener_.Add("/tmp/v1cap/dst", 0, DeviceInfo::Kind::kRegularFile)
      .SetContents(std::string(60894, 'z'));
  opener_.Add("/v1.ck", 0, DeviceInfo::Kind::kRegularFile).SetContents(v1);
  DdlessArgs a;
  a.source = "/tmp/v1cap/src";
  a.target = "/tmp/v1cap/dst";
  a.checksum = "/v1.ck";
  a.bail = true;
  EXPECT_EQ(Run(a), ExitCode::kNewChecksumRequired);
  EXPECT_THAT(log_.Text(), HasSubstr("has format version 1, which does not record the target"));
  EXPECT_EQ(opener_.Find("/v1.ck")->Contents(), v1);
  a.bail = false;
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_EQ(opener_.Find("/tmp/v1cap/dst")->Contents(), seq);
  Result<ChecksumFile> now = ChecksumFile::Load(*opener_.Find("/v1.ck"));
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->header().version, kFormatVersion);
  EXPECT_EQ(now->header().described.kind, DeviceIdentity::Kind::kRegularFile);
}

// After a -m stop the next run resumes at the stop; had the source changed before that position,
// the change was never copied and the run still ended with exit 0.
TEST_F(DdlessIdentityTest, AChangedSourceFileIsNotResumedAfterAWriteLimitStop) {
  MemoryDevice& file = opener_.Add("/src.img", 0, DeviceInfo::Kind::kRegularFile);
  file.SetContents(src_->Contents());
  DdlessArgs a = Copy();
  a.source = "/src.img";
  a.max_gb = "0.0005";  // 512 KiB
  EXPECT_EQ(Run(a), ExitCode::kWriteLimit);
  file.Poke(10, "changed before the stop position");
  a.max_gb.reset();
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_THAT(log_.Text(), HasSubstr("the source changed since the last run stopped early"));
  EXPECT_EQ(dst_->Contents(), file.Contents());
}

TEST_F(DdlessIdentityTest, AnUnchangedSourceIsResumed) {
  DdlessArgs a = Copy();
  a.max_gb = "0.0005";
  EXPECT_EQ(Run(a), ExitCode::kWriteLimit);
  a.max_gb.reset();
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"start\":524288"));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("source changed")));
}

// --- a failed flush is never success ------------------------------------------------------------

TEST_F(DdlessRunnerTest, AFailingFlushOfTheTargetOrTheChecksumFileIsAnError) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  for (const char* path : {"/dev/dst", "/ck"}) {
    src_->Poke(5 * kSegmentSize, path);
    opener_.SetWrapper(path, [](BlockDevice& d) {
      FaultPlan plan;
      plan.fail_flush = true;
      return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, plan));
    });
    DdlessArgs a = Copy();
    a.json = true;
    EXPECT_EQ(Run(a), ExitCode::kError) << path;
    EXPECT_THAT(out_.str(), HasSubstr("Input/output error")) << path;
    opener_.SetWrapper(path, [](BlockDevice& d) {
      return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, FaultPlan{}));
    });
    EXPECT_EQ(Run(Copy()), ExitCode::kOk) << path;  // the next run repairs it
    EXPECT_TRUE(Same()) << path;
  }
  DdlessArgs only;
  only.source = "/dev/src";
  only.checksum = "/only.ck";
  opener_.SetWrapper("/only.ck.ddless-new", [](BlockDevice& d) {
    FaultPlan plan;
    plan.fail_flush = true;
    return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, plan));
  });
  EXPECT_EQ(Run(only), ExitCode::kError);
  EXPECT_FALSE(opener_.Exists("/only.ck"));
}

// A kill at every I/O operation of a run that starts over (the target file was re-created):
// whatever the crash left behind (the old checksum file, a half-made FILE.ddless-new, the new file
// in mid-copy), the next run must end with target == source and a clean --verify.
TEST(DdlessStartOverCrashTest, KillAtEveryOperationOfAStartOver) {
  int killed = 0;
  for (uint64_t at = 1; at < 5000; ++at) {
    SCOPED_TRACE(::testing::Message() << "kill_at=" << at);
    MemoryOpener opener;
    FakeHost host;
    MemoryLogger log;
    std::ostringstream out;
    MemoryDevice& src = opener.Add("/src", kSize);
    src.SetContents(testing::RandomBytes(kSize, at));
    opener.Add("/img", 0, DeviceInfo::Kind::kRegularFile);
    auto run = [&](DdlessArgs a) {
      Result<DdlessConfig> c = ResolveArgs(a);
      c->engine.chunk_size = 64 << 10;
      c->engine.commit_window = 256 << 10;
      DdlessEnv env{host,
                    opener,
                    log,
                    out,
                    nullptr,
                    [] { return uint64_t{5}; },
                    [](const std::string& p) { return p; }};
      return RunDdless(*c, env);
    };
    DdlessArgs copy;
    copy.source = "/src";
    copy.checksum = "/ck";
    copy.target = "/img";
    ASSERT_EQ(run(copy), ExitCode::kOk);
    opener.Add("/img", kSize, DeviceInfo::Kind::kRegularFile);  // re-created: zeros
    KillSwitch kill(at, at);
    const char* paths[] = {"/src", "/img", "/ck", "/ck.ddless-new"};
    for (const char* path : paths) {
      opener.SetWrapper(path, [&kill](BlockDevice& d) {
        return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, FaultPlan{}, &kill));
      });
    }
    ExitCode crashed = run(copy);
    EXPECT_EQ(crashed == ExitCode::kOk, !kill.dead());
    for (const char* path : paths) {
      opener.SetWrapper(path, [](BlockDevice& d) {
        return std::unique_ptr<BlockDevice>(std::make_unique<FaultyDevice>(d, FaultPlan{}));
      });
    }
    EXPECT_EQ(run(copy), ExitCode::kOk) << log.Text();
    EXPECT_EQ(opener.Find("/img")->Contents(), src.Contents());
    DdlessArgs verify;
    verify.verify = true;
    verify.checksum = "/ck";
    verify.target = "/img";
    EXPECT_EQ(run(verify), ExitCode::kOk) << log.Text();
    if (::testing::Test::HasFailure()) return;
    if (!kill.dead()) break;
    ++killed;
  }
  EXPECT_GT(killed, 50);
  ::testing::Test::RecordProperty("runs_killed", killed);
}

// A target whose every write takes `step` of fake time (on the writer's thread, the only one
// reading the clock without -r).
class SlowTarget : public BlockDevice {
 public:
  SlowTarget(BlockDevice& base, FakeHost& host, milliseconds step)
      : base_(base), host_(host), step_(step) {}
  const std::string& name() const override { return base_.name(); }
  DeviceInfo info() const override { return base_.info(); }
  uint64_t size() const override { return base_.size(); }
  DeviceIdentity Identify() const override { return base_.Identify(); }
  Result<size_t> Read(uint64_t offset, std::span<std::byte> out) override {
    return base_.Read(offset, out);
  }
  Result<size_t> Write(uint64_t offset, std::span<const ConstPiece> pieces) override {
    host_.Advance(step_);
    return base_.Write(offset, pieces);
  }
  Status Flush() override { return base_.Flush(); }
  Status PunchZeros(uint64_t offset, uint64_t length) override {
    return base_.PunchZeros(offset, length);
  }
  Status Resize(uint64_t new_size) override { return base_.Resize(new_size); }

 private:
  BlockDevice& base_;
  FakeHost& host_;
  milliseconds step_;
};

TEST_F(DdlessRunnerTest, DeadlineStopsAtACommittedPointExits4AndTheNextRunResumes) {
  // A first copy writes one 256 KiB run per commit window, 1 s each. With 2.5 s: writes end at
  // 1, 2, 3 s; before the 14th chunk the deadline has passed, the pending 13th is written, and
  // the run commits at 13 chunks (851968). The second run stops at 26 chunks, the third ends.
  opener_.SetWrapper("/dev/dst", [this](BlockDevice& base) -> std::unique_ptr<BlockDevice> {
    return std::make_unique<SlowTarget>(base, host_, milliseconds(1000));
  });
  DdlessArgs a = Copy();
  a.deadline = "2.5";
  a.json = true;
  EXPECT_EQ(Run(a), ExitCode::kStopped);
  EXPECT_THAT(out_.str(), HasSubstr("\"stop\":851968"));
  EXPECT_THAT(out_.str(),
              HasSubstr("\"resume_at\":851968,\"status\":\"deadline\",\"exit_code\":4"));
  EXPECT_THAT(log_.Text(),
              HasSubstr("the --deadline passed: stopped at offset 851968 with the copy state "
                        "committed; the next run resumes there"));
  EXPECT_TRUE(host_.commands_run().empty());
  Result<ChecksumFile> file = ChecksumFile::Load(*opener_.Find("/ck"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().state, FileState::kPartial);
  EXPECT_EQ(file->header().committed, 851968u);
  int stops = 1;
  while (Run(a) == ExitCode::kStopped) ++stops;
  EXPECT_EQ(stops, 2);
  EXPECT_THAT(out_.str(), HasSubstr("\"start\":1703936"));
  EXPECT_THAT(out_.str(), HasSubstr("\"status\":\"ok\",\"exit_code\":0"));
  EXPECT_TRUE(Same());
}

TEST_F(DdlessRunnerTest, TheStopFlagExits4WithNothingWrittenAndOtherModesIgnoreIt) {
  ASSERT_EQ(Run(Copy()), ExitCode::kOk);
  std::atomic<bool> stop{true};
  stop_ = &stop;
  src_->Poke(0, "changed");
  DdlessArgs a = Copy();
  a.json = true;
  dst_->ResetCounters();
  EXPECT_EQ(Run(a), ExitCode::kStopped);
  EXPECT_THAT(out_.str(), HasSubstr("\"resume_at\":0,\"status\":\"stopped\",\"exit_code\":4"));
  EXPECT_THAT(log_.Text(), HasSubstr("stop requested: stopped at offset 0"));
  EXPECT_EQ(dst_->counters().writes, 0u);
  DdlessArgs ck;
  ck.source = "/dev/src";
  ck.checksum = "/src.ck";
  EXPECT_EQ(Run(ck), ExitCode::kOk);
  stop = false;
  EXPECT_EQ(Run(Copy()), ExitCode::kOk);
  EXPECT_TRUE(Same());
}

}  // namespace
}  // namespace san::blockcopy
