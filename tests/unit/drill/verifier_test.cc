// The drill's verdict over an in-memory image and log: what passes, and each way to fail.
#include "ha-examples/drill/writer/verifier.h"

#include <gtest/gtest.h>

#include <vector>

#include "ha-examples/drill/writer/block_format.h"

namespace san::drill {
namespace {

constexpr size_t kBs = 512;
constexpr uint64_t kT0 = 1764640000000000;  // microseconds

// A drill run in memory: the image the target holds and the log the writer kept.
class DrillRun {
 public:
  explicit DrillRun(uint64_t blocks) : image_(blocks * kBs) {}

  // The writer's next write at `lba`, `ms_taken` long; `lands` says whether it reached the disk,
  // `logged` whether its line made it into the log.
  DrillRun& Write(uint64_t lba, std::string result = "ok", bool lands = true, uint64_t ms_taken = 1,
                  bool logged = true) {
    const uint64_t submit = now_, done = now_ + ms_taken * 1000;
    if (lands) Put(lba, {seq_, lba, submit, 0});
    if (logged) log_.push_back({seq_, lba, submit, done, std::move(result)});
    ++seq_;
    now_ = done + 100;
    return *this;
  }
  // Overwrites `lba` with a block of the given header (what some other writer left there).
  void Put(uint64_t lba, BlockHeader h) {
    EncodeBlock(h, std::span(image_).subspan(lba * kBs, kBs));
  }
  void Zero(uint64_t lba) { std::fill_n(image_.begin() + lba * kBs, kBs, std::byte{0}); }
  void Flip(size_t byte) { image_[byte] ^= std::byte{0x40}; }
  VerifyReport Check() const { return Verify(image_, kBs, log_); }
  const std::vector<LogEntry>& log() const { return log_; }

 private:
  std::vector<std::byte> image_;
  std::vector<LogEntry> log_;
  uint64_t seq_ = 0;
  uint64_t now_ = kT0;
};

// Two passes over a 4-block region: seq 0..7, LBA seq mod 4.
DrillRun TwoPasses() {
  DrillRun run(4);
  for (uint64_t seq = 0; seq < 8; ++seq) run.Write(seq % 4);
  return run;
}

TEST(VerifierTest, EverythingAcknowledgedIsIntact) {
  VerifyReport r = TwoPasses().Check();
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.writes, 8u);
  EXPECT_EQ(r.acked, 8u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.lbas_checked, 4u);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.corrupt, 0u);
  EXPECT_EQ(r.unacked_found, 0u);
  EXPECT_TRUE(r.problems.empty());
}

TEST(VerifierTest, OlderVersionOfAnAcknowledgedBlockIsLost) {
  DrillRun run(4);
  run.Write(0).Write(1);
  run.Write(0, "ok", /*lands=*/false);  // acknowledged, never reached the disk
  VerifyReport r = run.Check();
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.lost, 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_TRUE(r.problems[0].lost);
  EXPECT_EQ(r.problems[0].lba, 0u);
  EXPECT_EQ(r.problems[0].what, "last acknowledged seq 2, found seq 0");
}

TEST(VerifierTest, BlankBlockAfterAnAcknowledgementIsLost) {
  DrillRun run = TwoPasses();
  run.Zero(3);
  VerifyReport r = run.Check();
  EXPECT_EQ(r.lost, 1u);
  EXPECT_EQ(r.problems.at(0).what, "last acknowledged seq 7, found no block");
}

TEST(VerifierTest, DamagedBlockIsCorrupt) {
  DrillRun run = TwoPasses();
  run.Flip(2 * kBs + 300);
  VerifyReport r = run.Check();
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.corrupt, 1u);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_FALSE(r.problems.at(0).lost);
  EXPECT_EQ(r.problems.at(0).lba, 2u);
  EXPECT_EQ(r.problems.at(0).what, "checksum mismatch");
}

