// RunControl: a copy run that meets its deadline (or its stop flag) stops at a committed point —
// target flushed, digests and header "partial" durable — reports where, and the next run resumes
// there until target == source. The fake clock advances only when the writer reports progress,
// so every stop position is exact. Kill points still hold around a stop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "libsan/blockcopy/copy_engine.h"
#include "libsan/blockcopy/fake_faulty_device.h"
#include "tests/unit/blockcopy/engine_test_util.h"

namespace san::blockcopy {
namespace {

using testing::EngineFixture;
using testing::RandomBytes;
constexpr uint64_t kSeg = kSegmentSize;
constexpr uint64_t kChunk = 64 << 10;  // SmallOptions().chunk_size
constexpr uint64_t kSize = 2 << 20;    // 32 chunks, 8 commit windows
constexpr milliseconds kStep{100};     // fake time per consumed chunk
constexpr uint64_t kChanged[] = {0, 1, 5, 16, 17, 40, 63, 64, 65, 90, 101, 127};

// Changes a segment in every window, some next to each other.
void ChangeSource(EngineFixture& f, uint64_t seed) {
  for (uint64_t seg : kChanged) f.source.Poke(seg * kSeg, RandomBytes(kSeg, seed * 1000 + seg));
}

// One copy through RunCopy whose deadline is `chunks` steps of fake time away.
Result<RunResult> CopyWithDeadline(EngineFixture& f, int64_t chunks, BlockDevice* dst = nullptr,
                                   BlockDevice* ck = nullptr) {
  Result<ChecksumFile> file = Status::NotFound("");
  BlockDevice& ckdev = ck ? *ck : f.checksum;
  if (f.checksum.size() == 0) {
    ChecksumHeader h;
    h.seed = 7;
    h.source = "src";
    h.target = "dst";
    h.source_size = f.source.size();
    file = ChecksumFile::Create(ckdev, h);
  } else {
    file = ChecksumFile::Load(ckdev);
  }
  if (!file.ok()) return file.status();
  RunControl control;
  control.deadline = f.host.Now() + chunks * kStep - milliseconds(1);
  CopyJob job{&f.source, dst ? dst : &f.target, &*file, "src", "dst"};
  return RunCopy(
      job, f.options, f.host, f.log, [&f](const RunStats&) { f.host.Advance(kStep); }, control);
}

// Every trusted digest is true and none is unknown.
void ExpectVerified(EngineFixture& f) {
  Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().state, FileState::kClean);
  Result<VerifyResult> v = RunVerify(f.target, *file, f.options, f.host);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->segments_differing, 0u);
  EXPECT_EQ(v->segments_unknown, 0u);
}

TEST(RunControlTest, ADeadlineMidCopyStopsAtACommittedPointAndTheNextRunResumes) {
  EngineFixture f(kSize);
  ASSERT_TRUE(f.Copy().ok());
  std::string old_target = f.target.Contents();
  ChangeSource(f, 1);
  Result<RunResult> r = CopyWithDeadline(f, 11);  // 11 chunks, inside the third window
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->end, RunEnd::kDeadline);
  EXPECT_EQ(r->stats.start, 0u);
  EXPECT_EQ(r->stats.stop, 11 * kChunk);
  EXPECT_GE(r->stats.bytes_read, 11 * kChunk);  // readers read ahead
  // Segments 0, 1, 5, 16, 17 and 40 lie before the stop: written; 63.. not.
  EXPECT_EQ(r->stats.bytes_written, 6 * kSeg);
  EXPECT_EQ(f.target.Contents().substr(0, r->stats.stop),
            f.source.Contents().substr(0, r->stats.stop));
  EXPECT_EQ(f.target.Contents().substr(r->stats.stop), old_target.substr(r->stats.stop));
  EXPECT_THAT(f.log.Text(), ::testing::HasSubstr("deadline reached: stopping at offset 720896"));
  // Committed: the header on the medium says partial at the stop, nothing left to re-check.
  f.target.PowerLoss(3);
  f.checksum.PowerLoss(5);
  Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().state, FileState::kPartial);
  EXPECT_EQ(file->header().committed, r->stats.stop);
  EXPECT_TRUE(file->header().window.empty());
  // The next run, without a deadline, resumes at the stop and completes.
  f.target.ResetCounters();
  Result<RunResult> rest = f.Copy();
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->end, RunEnd::kComplete);
  EXPECT_EQ(rest->stats.start, 11 * kChunk);
  EXPECT_EQ(rest->stats.rechecked, 0u);
  EXPECT_EQ(f.target.counters().bytes_written, 6 * kSeg);
  EXPECT_TRUE(f.TargetMatches());
  ExpectVerified(f);
}

