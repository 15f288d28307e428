// RunCopyJob on in-memory devices and FakeHost, as lvm_copy and the replica agent call it: a job
// cut short by its deadline, the stop flag or the Host deadline reports how far it got, and the
// next job resumes there; bail writes and creates nothing; checksum-only jobs.
#include "libsan/blockcopy/copy_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libsan/blockcopy/checksum_file.h"
#include "libsan/blockcopy/fake_memory_device.h"
#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
constexpr uint64_t kSeg = kSegmentSize;
constexpr uint64_t kChunk = 64 << 10;
constexpr uint64_t kSize = 2 << 20;  // 32 chunks
constexpr milliseconds kStep{100};   // fake time per consumed chunk

class CopyJobTest : public ::testing::Test {
 protected:
  CopyJobTest() {
    src_ = &opener_.Add("/dev/src", kSize);
    src_->SetContents(testing::RandomBytes(kSize, 21));
    spec_.source = "/dev/src";
    spec_.target = "/img";
    spec_.checksum = "/img.ck";
    spec_.engine = testing::SmallOptions();
  }

  // One job; the clock advances one step per chunk the writer consumed.
  Status Run(std::optional<int> deadline_chunks = std::nullopt) {
    JobControl control;
    if (deadline_chunks)
      control.deadline = host_.Now() + *deadline_chunks * kStep - milliseconds(1);
    control.stop = &stop_;
    control.progress = [this](const RunStats&) { host_.Advance(kStep); };
    return RunCopyJob(spec_, env_, control, report_);
  }

  std::string Target() {
    MemoryDevice* t = opener_.Find("/img");
    return t ? t->Contents() : "";
  }

  MemoryOpener opener_;
  MemoryDevice* src_;
  FakeHost host_;
  MemoryLogger log_;
  JobEnv env_{host_, opener_, log_, [] { return uint64_t{9}; }, {}};
  JobSpec spec_;
  JobReport report_;
  std::atomic<bool> stop_{false};
};

TEST_F(CopyJobTest, AFirstCopyCutShortByItsDeadlineIsResumedByTheNextJob) {
  ASSERT_TRUE(Run(10).ok());
  EXPECT_EQ(report_.end, JobEnd::kDeadline);
  EXPECT_TRUE(report_.resumable());
  EXPECT_TRUE(report_.checksum_created);
  EXPECT_TRUE(report_.engine_ran);
  EXPECT_EQ(report_.stats.stop, 10 * kChunk);
  EXPECT_EQ(report_.stats.bytes_written, 10 * kChunk);
  EXPECT_EQ(Target().substr(0, 10 * kChunk), src_->Contents().substr(0, 10 * kChunk));
  EXPECT_EQ(JobEndName(report_.end), "deadline");

  ASSERT_TRUE(Run(10).ok());
  EXPECT_FALSE(report_.checksum_created);
  EXPECT_FALSE(report_.started_over);
  EXPECT_TRUE(report_.spot_check_ran);  // the checksum file vouches for what was copied
  EXPECT_EQ(report_.spot_checked.size(), kDefaultSpotChecks);
  EXPECT_EQ(report_.stats.start, 10 * kChunk);
  EXPECT_EQ(report_.stats.stop, 20 * kChunk);

  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(report_.end, JobEnd::kDone);
  EXPECT_FALSE(report_.resumable());
  EXPECT_EQ(report_.stats.start, 20 * kChunk);
  EXPECT_EQ(report_.stats.stop, kSize);
  EXPECT_EQ(Target(), src_->Contents());
  Result<ChecksumFile> file = ChecksumFile::Load(*opener_.Find("/img.ck"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().state, FileState::kClean);
}

TEST_F(CopyJobTest, AStopFlagSetBeforehandCommitsAtTheStartAndWritesNothing) {
  ASSERT_TRUE(Run().ok());
  src_->Poke(3 * kSeg, testing::RandomBytes(kSeg, 1));
  stop_ = true;
  opener_.Find("/img")->ResetCounters();
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(report_.end, JobEnd::kStopped);
  EXPECT_EQ(report_.stats.start, 0u);
  EXPECT_EQ(report_.stats.stop, 0u);
  EXPECT_EQ(opener_.Find("/img")->counters().writes, 0u);
  stop_ = false;
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(report_.end, JobEnd::kDone);
  EXPECT_EQ(Target(), src_->Contents());
}

TEST_F(CopyJobTest, TheHostDeadlineStopsAJobWithoutItsOwn) {
  host_.SetDeadline(host_.Now() + 4 * kStep - milliseconds(1));
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(report_.end, JobEnd::kDeadline);
  EXPECT_EQ(report_.stats.stop, 4 * kChunk);
}

TEST_F(CopyJobTest, AChangedSourceFileIsNotResumedAfterADeadlineStop) {
  MemoryDevice& file = opener_.Add("/src.img", 0, DeviceInfo::Kind::kRegularFile);
  file.SetContents(src_->Contents());
  spec_.source = "/src.img";
  ASSERT_TRUE(Run(12).ok());
  ASSERT_EQ(report_.end, JobEnd::kDeadline);
  file.Poke(10, "changed before the stop position");
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(report_.end, JobEnd::kDone);
  EXPECT_EQ(report_.stats.start, 0u);
  EXPECT_THAT(log_.Text(), HasSubstr("the source changed since the last run stopped early"));
  EXPECT_EQ(Target(), file.Contents());
}

TEST_F(CopyJobTest, BailReportsWhyAndCreatesNothing) {
  spec_.bail = true;
  ASSERT_TRUE(Run().ok());
  EXPECT_EQ(report_.end, JobEnd::kNeedsNewChecksum);
  EXPECT_THAT(report_.needs_new, HasSubstr("there is no checksum file /img.ck yet"));
  EXPECT_FALSE(report_.engine_ran);
  EXPECT_FALSE(opener_.Exists("/img"));
  EXPECT_FALSE(opener_.Exists("/img.ck"));
  EXPECT_THAT(opener_.opened(), ElementsAre("/dev/src (ro)"));
}

TEST_F(CopyJobTest, ARefusalNamesTheCallersHint) {
  ASSERT_TRUE(Run().ok());
  opener_.Add("/other", kSize);
  spec_.target = "/other";
  spec_.refusal_hint = " (or ask for a new one)";
  Status s = Run();
  EXPECT_EQ(s.code(), Code::kInvalidConfig);
  EXPECT_THAT(s.message(), HasSubstr("made for target /img, not /other"));
  EXPECT_THAT(s.message(), HasSubstr("Remove it to start over with a full copy (or ask"));
  EXPECT_EQ(opener_.Find("/other")->counters().writes, 0u);
}

TEST_F(CopyJobTest, AChecksumOnlyJobRunsToTheEndDespiteItsDeadline) {
  spec_.target.clear();
  spec_.checksum = "/src.ck";
  ASSERT_TRUE(Run(1).ok());
  EXPECT_EQ(report_.end, JobEnd::kDone);
  EXPECT_TRUE(report_.checksum_created);
  EXPECT_EQ(report_.stats.stop, kSize);
  EXPECT_EQ(report_.stats.bytes_written, 0u);
}

}  // namespace
}  // namespace san::blockcopy