TEST(VerifierTest, BlockOfAnotherRunWithTheSameSeqIsCorrupt) {
  // An earlier run left seq 5 at LBA 1 with its own submit time; this run's seq 5 never landed.
  DrillRun run = TwoPasses();
  run.Put(1, {5, 1, kT0 - 3600000000, 0});
  VerifyReport r = run.Check();
  EXPECT_EQ(r.corrupt, 1u);
  EXPECT_NE(r.problems.at(0).what.find("(a block of another run?)"), std::string::npos);
}

TEST(VerifierTest, SeqNeverWrittenAtThatLbaIsCorrupt) {
  DrillRun run = TwoPasses();
  run.Put(2, {3, 2, run.log()[3].submit_us, 0});  // seq 3 belongs to LBA 3
  VerifyReport r = run.Check();
  EXPECT_EQ(r.corrupt, 1u);
  EXPECT_EQ(r.problems.at(0).what, "seq 3 was never written at this LBA");
}

TEST(VerifierTest, FailedWritesAreCountedAndMayOrMayNotHaveLanded) {
  DrillRun run(4);
  run.Write(0).Write(1);
  run.Write(0, "timeout", /*lands=*/true);     // failed, yet on disk: newer than the ack
  run.Write(1, "not_ready", /*lands=*/false);  // failed, not on disk: the ack still is
  run.Write(2, "not_ready", /*lands=*/false);  // never acknowledged anything here: blank is fine
  VerifyReport r = run.Check();
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.acked, 2u);
  EXPECT_EQ(r.errors, 3u);
  EXPECT_EQ(r.error_reasons, (std::map<std::string, uint64_t>{{"not_ready", 2}, {"timeout", 1}}));
  EXPECT_EQ(r.unacked_found, 1u);
  EXPECT_EQ(r.lbas_checked, 3u);
}

TEST(VerifierTest, TheWriteInFlightAtTheStopMayHaveLanded) {
  DrillRun run = TwoPasses();
  run.Write(0, "ok", /*lands=*/true, 1, /*logged=*/false);  // seq 8, killed before its line
  VerifyReport r = run.Check();
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.unacked_found, 1u);
}

TEST(VerifierTest, AnUnloggedSeqSubmittedBeforeTheLastLineIsCorrupt) {
  DrillRun run = TwoPasses();
  run.Put(0, {8, 0, run.log().back().done_us - 1, 0});  // "in flight" but older than the log
  EXPECT_EQ(run.Check().corrupt, 1u);
  run.Put(0, {9, 0, run.log().back().done_us + 1, 0});  // two past the last line
  EXPECT_EQ(run.Check().corrupt, 1u);
}

TEST(VerifierTest, LongestGapBetweenAcknowledgements) {
  DrillRun run(4);
  run.Write(0).Write(1);
  run.Write(2, "ok", true, /*ms_taken=*/2500);  // the failover stall
  run.Write(3, "not_ready", false, 4000);       // errors do not close a gap
  run.Write(0);
  VerifyReport r = run.Check();
  const std::vector<LogEntry>& log = run.log();
  EXPECT_EQ(r.gap_start_us, log[2].done_us);
  EXPECT_EQ(r.longest_gap_us, log[4].done_us - log[2].done_us);
  EXPECT_GT(r.longest_gap_us, log[2].done_us - log[1].done_us);
}

TEST(VerifierTest, EmptyLogPassesWithNothingChecked) {
  VerifyReport r = Verify({}, kBs, {});
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.lbas_checked, 0u);
  EXPECT_EQ(MaxLba({}), 0u);
}

TEST(VerifierTest, ProblemsAreCappedButAllCounted) {
  DrillRun run(64);
  for (uint64_t lba = 0; lba < 64; ++lba) run.Write(lba);
  for (uint64_t lba = 0; lba < 64; ++lba) run.Zero(lba);
  VerifyReport r = run.Check();
  EXPECT_EQ(r.lost, 64u);
  EXPECT_EQ(r.problems.size(), kMaxProblems);
  EXPECT_EQ(MaxLba(run.log()), 63u);
}

}  // namespace
}  // namespace san::drill