TEST(RunControlTest, RunsCutShortByDeadlinesConvergeFromTheFirstCopyOn) {
  EngineFixture f(kSize);
  int runs = 0;
  uint64_t last_stop = 0;
  for (uint64_t round = 0; round < 3; ++round) {  // first copy, then two rounds of changes
    if (round > 0) ChangeSource(f, round);
    while (true) {
      ASSERT_LT(++runs, 60);
      Result<RunResult> r = CopyWithDeadline(f, 5);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->stats.start, last_stop);
      if (r->end == RunEnd::kComplete) {
        last_stop = 0;
        break;
      }
      ASSERT_EQ(r->end, RunEnd::kDeadline);
      EXPECT_EQ(r->stats.stop, last_stop + 5 * kChunk);  // five chunks per run, no more
      last_stop = r->stats.stop;
    }
    EXPECT_TRUE(f.TargetMatches()) << "round " << round;
    ExpectVerified(f);
  }
  EXPECT_EQ(runs, 3 * 7);  // 32 chunks, 5 per run: 7 runs per round
}

TEST(RunControlTest, TheStopFlagStopsLikeADeadline) {
  EngineFixture f(kSize);
  ASSERT_TRUE(f.Copy().ok());
  ChangeSource(f, 2);
  Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  std::atomic<bool> stop{false};
  int chunks = 0;
  RunControl control;
  control.stop = &stop;
  CopyJob job{&f.source, &f.target, &*file, "src", "dst"};
  Result<RunResult> r = RunCopy(
      job, f.options, f.host, f.log,
      [&](const RunStats&) {
        if (++chunks == 17) stop = true;  // as a signal handler would, from anywhere
      },
      control);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->end, RunEnd::kStopped);
  EXPECT_EQ(r->stats.stop, 17 * kChunk);
  EXPECT_EQ(RunEndName(r->end), "stopped");
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
  ExpectVerified(f);
}

TEST(RunControlTest, TheHostDeadlineIsHonouredWithoutARunControl) {
  EngineFixture f(kSize);
  f.host.SetDeadline(f.host.Now() + 3 * kStep - milliseconds(1));
  Result<ChecksumFile> file = [&] {
    ChecksumHeader h;
    h.source = "src";
    h.target = "dst";
    h.source_size = kSize;
    return ChecksumFile::Create(f.checksum, h);
  }();
  ASSERT_TRUE(file.ok());
  CopyJob job{&f.source, &f.target, &*file, "src", "dst"};
  Result<RunResult> r =
      RunCopy(job, f.options, f.host, f.log, [&f](const RunStats&) { f.host.Advance(kStep); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->end, RunEnd::kDeadline);
  EXPECT_EQ(r->stats.stop, 3 * kChunk);
  f.host.SetDeadline(std::nullopt);
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
}

TEST(RunControlTest, APassedDeadlineWritesNothingAndKeepsTheResumePoint) {
  EngineFixture f(kSize);
  ASSERT_TRUE(f.Copy().ok());
  ChangeSource(f, 3);
  ASSERT_EQ(CopyWithDeadline(f, 9)->stats.stop, 9 * kChunk);
  f.target.ResetCounters();
  Result<RunResult> r = CopyWithDeadline(f, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->end, RunEnd::kDeadline);
  EXPECT_EQ(r->stats.start, 9 * kChunk);
  EXPECT_EQ(r->stats.stop, 9 * kChunk);
  EXPECT_EQ(f.target.counters().writes, 0u);
  ASSERT_TRUE(f.Copy().ok());
  EXPECT_TRUE(f.TargetMatches());
  ExpectVerified(f);
}

TEST(RunControlTest, ChecksumOnlyRunsIgnoreTheDeadline) {
  // A partial checksum-only file would later be resumed by a copy as if the target had been
  // copied up to the stop.
  EngineFixture f(kSize);
  ChecksumHeader h;
  h.source = "src";
  h.source_size = kSize;
  Result<ChecksumFile> file = ChecksumFile::Create(f.checksum, h);
  ASSERT_TRUE(file.ok());
  RunControl control;
  control.deadline = f.host.Now();
  Result<RunResult> r = RunCopy(
      {&f.source, nullptr, &*file, "src", ""}, f.options, f.host, f.log,
      [&f](const RunStats&) { f.host.Advance(kStep); }, control);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->end, RunEnd::kComplete);
  EXPECT_EQ(ChecksumFile::Load(f.checksum)->header().state, FileState::kClean);
}

TEST(RunControlTest, TheRecheckRangeOfACrashedRunSurvivesADeadlineStop) {
  EngineFixture f(1 << 20);
  ASSERT_TRUE(f.Copy().ok());
  Result<ChecksumFile> file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  // Pretend a run died while its window was [256 KiB, 512 KiB) and had written segment 28
  // (448 KiB): the stored digest still says the old data is there.
  ChecksumHeader h = file->header();
  h.state = FileState::kRunning;
  h.window = {256 << 10, 512 << 10};
  ASSERT_TRUE(file->Commit(h).ok());
  f.target.Poke(28 * kSeg, std::string(kSeg, 'w'));
  Result<RunResult> r = CopyWithDeadline(f, 6);  // stops at 384 KiB, inside the window
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->end, RunEnd::kDeadline);
  ASSERT_EQ(r->stats.stop, 6 * kChunk);
  file = ChecksumFile::Load(f.checksum);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->header().recheck.begin, 6 * kChunk);  // the part not yet re-checked
  EXPECT_EQ(file->header().recheck.end, 512u << 10);
  Result<RunResult> rest = f.Copy();
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->stats.start, 6 * kChunk);
  EXPECT_EQ(rest->stats.rechecked, 8u);  // 384..512 KiB
  EXPECT_EQ(rest->stats.bytes_written, kSeg);
  EXPECT_TRUE(f.TargetMatches());
  ExpectVerified(f);
}

// A deadline-stopped run, then a process kill (and power loss) at every operation of either the
// stop's own final commit or the resumed run: the next complete run still ends with
// target == source and every digest true. Never a skipped change.
struct KillTrial {
  uint64_t kill_at;
  bool power_loss;
  bool kill_the_stopping_run;  // else the resumed run
};

bool RunKillTrial(const KillTrial& t) {
  SCOPED_TRACE(::testing::Message() << "kill_at=" << t.kill_at << " power_loss=" << t.power_loss
                                    << " stopping=" << t.kill_the_stopping_run);
  EngineFixture f(1 << 20);  // 16 chunks, 4 windows
  EXPECT_TRUE(f.Copy().ok());
  for (uint64_t seg : {1, 2, 17, 30, 31, 33, 45, 63}) {
    f.source.Poke(seg * kSeg, RandomBytes(kSeg, seg * 7 + t.kill_at));
  }
  KillSwitch kill(t.kill_at, t.kill_at);
  FaultyDevice dst(f.target, {}, &kill);
  FaultyDevice ck(f.checksum, {}, &kill);
  if (t.kill_the_stopping_run) {
    Result<RunResult> r = CopyWithDeadline(f, 7, &dst, &ck);  // stops inside the second window
    EXPECT_EQ(r.ok(), !kill.dead());
    if (r.ok()) {
      EXPECT_EQ(r->end, RunEnd::kDeadline);
    }
  } else {
    Result<RunResult> r = CopyWithDeadline(f, 7);
    EXPECT_TRUE(r.ok() && r->end == RunEnd::kDeadline);
    // Past the stop (segment 28): a resumed run must find them.
    for (uint64_t seg : {30, 45, 60}) f.source.Poke(seg * kSeg, RandomBytes(kSeg, seg));
    Result<RunResult> resumed = f.Copy(nullptr, &dst, &ck);
    EXPECT_EQ(resumed.ok(), !kill.dead());
  }
  if (t.power_loss) {
    f.target.PowerLoss(t.kill_at);
    f.checksum.PowerLoss(t.kill_at * 7 + 1);
  }
  // A plain run (resuming wherever the medium says) must converge.
  Result<RunResult> full = f.Copy();
  EXPECT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_TRUE(f.TargetMatches());
  ExpectVerified(f);
  return kill.dead();
}

TEST(RunControlTest, KillAtEveryOperationOfTheStoppingRun) {
  int killed = 0;
  for (uint64_t at = 1; at < 400; ++at) {
    bool died = RunKillTrial({at, at % 2 == 1, true});
    if (::testing::Test::HasFailure()) return;
    if (!died) break;
    ++killed;
  }
  EXPECT_GT(killed, 15);
}

TEST(RunControlTest, KillAtEveryOperationOfTheResumedRun) {
  int killed = 0;
  for (uint64_t at = 1; at < 400; ++at) {
    bool died = RunKillTrial({at, at % 2 == 0, false});
    if (::testing::Test::HasFailure()) return;
    if (!died) break;
    ++killed;
  }
  EXPECT_GT(killed, 15);
}

}  // namespace
}  // namespace san::blockcopy
